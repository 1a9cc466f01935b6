import { describe, expect, it } from 'vitest';
import { readWriteBackConfig } from './write-back.ts';

const P = 'argocd-image-updater.argoproj.io/';

describe('readWriteBackConfig', () => {
  it.each([
    [{}, { method: 'argocd' }],
    [{ [`${P}write-back-method`]: 'argocd' }, { method: 'argocd' }],
    [{ [`${P}write-back-method`]: '  ' }, { method: 'argocd' }],
    [{ [`${P}write-back-method`]: 'git' }, { method: 'git', credentials: { kind: 'repocreds' } }],
    [{ [`${P}write-back-method`]: ' git:repocreds ' }, { method: 'git', credentials: { kind: 'repocreds' } }],
    [
      { [`${P}write-back-method`]: 'git:secret:argocd/git-creds' },
      { method: 'git', credentials: { kind: 'secret', namespace: 'argocd', name: 'git-creds' } },
    ],
    [
      {
        [`${P}write-back-method`]: 'git',
        [`${P}git-branch`]: 'main:image-updater-{{.SHA256}}',
        [`${P}git-repository`]: 'https://git.example.com/org/deploy.git',
        [`${P}write-back-target`]: 'helmvalues:/charts/app/values.yaml',
      },
      {
        method: 'git',
        credentials: { kind: 'repocreds' },
        gitBranch: { base: 'main', write: 'image-updater-{{.SHA256}}' },
        gitRepository: 'https://git.example.com/org/deploy.git',
        target: 'helmvalues:/charts/app/values.yaml',
      },
    ],
    [
      { [`${P}write-back-method`]: 'git', [`${P}git-branch`]: 'release' },
      { method: 'git', credentials: { kind: 'repocreds' }, gitBranch: { base: 'release' } },
    ],
    [
      { [`${P}write-back-method`]: 'git', [`${P}git-branch`]: ':updates/{{.AppName}}' },
      { method: 'git', credentials: { kind: 'repocreds' }, gitBranch: { base: '', write: 'updates/{{.AppName}}' } },
    ],
    [
      { [`${P}write-back-method`]: 'git', [`${P}git-branch`]: 'main:' },
      { method: 'git', credentials: { kind: 'repocreds' }, gitBranch: { base: 'main' } },
    ],
    [
      { [`${P}write-back-method`]: 'git', [`${P}write-back-target`]: 'kustomization' },
      { method: 'git', credentials: { kind: 'repocreds' }, target: 'kustomization' },
    ],
  ])('%j', (annotations, expected) => {
    const r = readWriteBackConfig(annotations);
    expect(r.config).toEqual(expected);
    expect(r.problems).toEqual([]);
  });

  it.each([
    ['write-back-method', 'helm', /invalid write-back method "helm"/],
    ['write-back-method', 'argocd:x', /invalid write-back method "argocd"/],
    ['write-back-method', 'git:secret:git-creds', /must be <namespace>\/<name>/],
    ['write-back-method', 'git:secret:a/b/c', /must be <namespace>\/<name>/],
    ['write-back-method', 'git:ssh', /unexpected credentials "ssh"/],
    ['write-back-method', 'git:', /unexpected credentials ""/],
    ['git-branch', 'a:b:c', /at most one ":"/],
  ] as const)('%s=%j → error, no config', (key, value, message) => {
    const annotation = `${P}${key}`;
    const annotations = { [`${P}write-back-method`]: 'git', [annotation]: value };
    const r = readWriteBackConfig(annotations);
    expect(r.config).toBeNull();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ annotation, value, severity: 'error' });
    expect(r.problems[0]?.message).toMatch(message);
    expect(r.problems[0]?.message).toContain(annotation);
  });

  it('warns that git settings are ignored with the argocd method', () => {
    const r = readWriteBackConfig({ [`${P}git-branch`]: 'main' });
    expect(r.config).toEqual({ method: 'argocd' });
    expect(r.problems).toEqual([expect.objectContaining({ severity: 'warning', annotation: `${P}git-branch` })]);
  });
});
