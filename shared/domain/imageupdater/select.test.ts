import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { parseImageUpdater } from './parse.ts';
import { compileSelection } from './select.ts';
import { selectionSignature } from './signature.ts';
import { app, cr, FLEET, LEGACY, MINIMAL, oneRef, select } from './test-fixtures.ts';

interface NamePatternVector {
  appName: string;
  pattern: string;
  expected: boolean;
  expectedError: boolean;
}

describe('namePattern (compat vectors app-name-pattern)', () => {
  it.each(vectors<NamePatternVector>('app-name-pattern'))('$id: $pattern ~ $appName', (v) => {
    const raw = {
      metadata: { namespace: 'argocd', name: 'u' },
      spec: { applicationRefs: [{ namePattern: v.pattern, images: [{ alias: 'a', imageName: 'nginx' }] }] },
    };
    const parsed = parseImageUpdater(raw);
    if (v.expectedError) {
      expect(parsed.updater).toBeNull();
      expect(parsed.problems).toEqual([
        expect.objectContaining({ severity: 'error', path: 'spec.applicationRefs[0].namePattern' }),
      ]);
      return;
    }
    expect(select([parsed.updater!], app(v.appName)) !== null).toBe(v.expected);
  });

  it.each([
    ['web-*', 'web-a/b', false], // * does not cross '/'
    ['web-*', 'web-', true],
    ['web-[^0-9]', 'web-x', true],
    ['web-[^0-9]', 'web-1', false],
    ['web-\\*', 'web-*', true],
    ['web-\\*', 'web-x', false],
    ['Web', 'web', false], // case-sensitive
  ])('%s ~ %s → %s', (pattern, name, expected) => {
    expect(select([oneRef({ namePattern: pattern })], app(name)) !== null).toBe(expected);
  });
});

describe('compileSelection: candidates', () => {
  const names = (appName: string, labels?: Record<string, string>) =>
    compileSelection([cr(FLEET), cr(LEGACY)])
      .candidates(app(appName, { labels }))
      .map((c) => `${c.updater.metadata.name}[${c.index}]`);

  it.each<[string, Record<string, string> | undefined, string[]]>([
    ['web-prod', { tier: 'frontend' }, ['fleet[1]', 'fleet[0]']],
    ['web-prod', { tier: 'backend' }, ['fleet[0]']],
    ['web-prod', undefined, ['fleet[0]']],
    ['web-dev', { tier: 'frontend' }, ['fleet[0]']],
    ['legacy-a', { 'managed-by': 'annotations' }, ['legacy[0]', 'legacy[1]']],
    ['legacy-a', undefined, ['legacy[1]']],
    ['legacyx', undefined, ['legacy[1]']],
    ['api', undefined, []],
  ])('%s %j → %j', (appName, labels, expected) => {
    expect(names(appName, labels)).toEqual(expected);
  });

  it("only looks at ImageUpdaters in the app's own namespace", () => {
    const s = compileSelection([cr(MINIMAL)]);
    expect(s.candidates({ namespace: 'team-a', name: 'api' })).toHaveLength(1);
    expect(s.candidates({ namespace: 'argocd', name: 'api' })).toEqual([]);
  });

  it('orders refs of several CRs by specificity, then CR name, then CR order', () => {
    const b = oneRef({ namePattern: 'web-*' }, { name: 'b' });
    const a = cr({
      metadata: { namespace: 'argocd', name: 'a' },
      spec: {
        applicationRefs: [
          { namePattern: '*', images: [{ alias: 'x', imageName: 'nginx' }] },
          { namePattern: 'web-*', images: [{ alias: 'x', imageName: 'nginx' }] },
        ],
      },
    });
    const c = oneRef({ namePattern: 'web-one' }, { name: 'c' });
    const got = compileSelection([c, b, a])
      .candidates(app('web-one'))
      .map((x) => `${x.updater.metadata.name}[${x.index}]`);
    expect(got).toEqual(['c[0]', 'a[1]', 'b[0]', 'a[0]']);
  });
});

describe('selectApplication: which ref applies', () => {
  it('uses the first matching ref in specificity order, not CR order', () => {
    const s = select([cr(FLEET)], app('web-prod', { labels: { tier: 'frontend' } }));
    expect(s?.ref).toEqual({ index: 1, namePattern: 'web-prod' });
    expect(s?.images.map((i) => i.settings.strategy)).toEqual(['alphabetical']);
  });

  it('skips a ref whose label selector does not match', () => {
    expect(select([cr(FLEET)], app('web-prod'))?.ref.index).toBe(0);
  });

  it('an invalid selector matches nothing, so a less specific ref takes the app', () => {
    const u = cr({
      metadata: { namespace: 'argocd', name: 'u' },
      spec: {
        applicationRefs: [
          {
            namePattern: 'web',
            labelSelectors: { matchExpressions: [{ key: 'env', operator: 'Equals', values: ['prod'] }] },
            images: [{ alias: 'a', imageName: 'nginx' }],
          },
          { namePattern: 'w*', images: [{ alias: 'b', imageName: 'nginx' }] },
        ],
      },
    });
    expect(select([u], app('web', { labels: { env: 'prod' } }))?.ref.index).toBe(1);
  });

  it('returns null when nothing selects the app', () => {
    expect(select([cr(FLEET)], app('api'))).toBeNull();
    expect(select([], app('api'))).toBeNull();
  });
});

describe('selectApplication: several ImageUpdaters', () => {
  const a = oneRef({ namePattern: 'web-*', images: [{ alias: 'a', imageName: 'nginx' }] }, { name: 'alpha' });
  const z = oneRef({ namePattern: 'web-*', images: [{ alias: 'z', imageName: 'nginx' }] }, { name: 'zulu' });
  const exact = oneRef({ namePattern: 'web-one', images: [{ alias: 'e', imageName: 'nginx' }] }, { name: 'zz-exact' });

  it.each([
    ['equal specificity: CR name order', [z, a], 'alpha', ['zulu']],
    ['the most specific ref wins whatever the name', [a, z, exact], 'zz-exact', ['alpha', 'zulu']],
  ])('%s', (_name, updaters, chosen, others) => {
    const s = select(updaters, app('web-one'))!;
    expect(s.updater).toEqual({ namespace: 'argocd', name: chosen });
    const notes = s.problems.filter((p) => p.message.includes('is also selected by'));
    expect(notes.map((p) => p.annotation)).toEqual(
      others.map((o) => `ImageUpdater argocd/${o} spec.applicationRefs[0].namePattern`),
    );
    for (const n of notes) {
      expect(n.severity).toBe('warning');
      expect(n.message).toContain(
        `Application argocd/web-one is also selected by ImageUpdater argocd/${chosen} (spec.applicationRefs[0])`,
      );
    }
  });

  it('does not warn when only one CR matches', () => {
    expect(select([a, exact], app('web-two'))!.problems).toEqual([]);
  });
});

describe('selectionSignature', () => {
  const base = select([cr(FLEET)], app('web-dev'));

  it('is stable for the same configuration and "none" for no selection', () => {
    expect(selectionSignature(select([cr(structuredClone(FLEET))], app('web-dev')))).toBe(selectionSignature(base));
    expect(selectionSignature(null)).toBe('none');
  });

  it.each<[string, (o: any) => void]>([
    [
      'global strategy',
      (o) => {
        o.spec.commonUpdateSettings.updateStrategy = 'alphabetical';
      },
    ],
    [
      'image name',
      (o) => {
        o.spec.applicationRefs[0].images[0].imageName = 'ghcr.io/org/web:~1.3';
      },
    ],
    [
      'write-back branch',
      (o) => {
        o.spec.applicationRefs[0].writeBackConfig.gitConfig.branch = 'dev';
      },
    ],
    [
      'pull request labels',
      (o) => {
        o.spec.applicationRefs[0].writeBackConfig.gitConfig.pullRequest.labels = ['x'];
      },
    ],
    [
      'verification',
      (o) => {
        o.spec.imagesVerification = { enabled: false };
      },
    ],
  ])('changes with %s', (_name, patch) => {
    const changed = structuredClone(FLEET);
    patch(changed);
    expect(selectionSignature(select([cr(changed)], app('web-dev')))).not.toBe(selectionSignature(base));
  });

  it('does not change with unrelated refs or key order', () => {
    const changed = structuredClone(FLEET) as any;
    changed.spec.applicationRefs.push({ namePattern: 'other', images: [{ imageName: 'x', alias: 'x' }] });
    changed.spec.commonUpdateSettings = {
      platforms: ['linux/amd64'],
      ignoreTags: ['*-rc*'],
      allowTags: 'regexp:^v?[0-9]',
      updateStrategy: 'semver',
    };
    expect(selectionSignature(select([cr(changed)], app('web-dev')))).toBe(selectionSignature(base));
  });
});
