import { ConfigSchema } from './schema.ts';

/** The README's configuration table, generated from the schema's descriptions so the two never drift. */
export function configTable(): string {
  const rows = ['| setting | default | meaning |', '|---|---|---|'];
  for (const [key, field] of Object.entries(ConfigSchema.shape)) {
    const def = field.safeParse(undefined);
    const value = def.success && def.data !== undefined ? `\`${JSON.stringify(def.data)}\`` : '—';
    rows.push(`| \`${key}\` | ${value} | ${(field.description ?? '').replace(/\|/g, '\\|')} |`);
  }
  return rows.join('\n');
}
