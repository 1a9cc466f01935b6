/**
 * Source and type selection, with the cases of the anchor's Test_GetApplicationSourceType,
 * Test_GetApplicationSource, Test_MultiSourceHelmAndKustomize_SourceTypeDetection and
 * Test_getWriteBackBranch, and the plans built from them.
 */
import { describe, expect, it } from 'vitest';
import type { Application, ApplicationSource } from '../model/application.ts';
import type { WriteBackConfig } from '../annotations/index.ts';
import type { AppEvaluation } from './evaluate-app.ts';
import { planWriteBack } from './plan-write-back.ts';
import {
  applicationSourceType,
  forcedSourceType,
  gitLocation,
  resolveSource,
  selectSource,
  type SupportedSourceType,
} from './source-type.ts';

const noHint = { helm: false, kustomize: false };

function app(spec: Application['spec'], status: Application['status'] = {}): Application {
  return { metadata: { name: 'test-app', namespace: 'argocd', uid: 'u1' }, spec, status };
}

const helmSrc = (o: Partial<ApplicationSource> = {}): ApplicationSource => ({
  repoURL: 'https://github.com/example/helm-repo',
  path: 'charts/myapp',
  helm: { parameters: [{ name: 'image.tag', value: '1.0.0' }] },
  ...o,
});
const kustSrc = (o: Partial<ApplicationSource> = {}): ApplicationSource => ({
  repoURL: 'https://github.com/example/kustomize-repo',
  path: 'overlays/production',
  kustomize: { images: ['nginx:1.0.0'] },
  ...o,
});

describe('application source type (getApplicationSourceType)', () => {
  it.each([
    ['Helm', 'Helm'],
    ['Kustomize', 'Kustomize'],
    ['Plugin', 'Plugin'],
  ])('single source: status.sourceType %s', (reported, expected) => {
    expect(applicationSourceType(app({ source: { repoURL: 'r' } }, { sourceType: reported }), noHint)).toBe(expected);
  });

  it('single source: Directory is unsupported, named in the error', () => {
    const t = applicationSourceType(app({ source: { repoURL: 'r', path: 'p' } }, { sourceType: 'Directory' }), noHint);
    expect(t).toEqual({ error: expect.stringContaining('unsupported application source type Directory') });
  });

  it('a kustomization target forces Kustomize over a reported Plugin type', () => {
    const a = app({ source: { repoURL: 'r' } }, { sourceType: 'Plugin' });
    expect(applicationSourceType(a, { ...noHint, forced: forcedSourceType('kustomization') })).toBe('Kustomize');
  });

  it('multi source: the first supported entry of status.sourceTypes; status.sourceType is not read', () => {
    const a = app({ sources: [kustSrc(), helmSrc()] }, { sourceType: 'Helm', sourceTypes: ['Directory', 'Kustomize'] });
    expect(applicationSourceType(a, noHint)).toBe('Kustomize');
  });

  it('multi source: only Directory reported is unsupported', () => {
    const a = app({ sources: [{ repoURL: 'a' }, { repoURL: 'b' }] }, { sourceTypes: ['Directory', 'Directory'] });
    expect(applicationSourceType(a, noHint)).toEqual({
      error: 'unsupported application source type Directory (only Helm, Kustomize and Plugin)',
    });
  });

  it('spec.sources wins over spec.source (HasMultipleSources)', () => {
    const a = app({ source: helmSrc(), sources: [kustSrc()] }, { sourceType: 'Helm', sourceTypes: ['Kustomize'] });
    expect(resolveSource(a, noHint)).toMatchObject({ type: 'Kustomize', index: 0, source: kustSrc() });
  });

  it('nothing reported yet (tagflow goes on where the anchor stops): the blocks, chart or image settings decide', () => {
    expect(applicationSourceType(app({ source: { repoURL: 'r', chart: 'nginx' } }), noHint)).toBe('Helm');
    expect(applicationSourceType(app({ sources: [{ repoURL: 'a' }, kustSrc()] }), noHint)).toBe('Kustomize');
    expect(applicationSourceType(app({ source: { repoURL: 'r' } }), { helm: false, kustomize: true })).toBe(
      'Kustomize',
    );
    expect(applicationSourceType(app({ source: { repoURL: 'r' } }), noHint)).toEqual({
      error: expect.stringContaining('cannot tell the application source type'),
    });
    expect(applicationSourceType(app({}), noHint)).toEqual({ error: 'application has no source' });
  });
});

describe('forcedSourceType (write-back-target)', () => {
  it.each([
    ['kustomization', 'Kustomize'],
    ['kustomization:../base', 'Kustomize'],
    [' kustomization:/overlays/prod ', 'Kustomize'],
    ['helmvalues', 'Helm'],
    ['helmvalues:/charts/app/values.yaml', 'Helm'],
    ['.argocd-source-multi-source-app.yaml', undefined],
    ['kustomizations', undefined],
    [undefined, undefined],
  ])('%j → %s', (target, expected) => {
    expect(forcedSourceType(target)).toBe(expected);
  });
});

describe('source of a multi-source app (getApplicationSource)', () => {
  it('single source: spec.source, no index', () => {
    expect(selectSource(app({ source: helmSrc() }), 'Helm')).toEqual({ source: helmSrc() });
  });

  it('Helm: the first source with a helm block', () => {
    const a = app({ sources: [{ repoURL: 'x', path: 'sources/source2' }, helmSrc({ path: 'sources/source1' })] });
    expect(selectSource(a, 'Helm')).toMatchObject({ index: 1, source: { path: 'sources/source1' } });
  });

  it('Kustomize: the first source with a kustomize block', () => {
    const a = app({ sources: [kustSrc({ path: 'sources/source1' }), { repoURL: 'x', path: 'sources/source2' }] });
    expect(selectSource(a, 'Kustomize')).toMatchObject({ index: 0, source: { path: 'sources/source1' } });
  });

  it('neither Helm nor Kustomize: the first source', () => {
    const a = app({
      sources: [
        { repoURL: 'x', path: 'sources/source1' },
        { repoURL: 'y', path: 'sources/source2' },
      ],
    });
    expect(selectSource(a, null)).toMatchObject({ index: 0, source: { path: 'sources/source1' } });
  });

  it('no matching block: any source with a block comes before the first source', () => {
    const a = app({ sources: [{ repoURL: 'x' }, { repoURL: 'y', plugin: { env: [] } }] });
    expect(selectSource(a, null)?.index).toBe(1);
    expect(selectSource(a, 'Helm')?.index).toBe(1);
  });

  // the anchor's issue #1096: an implicit kustomize source (no kustomize: block) found by status.sourceTypes
  const implicit = app(
    {
      sources: [
        {
          repoURL: 'git@github.com:organisation/gitops.git',
          path: './deployments/myapp/overlays/staging',
          targetRevision: 'main',
        },
        {
          repoURL: 'registry-1.docker.io/bitnamicharts',
          chart: 'redis',
          targetRevision: '20.11.*',
          helm: { valueFiles: ['$values/deployments/myapp/base/redis/values.yaml'] },
        },
        { repoURL: 'https://github.com/organisation/gitops.git', ref: 'values', targetRevision: 'main' },
      ],
    },
    { sourceTypes: ['Kustomize', 'Helm', 'Directory'] },
  );

  it('#1096: a kustomize source without a kustomize block is found through status.sourceTypes', () => {
    const r = resolveSource(implicit, { ...noHint, forced: 'Kustomize' });
    expect(r).toMatchObject({
      type: 'Kustomize',
      index: 0,
      source: { repoURL: 'git@github.com:organisation/gitops.git' },
    });
  });

  it('status.sourceTypes not lined up with spec.sources is not used for the index', () => {
    const a = app({ sources: implicit.spec.sources }, { sourceTypes: ['Kustomize', 'Helm'] });
    expect(selectSource(a, 'Kustomize')?.index).toBe(1); // the first source with any block
  });

  const both = (order: 'kustomize-first' | 'helm-first') =>
    app(
      { sources: order === 'kustomize-first' ? [kustSrc(), helmSrc()] : [helmSrc(), kustSrc()] },
      { sourceTypes: order === 'kustomize-first' ? ['Kustomize', 'Helm'] : ['Helm', 'Kustomize'] },
    );

  it.each([
    ['helmvalues', 'kustomize-first', 'Helm', 1, 'charts/myapp'],
    ['helmvalues:values.yml', 'kustomize-first', 'Helm', 1, 'charts/myapp'],
    ['kustomization:overlays/production', 'helm-first', 'Kustomize', 1, 'overlays/production'],
    ['.argocd-source-multi-source-app.yaml', 'kustomize-first', 'Kustomize', 0, 'overlays/production'],
  ] as const)('target %s with %s sourceTypes → %s source %i', (target, order, type, index, path) => {
    const r = resolveSource(both(order), { ...noHint, forced: forcedSourceType(target) });
    expect(r).toMatchObject({ type, index, source: { path } });
  });
});

describe('git location (getWriteBackBranch, GitRepo, target path)', () => {
  const chartAndValues = app({
    sources: [
      { repoURL: 'https://charts.bitnami.com/bitnami', targetRevision: '18.2.3', chart: 'nginx', helm: {} },
      { repoURL: 'https://github.com/chengfang/image-updater-examples.git', targetRevision: 'main', ref: 'values' },
    ],
  });
  const chosen = selectSource(chartAndValues, 'Helm')!;

  it('git-repository matching a source: that source gives the revision; the path stays the chosen source’s', () => {
    expect(
      gitLocation(chartAndValues, chosen, 'Helm', 'https://github.com/chengfang/image-updater-examples.git'),
    ).toEqual({
      repoUrl: 'https://github.com/chengfang/image-updater-examples.git',
      targetRevision: 'main',
      path: '.',
    });
  });

  it('no git-repository: the chosen source', () => {
    expect(gitLocation(chartAndValues, chosen, 'Helm', undefined)).toEqual({
      repoUrl: 'https://charts.bitnami.com/bitnami',
      targetRevision: '18.2.3',
      path: '.',
    });
  });

  it('git-repository matching no source: the chosen source’s revision', () => {
    const single = app({ sources: [chartAndValues.spec.sources![0]!] });
    expect(gitLocation(single, selectSource(single, 'Helm')!, 'Helm', 'https://github.com/different/repo.git')).toEqual(
      { repoUrl: 'https://github.com/different/repo.git', targetRevision: '18.2.3', path: '.' },
    );
  });

  it('a target forcing another source’s type: repository and revision of that source, path of the app’s own', () => {
    const a = app(
      { sources: [helmSrc({ targetRevision: 'h' }), kustSrc({ targetRevision: 'k' })] },
      { sourceTypes: ['Helm', 'Kustomize'] },
    );
    const forced = selectSource(a, 'Kustomize')!;
    expect(gitLocation(a, forced, 'Helm', undefined)).toEqual({
      repoUrl: 'https://github.com/example/kustomize-repo',
      targetRevision: 'k',
      path: 'charts/myapp',
    });
  });
});

describe('planWriteBack keeps the chosen source and its index', () => {
  const ev = (sourceType: SupportedSourceType): AppEvaluation => ({
    decisions: [],
    counters: { images_considered: 1, images_skipped: 0, errors: 0 },
    sourceType,
    writes: [{ alias: 'app', image: { registry: '', name: 'nginx', tag: '1.1.0', digest: '', alias: '' } }],
    changes: [{ alias: 'app', image: 'nginx', fullName: 'nginx', oldTag: '1.0.0', newTag: '1.1.0' }],
  });
  const ref = { cluster: 'cp', namespace: 'argocd', name: 'test-app' };
  const values = { repoURL: 'https://git.example.com/values.git', targetRevision: 'release', ref: 'values' };
  const multi = app({ sources: [values, helmSrc({ targetRevision: 'main' })] }, { sourceTypes: ['Directory', 'Helm'] });

  it('argocd: sourceIndex of the helm source', () => {
    const plan = planWriteBack(multi, ref, ev('Helm'), { method: 'argocd' });
    expect(plan).toMatchObject({
      method: 'argocd',
      sourceType: 'Helm',
      sourceIndex: 1,
      source: { path: 'charts/myapp' },
    });
  });

  it('argocd on a single-source app: no sourceIndex', () => {
    const plan = planWriteBack(app({ source: helmSrc() }, { sourceType: 'Helm' }), ref, ev('Helm'), {
      method: 'argocd',
    });
    expect(plan).not.toHaveProperty('sourceIndex');
  });

  it('git: the chosen source’s repository, revision and path', () => {
    const config: WriteBackConfig = { method: 'git', credentials: { kind: 'repocreds' } };
    expect(planWriteBack(multi, ref, ev('Helm'), config)).toMatchObject({
      sourceIndex: 1,
      git: { repoUrl: 'https://github.com/example/helm-repo', branch: 'main', path: 'charts/myapp' },
    });
  });

  it('git with git-repository = the values source: its revision, the helm source’s path', () => {
    const config: WriteBackConfig = {
      method: 'git',
      gitRepository: values.repoURL,
      target: 'helmvalues:values-prod.yaml',
    };
    expect(planWriteBack(multi, ref, ev('Helm'), config)).toMatchObject({
      sourceIndex: 1,
      git: { repoUrl: values.repoURL, branch: 'release', path: 'charts/myapp', target: 'helmvalues:values-prod.yaml' },
    });
  });

  it('git with a kustomization target: the plan is Kustomize, on the kustomize source', () => {
    const a = app({ sources: [helmSrc(), kustSrc()] }, { sourceTypes: ['Helm', 'Kustomize'] });
    const plan = planWriteBack(a, ref, ev('Helm'), { method: 'git', target: 'kustomization' });
    expect(plan).toMatchObject({ sourceType: 'Kustomize', sourceIndex: 1, git: { repoUrl: kustSrc().repoURL } });
  });

  it('argocd ignores write-back-target (it is read for git only)', () => {
    const a = app({ sources: [helmSrc(), kustSrc()] }, { sourceTypes: ['Helm', 'Kustomize'] });
    expect(planWriteBack(a, ref, ev('Helm'), { method: 'argocd', target: 'kustomization' })).toMatchObject({
      sourceType: 'Helm',
      sourceIndex: 0,
    });
  });
});
