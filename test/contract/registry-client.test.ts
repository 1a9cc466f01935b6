/**
 * The RegistryClient port contract, run against OciRegistryClient over every real registry flavour
 * (anonymous, htpasswd, bearer token, TLS + htpasswd, paginated through the proxy). A future
 * in-memory fake can be added to BACKENDS to keep it honest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient } from '../../shared/adapters/registry/create-registry-client.ts';
import type { RegistryClient } from '../../shared/ports/registry-client.ts';
import { pushImage, pushIndexDetailed, pushTags, type PushedIndex } from '../fixtures/images.ts';
import { startPaginatingProxy, type PaginatingProxy } from '../services/registry-proxy.ts';
import { startRegistry, type RegistryOptions, type RegistryService } from '../services/registry.ts';

interface Seeded {
  client: RegistryClient;
  tags: Record<string, string>;
  index: PushedIndex;
  dockerDigest: string;
  stop(): Promise<void>;
}

async function seedRealRegistry(options: RegistryOptions, paginate = false): Promise<Seeded> {
  const reg: RegistryService = await startRegistry(options);
  let proxy: PaginatingProxy | undefined;
  try {
    const tags = await pushTags(reg, 'contract/app', ['0.9.0', '1.0.0', '1.0.1', '1.1.0', 'stable'], {
      createdBase: '2024-03-01T00:00:00Z',
    });
    const index = await pushIndexDetailed(reg, 'contract/multi', 'v1', ['linux/amd64', 'linux/arm64'], {
      created: '2024-04-01T00:00:00Z',
    });
    const dockerDigest = await pushImage(reg, 'contract/docker', 'v1', { format: 'docker', labels: { a: 'b' } });
    if (paginate) proxy = await startPaginatingProxy({ upstream: reg.url, pageSize: 2 });
    const [user, pass] = Object.entries(reg.users)[0] ?? [];
    const client = createRegistryClient(
      {
        name: 'contract',
        apiUrl: proxy?.url ?? reg.url,
        prefix: reg.host,
        credsExpireMs: 0,
        tagSortMode: 'unsorted',
        insecure: false,
        isDefault: false,
        caFile: reg.caFile,
      },
      { credentials: user ? { username: user, password: pass! } : null },
    );
    return {
      client,
      tags,
      index,
      dockerDigest,
      stop: async () => {
        await proxy?.stop();
        await reg.stop();
      },
    };
  } catch (e) {
    await proxy?.stop();
    await reg.stop();
    throw e;
  }
}

const BACKENDS: [string, () => Promise<Seeded>][] = [
  ['anonymous', () => seedRealRegistry({})],
  ['htpasswd', () => seedRealRegistry({ auth: 'basic' })],
  ['bearer token', () => seedRealRegistry({ auth: 'token' })],
  ['TLS + htpasswd', () => seedRealRegistry({ auth: 'basic', tls: true })],
  ['paginated (proxy, 2 per page)', () => seedRealRegistry({}, true)],
];

describe.each(BACKENDS)('RegistryClient contract: %s', (_name, seed) => {
  let s: Seeded;
  beforeAll(async () => {
    s = await seed();
  });
  afterAll(async () => s?.stop());

  it('listTags returns every tag', async () => {
    expect((await s.client.listTags('contract/app')).sort()).toEqual(['0.9.0', '1.0.0', '1.0.1', '1.1.0', 'stable']);
  });

  it('listTags of an unknown repository rejects with registry.not-found', async () => {
    await expect(s.client.listTags('contract/missing')).rejects.toMatchObject({
      kind: 'permanent',
      code: 'registry.not-found',
    });
  });

  it('headManifest and getManifest agree on the digest of a tag', async () => {
    const head = await s.client.headManifest('contract/app', '1.0.1');
    const full = await s.client.getManifest('contract/app', '1.0.1');
    expect(head.digest).toBe(s.tags['1.0.1']);
    expect(full.digest).toBe(head.digest);
    expect(full.kind).toBe('image');
  });

  it('getImageConfig gives created, platform and labels', async () => {
    const m = await s.client.getManifest('contract/app', '1.1.0');
    if (m.kind !== 'image') throw new Error('expected an image manifest');
    expect(await s.client.getImageConfig('contract/app', m.configDigest)).toEqual({
      created: '2024-03-01T03:00:00Z',
      os: 'linux',
      architecture: 'amd64',
      labels: {},
    });
    const d = await s.client.getManifest('contract/docker', 'v1');
    if (d.kind !== 'image') throw new Error('expected an image manifest');
    expect(d.digest).toBe(s.dockerDigest);
    expect((await s.client.getImageConfig('contract/docker', d.configDigest)).labels).toEqual({ a: 'b' });
  });

  it('an index lists its per-platform children', async () => {
    const m = await s.client.getManifest('contract/multi', 'v1');
    expect(m.digest).toBe(s.index.digest);
    if (m.kind !== 'index') throw new Error('expected an index');
    expect(m.children.map((c) => [c.digest, c.platform])).toEqual(s.index.children.map((c) => [c.digest, c.platform]));
  });

  it('an unknown tag rejects with registry.not-found', async () => {
    await expect(s.client.headManifest('contract/app', 'nope')).rejects.toMatchObject({ code: 'registry.not-found' });
  });
});
