import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { parseImageList } from './image-list.ts';
import { IMAGE_LIST_ANNOTATION } from './keys.ts';
import { readApplicationImages } from './read-images.ts';

const P = 'argocd-image-updater.argoproj.io/';

interface ListVector {
  version: string;
  annotation: string | null;
  extraAnnotations?: Record<string, string>;
  expected:
    | { error: string }
    | { alias: string; imageName: string; commonUpdateSettings?: null }[]
    | { originals: string[] }
    | { images: { alias: string; name: string; kustomizeImage?: { name: string } }[] };
}

describe('image-list — compat vectors image-list', () => {
  it.each(vectors<ListVector>('image-list'))(
    '$id ($version) $annotation',
    ({ annotation, extraAnnotations, expected }) => {
      const annotations = {
        ...(annotation === null ? {} : { [IMAGE_LIST_ANNOTATION]: annotation }),
        ...extraAnnotations,
      };
      const { images, problems } = readApplicationImages(annotations);
      if ('error' in expected) {
        expect(images).toEqual([]);
        expect(
          problems
            .filter((p) => p.severity === 'error')
            .map((p) => p.message)
            .join('\n'),
        ).toContain(expected.error);
      } else if (Array.isArray(expected)) {
        expect(images.map((i) => ({ alias: i.alias, imageName: i.imageName }))).toEqual(
          expected.map(({ alias, imageName }) => ({ alias, imageName })),
        );
        for (const [i, e] of expected.entries()) {
          // commonUpdateSettings: null = no per-image settings were read (the alias is empty).
          if (e.commonUpdateSettings === null) expect(images[i]?.alias).toBe('');
        }
      } else if ('originals' in expected) {
        expect(images.map((i) => i.original)).toEqual(expected.originals);
      } else {
        expect(
          images.map((i) => ({
            alias: i.alias,
            name: i.ref.name,
            ...(i.settings.kustomize.imageName ? { kustomizeImage: { name: i.settings.kustomize.imageName } } : {}),
          })),
        ).toEqual(expected.images);
      }
    },
  );
});

describe('image-list syntax', () => {
  it('reads several images with aliases, registries, constraints and digests', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    const { images, problems } = readApplicationImages({
      [IMAGE_LIST_ANNOTATION]: `web=nginx:~1.26, api=ghcr.io/org/api:>=1.0 <2.0,redis, pinned=quay.io/org/x:v1@${d}, localhost:5000/app:^0.1`,
    });
    expect(problems).toEqual([]);
    expect(images.map((i) => [i.alias, i.ref.registry, i.ref.name, i.constraint, i.ref.digest])).toEqual([
      ['web', '', 'nginx', '~1.26', ''],
      ['api', 'ghcr.io', 'org/api', '>=1.0 <2.0', ''],
      ['', '', 'redis', '', ''],
      ['pinned', 'quay.io', 'org/x', 'v1', d],
      ['', 'localhost:5000', 'app', '^0.1', ''],
    ]);
  });

  it('does not mistake a constraint operator for an alias separator', () => {
    const { images } = readApplicationImages({
      [IMAGE_LIST_ANNOTATION]: 'nginx:>=1.20, app:!=2.0.0, x=ghcr.io/o/x:<=3',
    });
    expect(images.map((i) => [i.alias, i.ref.name, i.constraint])).toEqual([
      ['', 'nginx', '>=1.20'],
      ['', 'app', '!=2.0.0'],
      ['x', 'o/x', '<=3'],
    ]);
  });

  it('accepts letters-only, dotted and slashed aliases', () => {
    const { images, problems } = readApplicationImages({
      [IMAGE_LIST_ANNOTATION]: 'web=nginx, my.app=redis, org/app=ghcr.io/org/app, A1=busybox',
    });
    expect(images.map((i) => i.alias)).toEqual(['web', 'my.app', 'org/app', 'A1']);
    expect(problems).toEqual([]);
  });

  it.each([
    ['web=', 'error', /empty image name/],
    ['web=Nginx:1.0', 'error', /not a valid image reference/],
    ['web=nginx:latest', 'error', /"latest" is not a semver constraint/],
    ['web=ghcr.io/', 'error', /image name is empty/],
    ['a=nginx,,b=redis', 'warning', /empty entries/],
    ['a=nginx,a=redis', 'warning', /used by more than one image/],
    ['my app=nginx', 'warning', /cannot appear in an annotation key/],
  ] as const)('%j → %s naming the annotation', (value, severity, message) => {
    const { problems } = readApplicationImages({ [IMAGE_LIST_ANNOTATION]: value });
    const p = problems.find((x) => x.severity === severity && message.test(x.message));
    expect(p, JSON.stringify(problems)).toBeDefined();
    expect(p?.annotation).toBe(IMAGE_LIST_ANNOTATION);
    expect(p?.message).toContain(IMAGE_LIST_ANNOTATION);
  });

  it('leaves out only the malformed entry', () => {
    const { images, problems } = readApplicationImages({
      [IMAGE_LIST_ANNOTATION]: 'ok=nginx:~1, bad=, also=redis:7.x',
    });
    expect(images.map((i) => i.alias)).toEqual(['ok', 'also']);
    expect(problems.filter((p) => p.severity === 'error')).toHaveLength(1);
    expect(problems[0]?.alias).toBe('bad');
  });

  it('reports an absent or blank list', () => {
    expect(parseImageList(undefined).problems[0]?.message).toMatch(
      /argocd-image-updater\.argoproj\.io\/image-list annotation not found/,
    );
    expect(parseImageList('  ').problems[0]?.message).toMatch(/is empty/);
    expect(readApplicationImages(undefined).images).toEqual([]);
  });

  it('a digest strategy without a tag to follow is an error for that image', () => {
    const { images, problems } = readApplicationImages({
      [IMAGE_LIST_ANNOTATION]: 'a=app,b=app:main',
      [`${P}update-strategy`]: 'digest',
    });
    expect(images.map((i) => i.alias)).toEqual(['b']);
    expect(problems.find((p) => p.alias === 'a')?.message).toMatch(/needs the tag to follow/);
  });

  it('does not validate the constraint for strategies that ignore it', () => {
    const { images, problems } = readApplicationImages({
      [IMAGE_LIST_ANNOTATION]: 'a=app:latest',
      [`${P}a.update-strategy`]: 'newest-build',
    });
    expect(images).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  it('warns about unknown per-image keys', () => {
    const { problems } = readApplicationImages({
      [IMAGE_LIST_ANNOTATION]: 'web=nginx',
      [`${P}web.update-stratgy`]: 'digest',
    });
    expect(problems).toEqual([expect.objectContaining({ severity: 'warning', annotation: `${P}web.update-stratgy` })]);
  });
});
