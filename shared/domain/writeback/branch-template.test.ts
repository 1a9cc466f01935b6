import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { PermanentError } from '../../errors.ts';
import {
  changesSha256,
  PR_BRANCH_TEMPLATE,
  renderBranchName,
  truncateUtf8,
  writeBackTargetKey,
  type BranchChange,
} from './branch-template.ts';

interface BranchVector {
  template: string;
  changes: BranchChange[];
  appName?: string;
  appNamespace?: string;
  expected: string;
}

describe('branch-template vectors', () => {
  it.each(vectors<BranchVector>('branch-template'))('$id', (v) => {
    expect(renderBranchName(v.template, { changes: v.changes, appName: v.appName, appNamespace: v.appNamespace })).toBe(
      v.expected,
    );
  });
});

describe('renderBranchName', () => {
  const changes: BranchChange[] = [{ image: 'foo/bar', alias: 'fb', oldTag: '1.0', newTag: '1.1' }];

  it('hashes name-old-new per change', () => {
    const expected = createHash('sha256').update('foo/bar-1.0-1.1,baz-2-3,').digest('hex');
    expect(changesSha256([...changes, { image: 'baz', oldTag: '2', newTag: '3' }])).toBe(expected);
  });

  it('exposes the alias', () => {
    expect(renderBranchName('u-{{range .Images}}{{.Alias}}{{end}}', { changes })).toBe('u-fb');
  });

  it('truncates to 255 bytes', () => {
    const long = renderBranchName('{{range .Images}}{{.Name}}{{end}}-' + 'x'.repeat(300), { changes });
    expect(long).toHaveLength(255);
    expect(long.startsWith('foo/bar-xx')).toBe(true);
  });

  it('does not split a multi-byte character when truncating', () => {
    const s = 'a'.repeat(254) + 'é';
    expect(truncateUtf8(s, 255)).toBe('a'.repeat(254));
    expect(truncateUtf8('abc', 255)).toBe('abc');
  });

  it('renders the pull-request head branch', () => {
    const key = writeBackTargetKey('https://git.example/repo.git', 'main', 'apps/demo/.argocd-source-demo.yaml');
    expect(key).toMatch(/^[0-9a-f]{8}$/);
    expect(renderBranchName(PR_BRANCH_TEMPLATE, { changes, targetKey: key })).toBe(
      `image-updater-${key}-${changesSha256(changes)}`,
    );
  });

  it.each([
    ['parse error', '{{ .Images '],
    ['execution error', '{{ .Nope }}'],
    ['empty output', '{{ .AppName }}'],
  ])('rejects a template with %s', (_name, tpl) => {
    expect(() => renderBranchName(tpl, { changes })).toThrow(PermanentError);
    expect(() => renderBranchName(tpl, { changes })).toThrow(/git branch name could not be created from the template/);
  });
});
