import { describe, expect, it } from 'vitest';
import type { ImageSettings } from '../annotations/image-settings.ts';
import { app, cr, FLEET, oneRef, select } from './test-fixtures.ts';

const L = 'ImageUpdater argocd/u';

/** Settings of the single image of a one-ref CR with the given global / ref / image settings. */
function settingsOf(global?: object, ref?: object, image?: object): ImageSettings {
  const u = oneRef(
    {
      namePattern: 'web',
      ...(ref ? { commonUpdateSettings: ref } : {}),
      images: [{ alias: 'img', imageName: 'nginx:1.x', ...(image ? { commonUpdateSettings: image } : {}) }],
    },
    { spec: global ? { commonUpdateSettings: global } : {} },
  );
  const s = select([u], app('web'))!;
  expect(s.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return s.images[0]!.settings;
}

describe('commonUpdateSettings: global → applicationRef → image, field by field', () => {
  it.each<[string, object | undefined, object | undefined, object | undefined, Partial<ImageSettings>]>([
    [
      'built-in defaults',
      undefined,
      undefined,
      undefined,
      { strategy: 'semver', forceUpdate: false, ignoreTags: [], platforms: [] },
    ],
    ['global only', { updateStrategy: 'alphabetical' }, undefined, undefined, { strategy: 'alphabetical' }],
    [
      'global strategy overridden at the image',
      { updateStrategy: 'alphabetical' },
      undefined,
      { updateStrategy: 'digest' },
      { strategy: 'digest' },
    ],
    [
      'global strategy overridden at the ref',
      { updateStrategy: 'alphabetical' },
      { updateStrategy: 'newest-build' },
      undefined,
      { strategy: 'newest-build' },
    ],
    [
      'image beats ref beats global',
      { updateStrategy: 'alphabetical' },
      { updateStrategy: 'newest-build' },
      { updateStrategy: 'semver' },
      { strategy: 'semver' },
    ],
    [
      'an image block with only allowTags keeps the inherited strategy',
      { updateStrategy: 'alphabetical' },
      undefined,
      { allowTags: 'regexp:^v' },
      { strategy: 'alphabetical', allowTags: 'regexp:^v' },
    ],
    [
      'fields merge one by one',
      { updateStrategy: 'alphabetical', forceUpdate: true },
      { allowTags: 'regexp:^1' },
      { pullSecret: 'env:CREDS' },
      { strategy: 'alphabetical', forceUpdate: true, allowTags: 'regexp:^1', pullSecret: 'env:CREDS' },
    ],
    [
      'forceUpdate false overrides true',
      { forceUpdate: true },
      undefined,
      { forceUpdate: false },
      { forceUpdate: false },
    ],
    [
      'ignoreTags replaced, not merged',
      { ignoreTags: ['a', 'b'] },
      { ignoreTags: ['c'] },
      undefined,
      { ignoreTags: ['c'] },
    ],
    ['ignoreTags replaced by an empty list', { ignoreTags: ['a'] }, undefined, { ignoreTags: [] }, { ignoreTags: [] }],
    [
      'ignoreTags keep commas inside a glob',
      undefined,
      undefined,
      { ignoreTags: ['[,]x', '*-rc'] },
      { ignoreTags: ['[,]x', '*-rc'] },
    ],
    [
      'platforms replaced',
      { updateStrategy: 'newest-build', platforms: ['linux/amd64', 'linux/arm64'] },
      undefined,
      { platforms: ['linux/arm/v7'] },
      { platforms: ['linux/arm/v7'] },
    ],
    [
      'strategy spelling is case-insensitive',
      { updateStrategy: 'Newest-Build' },
      undefined,
      undefined,
      { strategy: 'newest-build' },
    ],
  ])('%s', (_name, global, ref, image, expected) => {
    expect(settingsOf(global, ref, image)).toMatchObject(expected);
  });
});

describe('blank values count as unset, as for annotations', () => {
  it('allowTags "" at the image resets an inherited filter to every tag', () => {
    expect(settingsOf({ allowTags: 'regexp:^v' }, undefined, { allowTags: '' }).allowTags).toBeUndefined();
  });
  it('no pull secret and no allowTags by default', () => {
    const s = settingsOf();
    expect([s.allowTags, s.pullSecret]).toEqual([undefined, undefined]);
  });
});

describe('manifestTargets', () => {
  it.each<[string, object | undefined, Partial<ImageSettings>]>([
    ['none', undefined, { helm: {}, kustomize: {} }],
    [
      'helm name/tag',
      { helm: { name: 'image.repository', tag: 'image.version' } },
      { helm: { imageName: 'image.repository', imageTag: 'image.version' }, kustomize: {} },
    ],
    ['helm spec', { helm: { spec: 'image.full' } }, { helm: { imageSpec: 'image.full' } }],
    [
      'kustomize',
      { kustomize: { name: 'docker.io/library/nginx' } },
      { helm: {}, kustomize: { imageName: 'docker.io/library/nginx' } },
    ],
    [
      'plugin',
      { plugin: { name: 'IMAGE_NAME', tag: 'IMAGE_TAG' } },
      { helm: {}, kustomize: {}, plugin: { imageName: 'IMAGE_NAME', imageTag: 'IMAGE_TAG' } },
    ],
    ['plugin spec', { plugin: { spec: 'IMAGE' } }, { plugin: { imageSpec: 'IMAGE' } }],
  ])('%s', (_name, manifestTargets, expected) => {
    const u = oneRef({
      namePattern: 'web',
      images: [{ alias: 'img', imageName: 'nginx', ...(manifestTargets ? { manifestTargets } : {}) }],
    });
    const settings = select([u], app('web'))!.images[0]!.settings;
    expect(settings).toMatchObject(expected);
    if (!manifestTargets || !('plugin' in manifestTargets)) expect(settings.plugin).toBeUndefined();
  });

  it('warns (as for annotations) when helm.spec makes name/tag ignored', () => {
    const u = oneRef({
      namePattern: 'web',
      images: [{ alias: 'img', imageName: 'nginx', manifestTargets: { helm: { name: 'n', spec: 's' } } }],
    });
    expect(select([u], app('web'))!.problems).toEqual([
      expect.objectContaining({
        severity: 'warning',
        annotation: `${L} spec.applicationRefs[0].images[0].manifestTargets.helm.spec`,
        message: `${L} spec.applicationRefs[0].images[0].manifestTargets.helm.spec="s": helm.image-spec is set, so helm.image-name and helm.image-tag are ignored`,
      }),
    ]);
  });
});

describe('ImageSpec built like an image-list entry', () => {
  it.each([
    ['nginx', { registry: '', name: 'nginx', tag: null }, ''],
    ['ghcr.io/org/web:~1.2', { registry: 'ghcr.io', name: 'org/web', tag: '~1.2' }, '~1.2'],
    [
      'registry.example.com/app:>=1.0, <2.0',
      { registry: 'registry.example.com', name: 'app', tag: '>=1.0, <2.0' },
      '>=1.0, <2.0',
    ],
    [' nginx:1.x ', { name: 'nginx', tag: '1.x' }, '1.x'],
  ])('%s', (imageName, ref, constraint) => {
    const u = oneRef({ namePattern: 'web', images: [{ alias: 'web', imageName }] });
    const spec = select([u], app('web'))!.images[0]!;
    expect(spec).toMatchObject({
      alias: 'web',
      ref: { alias: 'web', ...ref },
      constraint,
      imageName: imageName.trim(),
      original: `web=${imageName.trim()}`,
    });
  });
});

describe('problems name the CR field the value came from, and read like the annotation ones', () => {
  const images = [
    { alias: 'ok', imageName: 'nginx' },
    { alias: 'bad', imageName: 'nginx', commonUpdateSettings: { allowTags: 'v2.*' } },
  ];
  const fleet = cr({
    metadata: { namespace: 'argocd', name: 'fleet' },
    spec: { applicationRefs: [{ namePattern: 'web', images }] },
  });

  it('an invalid allowTags drops only that image, with an error naming the field', () => {
    const s = select([fleet], app('web'))!;
    expect(s.images.map((i) => i.alias)).toEqual(['ok']);
    expect(s.problems).toEqual([
      {
        annotation: 'ImageUpdater argocd/fleet spec.applicationRefs[0].images[1].commonUpdateSettings.allowTags',
        value: 'v2.*',
        alias: 'bad',
        severity: 'error',
        message:
          'ImageUpdater argocd/fleet spec.applicationRefs[0].images[1].commonUpdateSettings.allowTags="v2.*": expected "regexp:<expression>" or "any"',
      },
    ]);
  });

  it.each<[string, object | undefined, object, 'error' | 'warning', string, RegExp]>([
    [
      'inherited invalid regexp names the global field',
      { allowTags: 'regexp:(' },
      {},
      'error',
      'spec.commonUpdateSettings.allowTags',
      /not a valid RE2 regular expression/,
    ],
    [
      'deprecated strategy latest',
      undefined,
      { commonUpdateSettings: { updateStrategy: 'latest' } },
      'warning',
      'spec.applicationRefs[0].images[0].commonUpdateSettings.updateStrategy',
      /"latest" is deprecated, use "newest-build"/,
    ],
    [
      'deprecated strategy name',
      { updateStrategy: 'name' },
      {},
      'warning',
      'spec.commonUpdateSettings.updateStrategy',
      /"name" is deprecated, use "alphabetical"/,
    ],
    [
      'unknown strategy',
      undefined,
      { commonUpdateSettings: { updateStrategy: 'newest' } },
      'warning',
      'spec.applicationRefs[0].images[0].commonUpdateSettings.updateStrategy',
      /unknown update strategy "newest" -- using semver/,
    ],
    [
      'malformed ignoreTags glob',
      undefined,
      { commonUpdateSettings: { ignoreTags: ['ok', 'bad['] } },
      'error',
      'spec.applicationRefs[0].images[0].commonUpdateSettings.ignoreTags',
      /malformed glob/,
    ],
    [
      'bad platform where used',
      { updateStrategy: 'newest-build' },
      { commonUpdateSettings: { platforms: ['linux'] } },
      'error',
      'spec.applicationRefs[0].images[0].commonUpdateSettings.platforms',
      /expected os\/arch/,
    ],
    [
      'bad platform where unused',
      undefined,
      { commonUpdateSettings: { platforms: ['linux'] } },
      'warning',
      'spec.applicationRefs[0].images[0].commonUpdateSettings.platforms',
      /ignored: strategy semver does not read manifests/,
    ],
    [
      'unparsable pull secret',
      { pullSecret: 'registry-secret' },
      {},
      'warning',
      'spec.commonUpdateSettings.pullSecret',
      /invalid credential spec: registry-secret.*; using the registry credentials instead/,
    ],
    [
      'pull secret in another namespace',
      undefined,
      { commonUpdateSettings: { pullSecret: 'pullsecret:other/creds' } },
      'error',
      'spec.applicationRefs[0].images[0].commonUpdateSettings.pullSecret',
      /must be in the Application's namespace "argocd", not "other"/,
    ],
    [
      'invalid semver constraint',
      undefined,
      { imageName: 'nginx:latest' },
      'error',
      'spec.applicationRefs[0].images[0].imageName',
      /"latest" is not a semver constraint/,
    ],
    [
      'digest without a tag',
      undefined,
      { commonUpdateSettings: { updateStrategy: 'digest' } },
      'error',
      'spec.applicationRefs[0].images[0].imageName',
      /update strategy digest needs the tag to follow in imageName \(e\.g\. nginx:latest\)/,
    ],
    [
      'invalid image reference',
      undefined,
      { imageName: 'Bad Image' },
      'error',
      'spec.applicationRefs[0].images[0].imageName',
      /not a valid image reference/,
    ],
    [
      'verification without a key',
      {},
      { imagesVerification: { enabled: true } },
      'error',
      'spec.applicationRefs[0].images[0].imagesVerification.cosignKey',
      /is required when image verification is enabled/,
    ],
  ])('%s', (_name, global, image, severity, path, detail) => {
    const u = oneRef(
      { namePattern: 'web', images: [{ alias: 'img', imageName: 'nginx', ...image }] },
      { spec: global ? { commonUpdateSettings: global } : {} },
    );
    const s = select([u], app('web'))!;
    const p = s.problems.find((x) => x.annotation === `${L} ${path}`);
    expect(p, JSON.stringify(s.problems)).toMatchObject({ severity, alias: 'img' });
    expect(p!.message.startsWith(`${L} ${path}=`)).toBe(true);
    expect(p!.message).toMatch(detail);
    expect(s.images).toHaveLength(severity === 'error' ? 0 : 1);
  });

  it('a pull secret in the app namespace is kept', () => {
    const u = oneRef({ namePattern: 'web', commonUpdateSettings: { pullSecret: 'secret:argocd/creds#auth' } });
    expect(select([u], app('web'))!.images[0]!.settings.pullSecret).toBe('secret:argocd/creds#auth');
  });
});

describe('writeBackConfig: global deep-copied, then the ref overrides', () => {
  const global = {
    method: 'git',
    gitConfig: {
      repository: 'https://git/r.git',
      branch: 'main',
      writeBackTarget: 'kustomization',
      pullRequest: { github: {}, labels: ['a'] },
    },
  };
  it.each<[string, object | undefined, object | undefined, object | null, object | undefined]>([
    ['default is argocd', undefined, undefined, { method: 'argocd' }, undefined],
    [
      'global only',
      global,
      undefined,
      {
        method: 'git',
        credentials: { kind: 'repocreds' },
        gitRepository: 'https://git/r.git',
        gitBranch: { base: 'main' },
        target: 'kustomization',
      },
      { provider: 'github', labels: ['a'] },
    ],
    [
      'ref overrides the branch only',
      global,
      { gitConfig: { branch: 'main:up/{{.AppName}}' } },
      {
        method: 'git',
        credentials: { kind: 'repocreds' },
        gitRepository: 'https://git/r.git',
        gitBranch: { base: 'main', write: 'up/{{.AppName}}' },
        target: 'kustomization',
      },
      { provider: 'github', labels: ['a'] },
    ],
    [
      'ref pullRequest replaces the global one whole',
      global,
      { gitConfig: { pullRequest: { gitlab: {} } } },
      expect.objectContaining({ method: 'git' }),
      { provider: 'gitlab', labels: [] },
    ],
    ['ref method argocd', { method: 'git' }, { method: 'argocd' }, { method: 'argocd' }, undefined],
    [
      'git:repocreds',
      undefined,
      { method: 'git:repocreds' },
      { method: 'git', credentials: { kind: 'repocreds' } },
      undefined,
    ],
    [
      'git:secret:<name> is in the CR namespace',
      undefined,
      { method: 'git:secret:creds' },
      { method: 'git', credentials: { kind: 'secret', namespace: 'argocd', name: 'creds' } },
      undefined,
    ],
    [
      'git:secret:<ns>/<name> in the CR namespace',
      { method: 'git:secret:argocd/creds' },
      undefined,
      { method: 'git', credentials: { kind: 'secret', namespace: 'argocd', name: 'creds' } },
      undefined,
    ],
    ['git:secret in another namespace is rejected', undefined, { method: 'git:secret:other/creds' }, null, undefined],
    ['unknown credentials are rejected', undefined, { method: 'git:token' }, null, undefined],
    [
      'a branch with two colons is rejected',
      undefined,
      { method: 'git', gitConfig: { branch: 'a:b:c' } },
      null,
      undefined,
    ],
  ])('%s', (_name, g, ref, config, pullRequest) => {
    const u = oneRef(
      { namePattern: 'web', ...(ref ? { writeBackConfig: ref } : {}) },
      { spec: g ? { writeBackConfig: g } : {} },
    );
    const wb = select([u], app('web'))!.writeBack;
    expect(wb.config).toEqual(config);
    expect(wb.pullRequest).toEqual(pullRequest);
  });

  it('does not share objects with the CR (deep copy)', () => {
    const u = oneRef({ namePattern: 'web' }, { spec: { writeBackConfig: global } });
    const wb = select([u], app('web'))!.writeBack;
    wb.pullRequest!.labels.push('mutated');
    expect(u.spec.writeBackConfig?.gitConfig?.pullRequest?.labels).toEqual(['a']);
  });

  it.each<[string, object, string, RegExp]>([
    [
      'foreign secret',
      { method: 'git:secret:other/creds' },
      'spec.applicationRefs[0].writeBackConfig.method',
      /must be in namespace "argocd".*not "other"/,
    ],
    [
      'bad credentials',
      { method: 'git:token' },
      'spec.applicationRefs[0].writeBackConfig.method',
      /unexpected credentials "token"/,
    ],
    [
      'bad branch',
      { method: 'git', gitConfig: { branch: 'a:b:c' } },
      'spec.applicationRefs[0].writeBackConfig.gitConfig.branch',
      /at most one ":"/,
    ],
  ])('an invalid write-back config names the field: %s', (_name, ref, path, detail) => {
    const wb = select([oneRef({ namePattern: 'web', writeBackConfig: ref })], app('web'))!.writeBack;
    expect(wb.problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        annotation: `${L} ${path}`,
        message: expect.stringMatching(detail),
      }),
    ]);
  });

  it('warns that git settings and pull requests are ignored with the argocd method', () => {
    const u = oneRef(
      { namePattern: 'web', writeBackConfig: { method: 'argocd' } },
      { spec: { writeBackConfig: global } },
    );
    const wb = select([u], app('web'))!.writeBack;
    expect(wb.problems.map((p) => [p.severity, p.annotation])).toEqual([
      ['warning', `${L} spec.writeBackConfig.gitConfig.branch`],
      ['warning', `${L} spec.writeBackConfig.gitConfig.repository`],
      ['warning', `${L} spec.writeBackConfig.gitConfig.writeBackTarget`],
      ['warning', `${L} spec.writeBackConfig.gitConfig.pullRequest`],
    ]);
  });
});

describe('imagesVerification: merged global → ref → image, carried through', () => {
  it.each<[string, object | undefined, object | undefined, object | undefined, object | undefined]>([
    ['absent everywhere: no verification', undefined, undefined, undefined, undefined],
    [
      'present: enabled defaults to true',
      { cosignKey: { secretName: 's', key: 'k' } },
      undefined,
      undefined,
      { enabled: true, cosignKey: { secretName: 's', key: 'k' } },
    ],
    ['image disables', { cosignKey: { secretName: 's', key: 'k' } }, undefined, { enabled: false }, { enabled: false }],
    [
      'ref key replaces the global key',
      { cosignKey: { secretName: 's', key: 'k' } },
      { cosignKey: { secretName: 'r', key: 'rk' } },
      undefined,
      { enabled: true, cosignKey: { secretName: 'r', key: 'rk' } },
    ],
    [
      'global disabled, image enables with the inherited key',
      { enabled: false, cosignKey: { secretName: 's', key: 'k' } },
      undefined,
      { enabled: true },
      { enabled: true, cosignKey: { secretName: 's', key: 'k' } },
    ],
  ])('%s', (_name, g, ref, image, expected) => {
    const u = oneRef(
      {
        namePattern: 'web',
        ...(ref ? { imagesVerification: ref } : {}),
        images: [{ alias: 'img', imageName: 'nginx', ...(image ? { imagesVerification: image } : {}) }],
      },
      { spec: g ? { imagesVerification: g } : {} },
    );
    const s = select([u], app('web'))!;
    expect(s.imagesVerification['img']).toEqual(expected);
    expect(s.images).toHaveLength(1);
  });
});

describe('the FLEET example end to end', () => {
  it('resolves every image of web-dev', () => {
    const s = select([cr(FLEET)], app('web-dev'))!;
    expect(s.problems).toEqual([]);
    expect(
      s.images.map((i) => [
        i.alias,
        i.settings.strategy,
        i.settings.ignoreTags,
        i.settings.platforms,
        i.settings.allowTags,
      ]),
    ).toEqual([
      ['web', 'semver', ['latest'], ['linux/amd64'], 'regexp:^v?[0-9]'],
      ['sidecar', 'newest-build', ['latest'], ['linux/arm64'], 'regexp:^v?[0-9]'],
      ['cmp', 'digest', [], ['linux/amd64'], 'any'],
    ]);
    expect(s.writeBack.config).toEqual({
      method: 'git',
      credentials: { kind: 'secret', namespace: 'argocd', name: 'git-creds' },
      gitBranch: { base: 'main', write: 'image-updater/{{.AppName}}' },
      gitRepository: 'https://git.example.com/org/deploy.git',
      target: 'kustomization',
    });
    expect(s.writeBack.pullRequest).toEqual({ provider: 'gitlab', labels: [] });
  });
});
