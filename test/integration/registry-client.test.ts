/**
 * OciRegistryClient against the real distribution 2.8 registry (anonymous): tag lists, manifests
 * (OCI image, Docker image, OCI index, Docker manifest list), config blobs, empty and unknown
 * repositories, request counting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciRegistryClient } from '../../shared/adapters/registry/oci-registry-client.ts';
import { PermanentError } from '../../shared/errors.ts';
import { deleteTag, pushImage, pushIndexDetailed, pushTags, type PushedIndex } from '../fixtures/images.ts';
import { startRegistry, type RegistryService } from '../services/registry.ts';

let reg: RegistryService;
let tagDigests: Record<string, string>;
let ociIndex: PushedIndex;
let dockerList: PushedIndex;
let dockerImage: string;

beforeAll(async () => {
  reg = await startRegistry();
  tagDigests = await pushTags(reg, 'demo/app', ['1.0.0', '1.1.0', '2.0.0', 'latest']);
  dockerImage = await pushImage(reg, 'demo/docker', 'v1', {
    format: 'docker',
    created: '2023-05-06T07:08:09Z',
    platform: 'linux/arm64',
    labels: { 'org.opencontainers.image.version': '1' },
  });
  ociIndex = await pushIndexDetailed(reg, 'demo/multi', 'v2.0', ['linux/amd64', 'linux/arm64', 'linux/arm/v7'], {
    created: {
      'linux/amd64': '2024-02-01T00:00:00Z',
      'linux/arm64': '2024-02-02T00:00:00Z',
      'linux/arm/v7': '2024-02-03T00:00:00Z',
    },
  });
  dockerList = await pushIndexDetailed(reg, 'demo/multi', 'v2.0-docker', ['linux/amd64', 'linux/arm64'], {
    format: 'docker',
  });
  await pushImage(reg, 'demo/emptied', 'gone');
  await deleteTag(reg, 'demo/emptied', 'gone');
});

afterAll(async () => {
  await reg?.stop();
});

const client = () => new OciRegistryClient({ apiUrl: reg.url });

async function caught(p: Promise<unknown>): Promise<PermanentError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PermanentError);
  return e as PermanentError;
}

describe('listTags', () => {
  it('returns every tag with a single request', async () => {
    const c = client();
    expect((await c.listTags('demo/app')).sort()).toEqual(['1.0.0', '1.1.0', '2.0.0', 'latest']);
    expect(c.stats.byKind.tags).toBe(1);
    expect(c.stats.requests).toBe(1);
  });

  it('an emptied repository (tags: null) gives []', async () => {
    expect(await client().listTags('demo/emptied')).toEqual([]);
  });

  it('an unknown repository is registry.not-found naming the request', async () => {
    const e = await caught(client().listTags('demo/nope'));
    expect(e.code).toBe('registry.not-found');
    expect(e.message).toContain(`GET ${reg.host}/v2/demo/nope/tags/list: HTTP 404 NAME_UNKNOWN`);
  });
});

describe('manifests', () => {
  it('HEAD gives the digest and media type of an OCI image', async () => {
    const c = client();
    expect(await c.headManifest('demo/app', '1.1.0')).toEqual({
      digest: tagDigests['1.1.0'],
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
    expect(c.stats.byKind.manifest).toBe(1);
  });

  it('GET of an OCI image gives its config digest, whose blob has the created time', async () => {
    const c = client();
    const m = await c.getManifest('demo/app', '2.0.0');
    expect(m).toMatchObject({
      kind: 'image',
      digest: tagDigests['2.0.0'],
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
    if (m.kind !== 'image') throw new Error('not an image');
    expect(await c.getImageConfig('demo/app', m.configDigest)).toEqual({
      created: '2024-01-01T02:00:00Z',
      os: 'linux',
      architecture: 'amd64',
      labels: {},
    });
  });

  it('a Docker v2 image: manifest by tag and by digest, config with platform and labels', async () => {
    const c = client();
    const byTag = await c.getManifest('demo/docker', 'v1');
    expect(byTag).toMatchObject({
      kind: 'image',
      digest: dockerImage,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    });
    const byDigest = await c.getManifest('demo/docker', dockerImage);
    expect(byDigest).toEqual(byTag);
    if (byTag.kind !== 'image') throw new Error('not an image');
    expect(await c.getImageConfig('demo/docker', byTag.configDigest)).toEqual({
      created: '2023-05-06T07:08:09Z',
      os: 'linux',
      architecture: 'arm64',
      labels: { 'org.opencontainers.image.version': '1' },
    });
  });

  it('an OCI index lists its children with platforms; each child resolves to its own config', async () => {
    const c = client();
    expect(await c.headManifest('demo/multi', 'v2.0')).toEqual({
      digest: ociIndex.digest,
      mediaType: 'application/vnd.oci.image.index.v1+json',
    });
    const index = await c.getManifest('demo/multi', 'v2.0');
    expect(index).toEqual({
      kind: 'index',
      digest: ociIndex.digest,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      children: ociIndex.children.map((ch) => ({
        digest: ch.digest,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        platform: ch.platform,
      })),
    });
    const armV7 = ociIndex.children.find((ch) => ch.platform.variant === 'v7')!;
    const child = await c.getManifest('demo/multi', armV7.digest);
    if (child.kind !== 'image') throw new Error('not an image');
    expect(await c.getImageConfig('demo/multi', child.configDigest)).toMatchObject({
      created: '2024-02-03T00:00:00Z',
      architecture: 'arm',
      variant: 'v7',
    });
  });

  it('a Docker manifest list is returned whole (not collapsed to amd64)', async () => {
    const m = await client().getManifest('demo/multi', 'v2.0-docker');
    expect(m.kind).toBe('index');
    expect(m.digest).toBe(dockerList.digest);
    expect(m.mediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
    if (m.kind !== 'index') throw new Error('not an index');
    expect(m.children.map((ch) => ch.platform?.architecture)).toEqual(['amd64', 'arm64']);
    expect(m.children.every((ch) => ch.mediaType === 'application/vnd.docker.distribution.manifest.v2+json')).toBe(
      true,
    );
  });

  it('an unknown tag is registry.not-found for HEAD and GET', async () => {
    expect((await caught(client().headManifest('demo/app', '9.9.9'))).code).toBe('registry.not-found');
    const e = await caught(client().getManifest('demo/app', '9.9.9'));
    expect(e.code).toBe('registry.not-found');
    expect(e.message).toContain('MANIFEST_UNKNOWN');
  });

  it('an unknown config blob is registry.not-found', async () => {
    const e = await caught(client().getImageConfig('demo/app', `sha256:${'0'.repeat(64)}`));
    expect(e.code).toBe('registry.not-found');
  });

  it('reports each request to the onRequest hook', async () => {
    const events: string[] = [];
    const c = new OciRegistryClient({
      apiUrl: `${reg.url}/`,
      onRequest: (e) => events.push(`${e.kind} ${e.method} ${e.target} ${e.status}`),
    });
    await c.listTags('demo/app');
    await c.headManifest('demo/app', 'latest');
    expect(events).toEqual([
      `tags GET ${reg.host}/v2/demo/app/tags/list 200`,
      `manifest HEAD ${reg.host}/v2/demo/app/manifests/latest 200`,
    ]);
  });
});
