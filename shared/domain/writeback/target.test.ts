import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { PermanentError } from '../../errors.ts';
import {
  parseHelmValuesTarget,
  parseKustomizeBase,
  resolveWriteBackTarget,
  safeRepoPath,
  targetSourceType,
} from './target.ts';

describe('writeback-path vectors', () => {
  it.each(
    vectors<{ op: 'parseKustomizeBase' | 'parseTarget'; target: string; sourcePath: string; expected: string }>(
      'writeback-path',
    ),
  )('$id $op $name', (v) => {
    const fn = v.op === 'parseKustomizeBase' ? parseKustomizeBase : parseHelmValuesTarget;
    expect(fn(v.target, v.sourcePath)).toBe(v.expected);
  });
});

describe('resolveWriteBackTarget', () => {
  const ctx = { sourcePath: 'apps/demo', appName: 'demo', appNamespace: 'argocd', controllerNamespace: 'argocd' };

  it.each([
    [undefined, { kind: 'argocd-source', path: 'apps/demo/.argocd-source-demo.yaml' }],
    ['', { kind: 'argocd-source', path: 'apps/demo/.argocd-source-demo.yaml' }],
    ['kustomization', { kind: 'kustomization', dir: 'apps/demo' }],
    ['kustomization:../base', { kind: 'kustomization', dir: 'apps/base' }],
    ['kustomization:/overlays/prod/', { kind: 'kustomization', dir: 'overlays/prod' }],
    ['helmvalues', { kind: 'helmvalues', path: 'apps/demo/values.yaml' }],
    ['helmvalues:/env/prod.yaml', { kind: 'helmvalues', path: 'env/prod.yaml' }],
    [' helmvalues:values-prod.yaml ', { kind: 'helmvalues', path: 'apps/demo/values-prod.yaml' }],
    ['overrides/demo.yaml', { kind: 'argocd-source', path: 'overrides/demo.yaml' }],
  ])('%j → %j', (target, expected) => {
    expect(resolveWriteBackTarget({ ...ctx, target })).toEqual(expected);
  });

  it('names the override file after the app namespace for apps outside the controller namespace', () => {
    expect(resolveWriteBackTarget({ ...ctx, appNamespace: 'team-a' })).toEqual({
      kind: 'argocd-source',
      path: 'apps/demo/.argocd-source-team-a_demo.yaml',
    });
    expect(resolveWriteBackTarget({ ...ctx, sourcePath: '' })).toEqual({
      kind: 'argocd-source',
      path: '.argocd-source-demo.yaml',
    });
  });

  it.each([
    'kustomization:../../..',
    'kustomization:/../x',
    'helmvalues:../../../etc/passwd',
    'helmvalues:/..',
    '../outside.yaml',
    'a/../../b.yaml',
  ])('rejects %j escaping the repository', (target) => {
    const run = () => resolveWriteBackTarget({ ...ctx, target });
    expect(run).toThrow(PermanentError);
    expect(run).toThrow(/write-back-target: .*outside the repository/);
  });

  it('rejects a bare kustomization file path', () => {
    expect(() => resolveWriteBackTarget({ ...ctx, target: 'apps/demo/kustomization.yaml' })).toThrow(
      /use "kustomization:<dir>"/,
    );
  });

  it('forces the application type for kustomization and helmvalues targets', () => {
    expect(targetSourceType({ kind: 'kustomization', dir: '.' })).toBe('Kustomize');
    expect(targetSourceType({ kind: 'helmvalues', path: 'values.yaml' })).toBe('Helm');
    expect(targetSourceType({ kind: 'argocd-source', path: 'x' })).toBeNull();
  });

  it('normalises safe paths', () => {
    expect(safeRepoPath('./a//b/../c/')).toBe('a/c');
    expect(safeRepoPath('')).toBe('.');
    expect(() => safeRepoPath('a\0b')).toThrow(/NUL/);
  });
});
