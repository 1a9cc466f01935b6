import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { parseStrategy } from '../policy/strategy.ts';
import { A, app, cr, LEGACY, oneRef, select } from './test-fixtures.ts';

const legacyApp = (annotations: Record<string, string> | undefined) =>
  app('legacy-a', { labels: { 'managed-by': 'annotations' }, annotations });
const annotationsRef = (more: object = {}) =>
  oneRef({ namePattern: 'web', useAnnotations: true, images: undefined, ...more });

describe("useAnnotations: the app's annotations replace the CR settings", () => {
  it('reads images, per-image and app-wide keys and write-back keys', () => {
    const s = select(
      [cr(LEGACY)],
      legacyApp({
        [`${A}image-list`]: 'web=nginx:~1.26, api=ghcr.io/org/api',
        [`${A}api.update-strategy`]: 'newest-build',
        [`${A}allow-tags`]: 'regexp:^[0-9]',
        [`${A}write-back-method`]: 'git',
        [`${A}git-branch`]: 'main',
      }),
    )!;
    expect(s).toMatchObject({
      updater: { name: 'legacy' },
      ref: { index: 0, namePattern: 'legacy-*' },
      useAnnotations: true,
    });
    expect(s.images.map((i) => [i.alias, i.constraint, i.settings.strategy, i.settings.allowTags])).toEqual([
      ['web', '~1.26', 'semver', 'regexp:^[0-9]'],
      ['api', '', 'newest-build', 'regexp:^[0-9]'],
    ]);
    expect(s.writeBack.config).toEqual({
      method: 'git',
      credentials: { kind: 'repocreds' },
      gitBranch: { base: 'main' },
    });
    expect(s.problems).toEqual([]);
  });

  it("ignores the CR's commonUpdateSettings and writeBackConfig, global and ref", () => {
    const u = annotationsRef({
      commonUpdateSettings: { updateStrategy: 'digest' },
      writeBackConfig: { method: 'git' },
    });
    const withGlobal = oneRef(
      { namePattern: 'web', useAnnotations: true, images: undefined },
      { spec: { commonUpdateSettings: { updateStrategy: 'digest' }, writeBackConfig: { method: 'git' } } },
    );
    for (const updater of [u, withGlobal]) {
      const s = select([updater], app('web', { annotations: { [`${A}image-list`]: 'nginx' } }))!;
      expect(s.images[0]!.settings.strategy).toBe('semver');
      expect(s.writeBack.config).toEqual({ method: 'argocd' });
    }
  });

  it('carries imagesVerification from the CR for every annotated image', () => {
    const s = select([cr(LEGACY)], legacyApp({ [`${A}image-list`]: 'web=nginx, redis' }))!;
    expect(s.imagesVerification).toEqual({
      web: { enabled: true, cosignKey: { secretName: 'cosign', key: 'cosign.pub' } },
      '': { enabled: true, cosignKey: { secretName: 'cosign', key: 'cosign.pub' } },
    });
  });

  it.each<[string, Record<string, string>, object | null]>([
    [
      'git:secret:<name> is in the app namespace',
      { [`${A}write-back-method`]: 'git:secret:creds' },
      { method: 'git', credentials: { kind: 'secret', namespace: 'argocd', name: 'creds' } },
    ],
    ['git:secret in another namespace is rejected', { [`${A}write-back-method`]: 'git:secret:other/creds' }, null],
  ])('%s', (_name, annotations, config) => {
    const s = select([annotationsRef()], app('web', { annotations: { [`${A}image-list`]: 'nginx', ...annotations } }))!;
    expect(s.writeBack.config).toEqual(config);
  });

  it('rejects a pull secret outside the app namespace (the image is dropped)', () => {
    const s = select(
      [annotationsRef()],
      app('web', {
        annotations: { [`${A}image-list`]: 'a=nginx, b=redis', [`${A}b.pull-secret`]: 'pullsecret:kube-system/creds' },
      }),
    )!;
    expect(s.images.map((i) => i.alias)).toEqual(['a']);
    expect(s.problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        alias: 'b',
        annotation: `${A}b.pull-secret`,
        message: expect.stringMatching(/must be in the Application's namespace "argocd", not "kube-system"/),
      }),
    ]);
  });
});

interface SettingsVector {
  version: string;
  alias: string;
  annotations: Record<string, string>;
  expected: null | Partial<{
    updateStrategy: string;
    forceUpdate: boolean;
    allowTags: string;
    ignoreTags: string[];
    pullSecret: string;
    platforms: string[] | null;
  }>;
}

describe('useAnnotations settings (compat vectors annotation-settings, v1)', () => {
  const rows = vectors<SettingsVector>('annotation-settings').filter((v) => v.version === 'v1 useAnnotations');
  it.each(rows)('$id', (v) => {
    const entry = v.alias === '' ? 'nginx' : `${v.alias}=nginx`;
    const s = select([annotationsRef()], app('web', { annotations: { [`${A}image-list`]: entry, ...v.annotations } }))!;
    const e = v.expected;
    const allowTagsInvalid = e?.allowTags !== undefined && !/^(regexp:|any$)/i.test(e.allowTags);
    if (allowTagsInvalid) {
      // The anchor keeps the value and matches no tag; tagflow reports it and leaves the image out.
      expect(s.images).toEqual([]);
      expect(s.problems).toContainEqual(expect.objectContaining({ severity: 'error', value: e!.allowTags }));
      return;
    }
    const settings = s.images[0]!.settings;
    if (e === null)
      return expect(settings).toMatchObject({ strategy: 'semver', forceUpdate: false, ignoreTags: [], platforms: [] });
    if (e.updateStrategy !== undefined) expect(settings.strategy).toBe(parseStrategy(e.updateStrategy).strategy);
    if (e.forceUpdate !== undefined) expect(settings.forceUpdate).toBe(e.forceUpdate);
    if (e.allowTags !== undefined) expect(settings.allowTags).toBe(e.allowTags);
    if (e.ignoreTags !== undefined) expect(settings.ignoreTags).toEqual(e.ignoreTags);
    if (e.platforms !== undefined) expect(settings.platforms).toEqual(e.platforms ?? []);
  });
});

describe('useAnnotations: a parse error falls through to the next matching ref', () => {
  it.each<[string, Record<string, string> | undefined, RegExp]>([
    ['no image-list', undefined, /image-list annotation not found/],
    ['blank image-list', { [`${A}image-list`]: ' ' }, /image-list annotation is empty/],
    ['empty image name', { [`${A}image-list`]: 'web=' }, /empty image name/],
    [
      'only image unusable',
      { [`${A}image-list`]: 'web=nginx', [`${A}web.allow-tags`]: 'v2.*' },
      /expected "regexp:<expression>" or "any"/,
    ],
    [
      'invalid write-back method',
      { [`${A}image-list`]: 'web=nginx', [`${A}write-back-method`]: 'svn' },
      /invalid write-back method "svn"/,
    ],
  ])('%s', (_name, annotations, cause) => {
    const s = select([cr(LEGACY)], legacyApp(annotations))!;
    expect(s).toMatchObject({ useAnnotations: false, ref: { index: 1, namePattern: 'legacy*' } });
    expect(s.images.map((i) => i.ref.name)).toEqual(['legacy/app']);
    // What went wrong is reported, as warnings: the anchor logs it and moves on.
    expect(s.problems.every((p) => p.severity === 'warning')).toBe(true);
    expect(s.problems.some((p) => cause.test(p.message))).toBe(true);
    expect(s.problems.at(-1)).toMatchObject({
      annotation: 'ImageUpdater argocd/legacy spec.applicationRefs[0]',
      message: expect.stringMatching(
        /Application argocd\/legacy-a cannot use this applicationRef \(.+\); trying the next matching applicationRef$/,
      ),
    });
    expect(s.writeBack.problems).toEqual([]);
  });

  it('does not fall through while at least one annotated image is usable', () => {
    const s = select(
      [cr(LEGACY)],
      legacyApp({ [`${A}image-list`]: 'a=nginx, b=redis', [`${A}b.allow-tags`]: 'v2.*' }),
    )!;
    expect(s.useAnnotations).toBe(true);
    expect(s.images.map((i) => i.alias)).toEqual(['a']);
    expect(s.problems).toEqual([expect.objectContaining({ severity: 'error', alias: 'b' })]);
  });

  it.each<[string, Record<string, string>, object]>([
    ['a pull secret in another namespace', { [`${A}web.pull-secret`]: 'pullsecret:other/x' }, {}],
    ['verification enabled without a key', {}, { imagesVerification: { enabled: true } }],
  ])('does not fall through on CR-side image checks: %s', (_name, annotations, ref) => {
    const u = cr({
      metadata: { namespace: 'argocd', name: 'u' },
      spec: {
        applicationRefs: [
          { namePattern: 'web', useAnnotations: true, ...ref },
          { namePattern: 'w*', images: [{ alias: 'y', imageName: 'redis' }] },
        ],
      },
    });
    const s = select([u], app('web', { annotations: { [`${A}image-list`]: 'web=nginx', ...annotations } }))!;
    expect(s).toMatchObject({ useAnnotations: true, ref: { index: 0 }, images: [] });
    expect(s.problems).toEqual([expect.objectContaining({ severity: 'error', alias: 'web' })]);
  });

  it('with no other matching ref the app is not processed and the errors stay errors', () => {
    const s = select([annotationsRef()], app('web'))!;
    expect(s.useAnnotations).toBe(true);
    expect(s.images).toEqual([]);
    expect(s.problems.map((p) => p.severity)).toEqual(['error', 'warning']);
    expect(s.problems[1]!.message).toMatch(/no other applicationRef matches, so the application is not processed$/);
  });

  it("when every candidate fails, the most specific one is returned with the others' problems as warnings", () => {
    const u = cr({
      metadata: { namespace: 'argocd', name: 'u' },
      spec: {
        applicationRefs: [
          { namePattern: 'web', useAnnotations: true },
          {
            namePattern: 'w*',
            images: [{ alias: 'x', imageName: 'nginx' }],
            writeBackConfig: { method: 'git:secret:other/x' },
          },
        ],
      },
    });
    const s = select([u], app('web'))!;
    expect(s.ref.index).toBe(0);
    expect(s.images).toEqual([]);
    expect(s.problems.map((p) => [p.severity, p.annotation])).toEqual([
      ['error', `${A}image-list`],
      ['warning', 'ImageUpdater argocd/u spec.applicationRefs[0]'],
      ['warning', 'ImageUpdater argocd/u spec.applicationRefs[1].writeBackConfig.method'],
      ['warning', 'ImageUpdater argocd/u spec.applicationRefs[1]'],
    ]);
  });

  it('an invalid write-back config on the CR path falls through too', () => {
    const u = cr({
      metadata: { namespace: 'argocd', name: 'u' },
      spec: {
        applicationRefs: [
          {
            namePattern: 'web',
            images: [{ alias: 'x', imageName: 'nginx' }],
            writeBackConfig: { method: 'git', gitConfig: { branch: 'a:b:c' } },
          },
          { namePattern: 'w*', images: [{ alias: 'y', imageName: 'redis' }] },
        ],
      },
    });
    const s = select([u], app('web'))!;
    expect(s.ref.index).toBe(1);
    expect(s.images.map((i) => i.alias)).toEqual(['y']);
  });

  it('a CR-path image error does not fall through (the anchor reports it at update time)', () => {
    const u = cr({
      metadata: { namespace: 'argocd', name: 'u' },
      spec: {
        applicationRefs: [
          { namePattern: 'web', images: [{ alias: 'x', imageName: 'nginx:latest' }] },
          { namePattern: 'w*', images: [{ alias: 'y', imageName: 'redis' }] },
        ],
      },
    });
    const s = select([u], app('web'))!;
    expect(s.ref.index).toBe(0);
    expect(s.images).toEqual([]);
    expect(s.problems).toEqual([expect.objectContaining({ severity: 'error', alias: 'x' })]);
  });

  it('falls through across ImageUpdaters in selection order', () => {
    const a = oneRef({ namePattern: 'web', useAnnotations: true, images: undefined }, { name: 'a' });
    const b = oneRef({ namePattern: 'we*' }, { name: 'b' });
    const s = select([a, b], app('web'))!;
    expect(s.updater.name).toBe('b');
    expect(s.problems.at(-1)).toMatchObject({
      annotation: 'ImageUpdater argocd/a spec.applicationRefs[0].namePattern',
      message: expect.stringMatching(/also selected by ImageUpdater argocd\/b/),
    });
  });
});
