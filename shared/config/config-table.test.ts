import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configTable } from './config-table.ts';

describe('README configuration table', () => {
  it('is the one generated from the schema (regenerate with `npx tsx scripts/config-table.ts`)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(configTable());
  });
});
