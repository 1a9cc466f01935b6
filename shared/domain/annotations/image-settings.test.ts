import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { allowTagsMatcher } from '../policy/tag-filters.ts';
import { parseStrategy } from '../policy/strategy.ts';
import { readImageSettings } from './image-settings.ts';
import { IMAGE_LIST_ANNOTATION } from './keys.ts';
import { parseCredentialSource } from '../registry/credential-source.ts';

function parsePullSecretRef(value: string) {
  try {
    return parseCredentialSource(value, false);
  } catch {
    return null;
  }
}
import { readApplicationImages } from './read-images.ts';

const P = 'argocd-image-updater.argoproj.io/';

interface SettingsVector {
  version: string;
  alias: string;
  field?: string;
  annotations: Record<string, string>;
  expected: unknown;
}

type V1Expected = Partial<{
  updateStrategy: string;
  forceUpdate: boolean;
  allowTags: string;
  ignoreTags: string[];
  pullSecret: string;
  platforms: string[] | null;
}> | null;

function checkV1(alias: string, annotations: Record<string, string>, expected: V1Expected) {
  const r = readImageSettings(annotations, alias);
  if (expected === null) {
    expect(r.present).toEqual([]);
    return;
  }
  if (expected.updateStrategy !== undefined)
    expect(r.settings.strategy).toBe(parseStrategy(expected.updateStrategy).strategy);
  if (expected.forceUpdate !== undefined) expect(r.settings.forceUpdate).toBe(expected.forceUpdate);
  if (expected.allowTags !== undefined) expect(r.settings.allowTags).toBe(expected.allowTags);
  if (expected.ignoreTags !== undefined) expect(r.settings.ignoreTags).toEqual(expected.ignoreTags);
  if (expected.platforms !== undefined) expect(r.settings.platforms).toEqual(expected.platforms ?? []);
  if (expected.pullSecret !== undefined) {
    // A value that is not a credential reference is reported and the registry credentials are used ([v0]).
    if (parsePullSecretRef(expected.pullSecret)) expect(r.settings.pullSecret).toBe(expected.pullSecret);
    else
      expect(r.problems).toContainEqual(expect.objectContaining({ severity: 'warning', value: expected.pullSecret }));
  }
}

function checkV0(alias: string, field: string, annotations: Record<string, string>, expected: unknown) {
  const { settings } = readImageSettings(annotations, alias);
  switch (field) {
    case 'updateStrategy':
      return expect(settings.strategy).toBe(expected);
    case 'allowTags(match results)': {
      const m = allowTagsMatcher(settings.allowTags);
      for (const [tag, match] of Object.entries(expected as Record<string, boolean>))
        expect(m.match(tag), tag).toBe(match);
      return;
    }
    case 'pullSecret':
      if (expected === null) return expect(settings.pullSecret).toBeUndefined();
      return expect(parsePullSecretRef(settings.pullSecret ?? '')).toMatchObject(expected as object);
    case 'ignoreTags':
      return expect(settings.ignoreTags).toEqual(expected ?? []);
    case 'forceUpdate':
      return expect(settings.forceUpdate).toBe(expected);
    case 'helm params': {
      const e = expected as Record<string, string>;
      return expect(settings.helm).toEqual({
        imageName: e.helmImageName,
        imageTag: e.helmImageTag,
        imageSpec: e.helmImageSpec,
      });
    }
    default:
      throw new Error(`unmapped field ${field}`);
  }
}

describe('settings — compat vectors annotation-settings', () => {
  it.each(vectors<SettingsVector>('annotation-settings'))(
    '$id ($version) $field',
    ({ version, alias, field, annotations, expected }) => {
      if (field === undefined) checkV1(alias, annotations, expected as V1Expected);
      else checkV0(alias, field, annotations, expected);
      expect(version).toMatch(/^v[01]/);
    },
  );
});

describe('readImageSettings — precedence and defaults', () => {
  it('defaults', () => {
    expect(readImageSettings({}, 'web')).toEqual({
      settings: { strategy: 'semver', ignoreTags: [], forceUpdate: false, platforms: [], helm: {}, kustomize: {} },
      problems: [],
      present: [],
      valid: true,
    });
  });
  it('a blank per-image value does not hide the app-wide one; each field merges on its own', () => {
    const { settings } = readImageSettings(
      {
        [`${P}web.update-strategy`]: '  ',
        [`${P}update-strategy`]: 'alphabetical',
        [`${P}web.ignore-tags`]: 'dev',
        [`${P}ignore-tags`]: 'x',
      },
      'web',
    );
    expect(settings.strategy).toBe('alphabetical');
    expect(settings.ignoreTags).toEqual(['dev']);
  });
  it('without an alias only app-wide keys apply', () => {
    const { settings, present } = readImageSettings(
      { [`${P}.update-strategy`]: 'digest', [`${P}update-strategy`]: 'name' },
      '',
    );
    expect(settings.strategy).toBe('alphabetical');
    expect(present).toEqual([`${P}update-strategy`]);
  });
  it('platforms, helm and kustomize are per-image only', () => {
    const { settings } = readImageSettings(
      { [`${P}platforms`]: 'linux/arm64', [`${P}helm.image-name`]: 'x', [`${P}kustomize.image-name`]: 'y' },
      'web',
    );
    expect(settings).toMatchObject({ platforms: [], helm: {}, kustomize: {} });
  });
  it('reads platforms, trimmed and comma-separated', () => {
    expect(
      readImageSettings({ [`${P}web.platforms`]: ' linux/amd64 , linux/arm/v7,' }, 'web').settings.platforms,
    ).toEqual(['linux/amd64', 'linux/arm/v7']);
  });
  it('uses the deprecated tag-match only when no allow-tags is set', () => {
    const r = readImageSettings({ [`${P}web.tag-match`]: 'regexp:^v' }, 'web');
    expect(r.settings.allowTags).toBe('regexp:^v');
    expect(r.problems[0]?.message).toMatch(/deprecated/);
    expect(
      readImageSettings({ [`${P}web.tag-match`]: 'regexp:^v', [`${P}allow-tags`]: 'any' }, 'web').settings.allowTags,
    ).toBe('any');
  });
  it.each([
    ['true', true],
    ['True', true],
    ['1', true],
    ['t', true],
    ['false', false],
    ['0', false],
  ])('force-update %j → %s', (value, expected) => {
    const r = readImageSettings({ [`${P}web.force-update`]: value }, 'web');
    expect(r.settings.forceUpdate).toBe(expected);
    expect(r.problems).toEqual([]);
  });
});

describe('readImageSettings — malformed values name the annotation and value', () => {
  it.each([
    ['update-strategy', 'fastest', 'warning', /unknown update strategy "fastest" -- using semver/],
    ['update-strategy', 'latest', 'warning', /deprecated, use "newest-build"/],
    ['force-update', 'yes', 'warning', /expected true or false/],
    ['pull-secret', 'foo/bar', 'warning', /invalid credential spec: foo\/bar \(expected <type>:<source>\)/],
    ['pull-secret', 'secret:ns/name', 'warning', /expected secret:<namespace>\/<name>#<field>/],
    ['allow-tags', 'v2.*', 'error', /expected "regexp:<expression>" or "any"/],
    ['allow-tags', 'regexp:(', 'error', /not a valid RE2 regular expression/],
    ['allow-tags', 'glob:v*', 'error', /unknown match function "glob"/],
    ['ignore-tags', 'ok,[abc', 'error', /malformed glob/],
    [
      'platforms',
      'linux/amd64,arm64',
      'warning',
      /expected os\/arch.*ignored: strategy semver does not read manifests/,
    ],
  ] as const)('web.%s=%j → %s', (key, value, severity, message) => {
    const annotation = `${P}web.${key}`;
    const r = readImageSettings({ [annotation]: value }, 'web');
    expect(r.problems).toHaveLength(1);
    const p = r.problems[0];
    expect(p).toMatchObject({ annotation, severity, alias: 'web' });
    expect(p?.message).toMatch(message);
    expect(p?.message).toContain(annotation);
    expect(value).toContain(p?.value ?? '\u0000');
    expect(r.valid).toBe(severity !== 'error');
  });

  it.each(['newest-build', 'digest'])('invalid platforms are an error for %s (it reads manifests)', (strategy) => {
    const annotation = `${P}web.platforms`;
    const r = readImageSettings({ [annotation]: 'linux', [`${P}web.update-strategy`]: strategy }, 'web');
    expect(r.valid).toBe(false);
    expect(r.problems).toEqual([expect.objectContaining({ annotation, value: 'linux', severity: 'error' })]);
  });

  it('an image with invalid settings is left out; the others go on', () => {
    const { images, problems } = readApplicationImages({
      [IMAGE_LIST_ANNOTATION]: 'a=nginx,b=redis',
      [`${P}a.allow-tags`]: 'regexp:[',
      [`${P}b.update-strategy`]: 'bogus',
    });
    expect(images.map((i) => i.alias)).toEqual(['b']);
    expect(images[0]?.settings.strategy).toBe('semver');
    expect(problems.map((p) => [p.alias, p.severity])).toEqual([
      ['a', 'error'],
      ['b', 'warning'],
    ]);
  });

  it('an app-wide invalid value is reported against the app-wide key for every image', () => {
    const { images, problems } = readApplicationImages({
      [IMAGE_LIST_ANNOTATION]: 'a=nginx,b=redis',
      [`${P}allow-tags`]: 'nope',
    });
    expect(images).toEqual([]);
    expect(problems.map((p) => p.annotation)).toEqual([`${P}allow-tags`, `${P}allow-tags`]);
  });
});

describe('pull-secret references', () => {
  it("reports a malformed reference with the parser's reason and keeps the registry credentials", () => {
    const r = readImageSettings({ [`${P}a.pull-secret`]: 'secret:ns/name' }, 'a');
    expect(r.settings.pullSecret).toBeUndefined();
    expect(r.problems).toContainEqual(
      expect.objectContaining({
        severity: 'warning',
        message: expect.stringContaining('secret:<namespace>/<name>#<field>'),
      }),
    );
  });
});
