/**
 * OciRegistryClient auth flows against the real registry: htpasswd (Basic) and bearer tokens
 * from the in-process token server (credentials, anonymous pull, wrong password, token caching).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciRegistryClient } from '../../shared/adapters/registry/oci-registry-client.ts';
import { PermanentError } from '../../shared/errors.ts';
import { pushImage, pushTags } from '../fixtures/images.ts';
import { startRegistry, type RegistryService } from '../services/registry.ts';

const GOOD = { username: 'testuser', password: 'testpass' };
const WRONG = { username: 'testuser', password: 'not-the-password-42' };

async function rejection(p: Promise<unknown>): Promise<PermanentError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PermanentError);
  return e as PermanentError;
}

describe('htpasswd (Basic)', () => {
  let reg: RegistryService;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'basic' });
    await pushTags(reg, 'team/app', ['v1', 'v2']);
  });
  afterAll(async () => reg?.stop());

  it('answers the Basic challenge, then sends credentials up front', async () => {
    const c = new OciRegistryClient({ apiUrl: reg.url, credentials: GOOD });
    expect((await c.listTags('team/app')).sort()).toEqual(['v1', 'v2']);
    expect(c.stats.requests).toBe(2);
    const m = await c.getManifest('team/app', 'v2');
    if (m.kind !== 'image') throw new Error('not an image');
    expect((await c.getImageConfig('team/app', m.configDigest)).created).toBe('2024-01-01T01:00:00Z');
    expect(c.stats.requests).toBe(4);
  });

  it('without credentials: registry.unauthorized', async () => {
    const e = await rejection(new OciRegistryClient({ apiUrl: reg.url }).listTags('team/app'));
    expect(e.code).toBe('registry.unauthorized');
    expect(e.message).toContain('HTTP 401 UNAUTHORIZED');
  });

  it('a wrong password: registry.unauthorized, and the password is not in the message', async () => {
    const e = await rejection(new OciRegistryClient({ apiUrl: reg.url, credentials: WRONG }).listTags('team/app'));
    expect(e.code).toBe('registry.unauthorized');
    expect(e.message).not.toContain(WRONG.password);
  });

  it('a rejected cached credential is invalidated and refetched once', async () => {
    let current = WRONG;
    let invalidations = 0;
    const provider = {
      get: async () => current,
      invalidate: () => {
        invalidations++;
        current = GOOD;
      },
    };
    const c = new OciRegistryClient({ apiUrl: reg.url, credentials: provider });
    expect((await c.listTags('team/app')).length).toBe(2);
    expect(invalidations).toBe(1);
  });
});

describe('bearer token', () => {
  let reg: RegistryService;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'token', tokenTtlSeconds: 2 });
    await pushTags(reg, 'team/app', ['1.0', '1.1']);
    await pushImage(reg, 'team/other', 'x', { created: '2022-02-02T02:02:02Z' });
  });
  afterAll(async () => reg?.stop());

  it('gets a token for the challenged scope and caches it per scope', async () => {
    const tokenServer = reg.tokenServer!;
    const before = tokenServer.requests.length;
    const c = new OciRegistryClient({ apiUrl: reg.url, credentials: GOOD });
    expect((await c.listTags('team/app')).sort()).toEqual(['1.0', '1.1']);
    expect(c.stats.byKind).toMatchObject({ tags: 2, token: 1 });
    const issued = tokenServer.requests.slice(before);
    expect(issued).toEqual([{ method: 'GET', user: 'testuser', scopes: ['repository:team/app:pull'] }]);

    await c.listTags('team/app');
    await c.headManifest('team/app', '1.0');
    expect(c.stats.byKind).toMatchObject({ tags: 3, manifest: 1, token: 1 });

    // the realm is known now: a new repository gets its token before the first request (no 401 round trip)
    const m = await c.getManifest('team/other', 'x');
    if (m.kind !== 'image') throw new Error('not an image');
    expect((await c.getImageConfig('team/other', m.configDigest)).created).toBe('2022-02-02T02:02:02Z');
    expect(c.stats.byKind).toMatchObject({ manifest: 2, blob: 1, token: 2 });
  });

  it('refreshes an expired token', async () => {
    const c = new OciRegistryClient({ apiUrl: reg.url, credentials: GOOD });
    await c.listTags('team/app');
    expect(c.stats.byKind.token).toBe(1);
    await new Promise((r) => setTimeout(r, 1100));
    await c.listTags('team/app');
    expect(c.stats.byKind.token).toBe(2);
  });

  it('a wrong password: registry.unauthorized from the token request, without the password', async () => {
    const e = await rejection(new OciRegistryClient({ apiUrl: reg.url, credentials: WRONG }).listTags('team/app'));
    expect(e.code).toBe('registry.unauthorized');
    expect(e.message).toContain('token request GET 127.0.0.1:');
    expect(e.message).not.toContain(WRONG.password);
  });

  it('anonymous without anonymous pull: registry.unauthorized after one token attempt', async () => {
    const c = new OciRegistryClient({ apiUrl: reg.url });
    const e = await rejection(c.listTags('team/app'));
    expect(e.code).toBe('registry.unauthorized');
    expect(c.stats.byKind).toEqual({ tags: 2, manifest: 0, blob: 0, token: 1 });
  });
});

describe('bearer token with anonymous pull', () => {
  let reg: RegistryService;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'token', anonymousPull: true });
    await pushTags(reg, 'public/app', ['a', 'b', 'c']);
  });
  afterAll(async () => reg?.stop());

  it('pulls anonymously with an anonymous token', async () => {
    const c = new OciRegistryClient({ apiUrl: reg.url });
    expect((await c.listTags('public/app')).sort()).toEqual(['a', 'b', 'c']);
    expect(reg.tokenServer!.requests.at(-1)).toEqual({
      method: 'GET',
      user: null,
      scopes: ['repository:public/app:pull'],
    });
  });

  it('anonymous tokens cannot push (the fixture gets insufficient_scope)', async () => {
    await expect(pushTags(reg, 'public/app', ['d'], { credentials: null })).rejects.toThrow(/HTTP 401/);
  });
});
