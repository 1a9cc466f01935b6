import { describe, expect, it } from 'vitest';
import { parseImageUpdater } from './parse.ts';
import { EXAMPLES, MINIMAL } from './test-fixtures.ts';

/** MINIMAL with `patch` applied to a deep copy (a function editing the copy). */
function variant(patch: (o: any) => void): unknown {
  const o = structuredClone(MINIMAL) as any;
  patch(o);
  return o;
}

const errors = (raw: unknown) =>
  parseImageUpdater(raw)
    .problems.filter((p) => p.severity === 'error')
    .map((p) => p.message);
const warnings = (raw: unknown) =>
  parseImageUpdater(raw)
    .problems.filter((p) => p.severity === 'warning')
    .map((p) => p.message);

describe('parseImageUpdater: valid objects', () => {
  it.each(Object.entries(EXAMPLES))('%s parses without problems', (_name, raw) => {
    const r = parseImageUpdater(raw);
    expect(r.problems).toEqual([]);
    expect(r.updater?.metadata).toMatchObject({ namespace: raw.metadata.namespace, name: raw.metadata.name });
  });

  it('keeps unset fields unset (no defaults, so inheritance works) and drops other metadata', () => {
    const r = parseImageUpdater(EXAMPLES.FLEET);
    expect(r.updater?.metadata).toEqual({ namespace: 'argocd', name: 'fleet', generation: 3, uid: 'u-1' });
    const ref = r.updater!.spec.applicationRefs[0]!;
    expect(ref.commonUpdateSettings).toEqual({ ignoreTags: ['latest'] });
    expect(ref.useAnnotations).toBeUndefined();
    expect(ref.images?.[0]?.commonUpdateSettings).toBeUndefined();
  });

  it('treats null fields as absent, as the API server does for non-nullable fields', () => {
    const r = parseImageUpdater(
      variant((o) => {
        o.spec.commonUpdateSettings = null;
        o.spec.applicationRefs[0].labelSelectors = null;
      }),
    );
    expect(r.problems).toEqual([]);
    expect(r.updater?.spec.commonUpdateSettings).toBeUndefined();
  });

  it('reads a previous status; an unreadable one is ignored with a warning', () => {
    const status = {
      observedGeneration: 2,
      lastCheckedAt: '2026-01-01T00:00:00Z',
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'ReconcileSucceeded',
          message: 'ok',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
    };
    expect(parseImageUpdater({ ...MINIMAL, status }).updater?.status).toEqual(status);
    const bad = parseImageUpdater({ ...MINIMAL, status: { conditions: [{ type: 'Ready', status: 'Maybe' }] } });
    expect(bad.updater?.status).toBeUndefined();
    expect(bad.problems).toEqual([
      expect.objectContaining({ severity: 'warning', path: 'status.conditions[0].status' }),
    ]);
  });
});

describe('parseImageUpdater: invalid objects name the field and fail the CR', () => {
  it.each<[string, (o: any) => void, string]>([
    [
      'bad alias',
      (o) => {
        o.spec.applicationRefs[0].images[0].alias = '-web';
      },
      'spec.applicationRefs[0].images[0].alias: must match ^[a-zA-Z0-9][a-zA-Z0-9-._]*$',
    ],
    [
      'alias in a later ref',
      (o) => {
        o.spec.applicationRefs.push({ namePattern: 'b', images: [{ alias: 'a/b', imageName: 'x' }] });
      },
      'spec.applicationRefs[1].images[0].alias: must match ^[a-zA-Z0-9][a-zA-Z0-9-._]*$',
    ],
    [
      'missing alias',
      (o) => {
        delete o.spec.applicationRefs[0].images[0].alias;
      },
      'spec.applicationRefs[0].images[0].alias: is required',
    ],
    [
      'missing imageName',
      (o) => {
        delete o.spec.applicationRefs[0].images[0].imageName;
      },
      'spec.applicationRefs[0].images[0].imageName: is required',
    ],
    [
      'empty imageName',
      (o) => {
        o.spec.applicationRefs[0].images[0].imageName = '';
      },
      'spec.applicationRefs[0].images[0].imageName: must not be empty',
    ],
    [
      'invalid namePattern',
      (o) => {
        o.spec.applicationRefs[0].namePattern = 'my-app-[';
      },
      'spec.applicationRefs[0].namePattern: malformed glob "my-app-[" (an invalid namePattern fails the whole ImageUpdater)',
    ],
    [
      'missing namePattern',
      (o) => {
        delete o.spec.applicationRefs[0].namePattern;
      },
      'spec.applicationRefs[0].namePattern: is required',
    ],
    [
      'duplicate namePattern',
      (o) => {
        o.spec.applicationRefs.push({ namePattern: 'api', images: [{ alias: 'b', imageName: 'x' }] });
      },
      'spec.applicationRefs[1].namePattern: duplicate namePattern "api" (applicationRefs are keyed by namePattern)',
    ],
    [
      'duplicate alias',
      (o) => {
        o.spec.applicationRefs[0].images.push({ alias: 'api', imageName: 'x' });
      },
      'spec.applicationRefs[0].images[1].alias: duplicate alias "api" (images are keyed by alias)',
    ],
    [
      'no applicationRefs',
      (o) => {
        o.spec.applicationRefs = [];
      },
      'spec.applicationRefs: must have at least 1 item',
    ],
    [
      'images missing without useAnnotations',
      (o) => {
        delete o.spec.applicationRefs[0].images;
      },
      'spec.applicationRefs[0].images: is required (at least one image) unless useAnnotations is true',
    ],
    [
      'bad method',
      (o) => {
        o.spec.writeBackConfig = { method: 'helm' };
      },
      'spec.writeBackConfig.method: must match ^(argocd|git|git:[a-zA-Z0-9][a-zA-Z0-9-._/:]*)$',
    ],
    [
      'two PR providers',
      (o) => {
        o.spec.writeBackConfig = { method: 'git', gitConfig: { pullRequest: { github: {}, gitlab: {} } } };
      },
      'spec.writeBackConfig.gitConfig.pullRequest: exactly one of github, gitlab must be set (got github, gitlab)',
    ],
    [
      'no PR provider',
      (o) => {
        o.spec.applicationRefs[0].writeBackConfig = { gitConfig: { pullRequest: { labels: ['x'] } } };
      },
      'spec.applicationRefs[0].writeBackConfig.gitConfig.pullRequest: exactly one of github, gitlab must be set',
    ],
    [
      'PR label too long',
      (o) => {
        o.spec.writeBackConfig = { gitConfig: { pullRequest: { github: {}, labels: ['x'.repeat(256)] } } };
      },
      'spec.writeBackConfig.gitConfig.pullRequest.labels[0]: must be 1..255 characters',
    ],
    [
      'too many PR labels',
      (o) => {
        o.spec.writeBackConfig = {
          gitConfig: { pullRequest: { github: {}, labels: Array.from({ length: 101 }, (_, i) => `l${i}`) } },
        };
      },
      'spec.writeBackConfig.gitConfig.pullRequest.labels: must have at most 100 items',
    ],
    [
      'two manifest targets',
      (o) => {
        o.spec.applicationRefs[0].images[0].manifestTargets = { helm: {}, kustomize: { name: 'x' } };
      },
      'spec.applicationRefs[0].images[0].manifestTargets: exactly one of helm, kustomize, plugin must be set (got helm, kustomize)',
    ],
    [
      'empty manifest targets',
      (o) => {
        o.spec.applicationRefs[0].images[0].manifestTargets = {};
      },
      'spec.applicationRefs[0].images[0].manifestTargets: exactly one of helm, kustomize, plugin must be set',
    ],
    [
      'kustomize without name',
      (o) => {
        o.spec.applicationRefs[0].images[0].manifestTargets = { kustomize: {} };
      },
      'spec.applicationRefs[0].images[0].manifestTargets.kustomize.name: is required',
    ],
    [
      'plugin with only tag',
      (o) => {
        o.spec.applicationRefs[0].images[0].manifestTargets = { plugin: { tag: 'T' } };
      },
      'spec.applicationRefs[0].images[0].manifestTargets.plugin: at least one of spec or name must be set',
    ],
    [
      'plugin env too long',
      (o) => {
        o.spec.applicationRefs[0].images[0].manifestTargets = { plugin: { spec: 'X'.repeat(254) } };
      },
      'spec.applicationRefs[0].images[0].manifestTargets.plugin.spec: must be 1..253 characters',
    ],
    [
      'forceUpdate as a string',
      (o) => {
        o.spec.commonUpdateSettings = { forceUpdate: 'yes' };
      },
      'spec.commonUpdateSettings.forceUpdate: expected boolean, got string',
    ],
    [
      'ignoreTags as a string',
      (o) => {
        o.spec.applicationRefs[0].images[0].commonUpdateSettings = { ignoreTags: 'a,b' };
      },
      'spec.applicationRefs[0].images[0].commonUpdateSettings.ignoreTags: expected array, got string',
    ],
    [
      'cosignKey without key',
      (o) => {
        o.spec.imagesVerification = { cosignKey: { secretName: 's' } };
      },
      'spec.imagesVerification.cosignKey.key: is required',
    ],
    [
      'removed spec.namespace',
      (o) => {
        o.spec.namespace = 'argocd';
      },
      "spec.namespace: was removed in v1.2: Applications are selected in the ImageUpdater's own namespace (metadata.namespace); delete this field",
    ],
    [
      'missing metadata.namespace',
      (o) => {
        delete o.metadata.namespace;
      },
      'metadata.namespace: is required',
    ],
    [
      'wrong kind',
      (o) => {
        o.kind = 'Application';
      },
      'kind: must be ImageUpdater',
    ],
    [
      'wrong apiVersion',
      (o) => {
        o.apiVersion = 'argocd-image-updater.argoproj.io/v1';
      },
      'apiVersion: must be argocd-image-updater.argoproj.io/v1alpha1',
    ],
    [
      'no spec',
      (o) => {
        delete o.spec;
      },
      'spec: is required',
    ],
  ])('%s', (_name, patch, message) => {
    const raw = variant(patch);
    const r = parseImageUpdater(raw);
    expect(r.updater).toBeNull();
    expect(errors(raw)).toContain(message);
  });

  it.each([
    ['null', null],
    ['a string', 'text'],
    ['a number', 42],
    ['an array', []],
    ['undefined', undefined],
  ])('never throws on %s', (_name, raw) => {
    const r = parseImageUpdater(raw);
    expect(r.updater).toBeNull();
    expect(r.problems[0]?.severity).toBe('error');
  });

  it('reports every problem at once', () => {
    const raw = variant((o) => {
      o.spec.applicationRefs[0].images[0].alias = '';
      o.spec.writeBackConfig = { method: 'svn' };
    });
    expect(errors(raw)).toHaveLength(2);
  });
});

describe('parseImageUpdater: warnings keep the CR usable', () => {
  it.each<[string, (o: any) => void, string]>([
    [
      'unknown field',
      (o) => {
        o.spec.applicationRefs[0].images[0].commonUpdateSettings = { updatestrategy: 'digest' };
      },
      'spec.applicationRefs[0].images[0].commonUpdateSettings.updatestrategy: unknown field (ignored)',
    ],
    [
      'unknown top-level spec field',
      (o) => {
        o.spec.interval = '2m';
      },
      'spec.interval: unknown field (ignored)',
    ],
    [
      'unknown operator',
      (o) => {
        o.spec.applicationRefs[0].labelSelectors = {
          matchExpressions: [{ key: 'env', operator: 'Equals', values: ['x'] }],
        };
      },
      'spec.applicationRefs[0].labelSelectors.matchExpressions[0].operator: "Equals" is not a valid label selector operator (In, NotIn, Exists, DoesNotExist); this applicationRef matches no application',
    ],
    [
      'In without values',
      (o) => {
        o.spec.applicationRefs[0].labelSelectors = { matchExpressions: [{ key: 'env', operator: 'In' }] };
      },
      'spec.applicationRefs[0].labelSelectors.matchExpressions[0].values: must be non-empty for operator In; this applicationRef matches no application',
    ],
    [
      'invalid label value',
      (o) => {
        o.spec.applicationRefs[0].labelSelectors = { matchLabels: { env: 'not valid' } };
      },
      "spec.applicationRefs[0].labelSelectors.matchLabels.env: \"not valid\" is not a valid label value: at most 63 characters, alphanumeric, '-', '_' or '.', starting and ending alphanumeric; this applicationRef matches no application",
    ],
    [
      'CR settings next to useAnnotations',
      (o) => {
        o.spec.applicationRefs[0].useAnnotations = true;
      },
      "spec.applicationRefs[0].images: ignored: useAnnotations is true, so the Application's annotations are read instead",
    ],
  ])('%s', (_name, patch, message) => {
    const raw = variant(patch);
    expect(parseImageUpdater(raw).updater).not.toBeNull();
    expect(errors(raw)).toEqual([]);
    expect(warnings(raw)).toContain(message);
  });

  it('drops unknown fields from the typed result', () => {
    const r = parseImageUpdater(
      variant((o) => {
        o.spec.commonUpdateSettings = { updateStrategy: 'digest', typo: 1 };
      }),
    );
    expect(r.updater?.spec.commonUpdateSettings).toEqual({ updateStrategy: 'digest' });
  });

  it('reports unknown fields and errors together, and fails on the errors', () => {
    const raw = variant((o) => {
      o.spec.typo = 1;
      o.spec.applicationRefs[0].images[0].alias = '_';
    });
    expect(parseImageUpdater(raw).updater).toBeNull();
    expect(warnings(raw)).toEqual(['spec.typo: unknown field (ignored)']);
    expect(errors(raw)).toHaveLength(1);
  });
});
