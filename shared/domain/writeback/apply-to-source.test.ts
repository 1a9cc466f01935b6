import { describe, expect, it } from 'vitest';
import type { ApplicationSource } from '../model/application.ts';
import { parseImageRef, type ImageRef } from '../image/image-ref.ts';
import { applyImageWrites, helmParametersFor } from './apply-to-source.ts';
import type { ImageWrite } from './image-write.ts';

const D1 = 'sha256:' + '1'.repeat(64);
const img = (ref: string, tag: string | null, digest = ''): ImageRef => ({ ...parseImageRef(ref), tag, digest });
const src = (extra: Partial<ApplicationSource>): ApplicationSource => ({
  repoURL: 'https://git.example/r.git',
  ...extra,
});

describe('applyImageWrites: Helm', () => {
  it('replaces parameters by name in place and appends new ones', () => {
    const source = src({
      helm: {
        parameters: [
          { name: 'a', value: '1' },
          { name: 'image.tag', value: 'old' },
        ],
        valueFiles: ['v.yaml'],
      },
    });
    const out = applyImageWrites(source, 'Helm', [{ alias: 'x', image: img('quay.io/org/app', '2.0') }]);
    expect(out.helm).toEqual({
      valueFiles: ['v.yaml'],
      parameters: [
        { name: 'a', value: '1' },
        { name: 'image.tag', value: '2.0', forceString: true },
        { name: 'image.name', value: 'quay.io/org/app', forceString: true },
      ],
    });
    expect(source.helm!.parameters![1]).toEqual({ name: 'image.tag', value: 'old' });
  });

  it.each<[string, ImageWrite, { name: string; value: string }[]]>([
    [
      'custom names',
      { alias: 'x', image: img('nginx', '1.2'), helm: { imageName: 'image.repository', imageTag: 'image.version' } },
      [
        { name: 'image.repository', value: 'nginx' },
        { name: 'image.version', value: '1.2' },
      ],
    ],
    [
      'spec wins over name/tag',
      { alias: 'x', image: img('nginx', '1.2'), helm: { imageSpec: 's', imageName: 'n', imageTag: 't' } },
      [{ name: 's', value: 'nginx:1.2' }],
    ],
    [
      'tag with digest',
      { alias: 'x', image: img('nginx', '1.2', D1) },
      [
        { name: 'image.name', value: 'nginx' },
        { name: 'image.tag', value: `1.2@${D1}` },
      ],
    ],
    [
      'digest only → latest@digest',
      { alias: 'x', image: img('nginx', '', D1) },
      [
        { name: 'image.name', value: 'nginx' },
        { name: 'image.tag', value: `latest@${D1}` },
      ],
    ],
    ['empty tag not written', { alias: 'x', image: img('nginx', null) }, [{ name: 'image.name', value: 'nginx' }]],
    [
      'spec with digest',
      { alias: 'x', image: img('ghcr.io/o/a', '1', D1), helm: { imageSpec: 's' } },
      [{ name: 's', value: `ghcr.io/o/a:1@${D1}` }],
    ],
  ])('%s', (_name, write, expected) => {
    expect(helmParametersFor(write)).toEqual(expected.map((p) => ({ ...p, forceString: true })));
  });

  it('creates the helm block when absent', () => {
    const out = applyImageWrites(src({}), 'Helm', [{ alias: '', image: img('nginx', '1') }]);
    expect(out.helm?.parameters).toHaveLength(2);
  });
});

describe('applyImageWrites: Kustomize', () => {
  it.each<[string, string[] | undefined, ImageWrite, string[]]>([
    ['appends to an empty list', undefined, { alias: '', image: img('nginx', '1.1') }, ['nginx:1.1']],
    [
      'replaces the same image',
      ['nginx:1.0', 'redis:7'],
      { alias: '', image: img('nginx', '1.1') },
      ['nginx:1.1', 'redis:7'],
    ],
    [
      'writes an override entry',
      ['other:1'],
      { alias: 'a', image: img('ghcr.io/o/app', '2'), kustomize: { imageName: 'app' } },
      ['other:1', 'app=ghcr.io/o/app:2'],
    ],
    [
      'replaces an override entry by original name',
      ['app=ghcr.io/o/app:1'],
      { alias: 'a', image: img('ghcr.io/o/app', '2'), kustomize: { imageName: 'app' } },
      ['app=ghcr.io/o/app:2'],
    ],
    [
      'keeps an un-aliased entry of the same image when writing an override',
      ['ghcr.io/o/app:1'],
      { alias: 'a', image: img('ghcr.io/o/app', '2'), kustomize: { imageName: 'app' } },
      ['ghcr.io/o/app:1', 'app=ghcr.io/o/app:2'],
    ],
    ['digest', ['nginx:1'], { alias: '', image: img('nginx', '1', D1) }, [`nginx:1@${D1}`]],
    ['registry-qualified', ['quay.io/a/b:1'], { alias: '', image: img('quay.io/a/b', '2') }, ['quay.io/a/b:2']],
  ])('%s', (_name, images, write, expected) => {
    const source = src(images ? { kustomize: { images } } : {});
    expect(applyImageWrites(source, 'Kustomize', [write]).kustomize?.images).toEqual(expected);
    if (images) expect(source.kustomize!.images).toEqual(images);
  });
});

describe('applyImageWrites: Plugin', () => {
  it('sets env entries for images with plugin targets and Helm parameters for the others', () => {
    const source = src({
      plugin: {
        name: 'cmp',
        env: [
          { name: 'IMAGE_TAG', value: 'old' },
          { name: 'KEEP', value: 'k' },
        ],
      },
    });
    const out = applyImageWrites(source, 'Plugin', [
      {
        alias: 'redis',
        image: img('myregistry/redis', '7.0.1'),
        plugin: { imageName: 'IMAGE_NAME', imageTag: 'IMAGE_TAG' },
      },
      { alias: 'web', image: img('nginx', '1') },
    ]);
    expect(out.plugin).toEqual({
      name: 'cmp',
      env: [
        { name: 'IMAGE_TAG', value: '7.0.1' },
        { name: 'KEEP', value: 'k' },
        { name: 'IMAGE_NAME', value: 'myregistry/redis' },
      ],
    });
    expect(out.helm?.parameters?.map((p) => p.name)).toEqual(['image.name', 'image.tag']);
  });

  it('a plugin spec target gets the full reference', () => {
    const out = applyImageWrites(src({ plugin: {} }), 'Plugin', [
      { alias: 'r', image: img('redis', '7'), plugin: { imageSpec: 'IMAGE' } },
    ]);
    expect(out.plugin?.env).toEqual([{ name: 'IMAGE', value: 'redis:7' }]);
  });
});
