/**
 * The registry test services themselves: process lifecycle and cleanup, arbitrary htpasswd users,
 * persistent storage, the token server's GET/POST forms and grants, the proxy's paging rules.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OciRegistryClient } from '../../shared/adapters/registry/oci-registry-client.ts';
import { pushTags } from '../fixtures/images.ts';
import { paginate } from '../services/registry-proxy.ts';
import { startRegistry } from '../services/registry.ts';
import { parseScope } from '../services/token-server.ts';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function decodeJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h, c] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(c!, 'base64url').toString()),
  };
}

describe('startRegistry', () => {
  it('stop() kills the process and removes its temp dir', async () => {
    const reg = await startRegistry();
    expect(isAlive(reg.pid)).toBe(true);
    expect((await fetch(`${reg.url}/v2/`)).status).toBe(200);
    await reg.stop();
    expect(isAlive(reg.pid)).toBe(false);
    expect(existsSync(dirname(reg.logFile))).toBe(false);
  });

  it('supports arbitrary htpasswd users', async () => {
    const reg = await startRegistry({ auth: 'basic', users: { alice: 'wonder-land' } });
    try {
      await pushTags(reg, 'a/b', ['1']);
      expect(
        await new OciRegistryClient({
          apiUrl: reg.url,
          credentials: { username: 'alice', password: 'wonder-land' },
        }).listTags('a/b'),
      ).toEqual(['1']);
      await expect(
        new OciRegistryClient({
          apiUrl: reg.url,
          credentials: { username: 'testuser', password: 'testpass' },
        }).listTags('a/b'),
      ).rejects.toMatchObject({ code: 'registry.unauthorized' });
    } finally {
      await reg.stop();
    }
  });

  it('keeps data in a given dir across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tagflow-regdata-'));
    try {
      const first = await startRegistry({ dir });
      await pushTags(first, 'keep/me', ['v1']);
      await first.stop();
      const second = await startRegistry({ dir });
      try {
        expect(await new OciRegistryClient({ apiUrl: second.url }).listTags('keep/me')).toEqual(['v1']);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects anonymousPull without token auth', async () => {
    await expect(startRegistry({ auth: 'basic', anonymousPull: true })).rejects.toThrow(
      'only supported with auth: token',
    );
  });
});

describe('token server', () => {
  it('GET with Basic auth and POST form both issue RS256 tokens with x5c and a string aud', async () => {
    const reg = await startRegistry({ auth: 'token' });
    try {
      const realm = reg.tokenServer!.realm;
      const basic = 'Basic ' + Buffer.from('testuser:testpass').toString('base64');
      const got = await fetch(`${realm}?service=tagflow-test-registry&scope=repository:a/b:pull,push`, {
        headers: { authorization: basic },
      });
      expect(got.status).toBe(200);
      const body = (await got.json()) as { token: string; access_token: string; expires_in: number };
      expect(body.access_token).toBe(body.token);
      const { header, claims } = decodeJwt(body.token);
      expect(header).toMatchObject({ alg: 'RS256' });
      expect(Array.isArray(header.x5c)).toBe(true);
      expect(claims).toMatchObject({
        aud: 'tagflow-test-registry',
        sub: 'testuser',
        access: [{ type: 'repository', name: 'a/b', actions: ['pull', 'push'] }],
      });

      const form = new URLSearchParams({
        grant_type: 'password',
        username: 'testuser',
        password: 'testpass',
        service: 'x',
        scope: 'repository:a/b:pull',
      });
      const posted = await fetch(realm, { method: 'POST', body: form });
      expect(decodeJwt(((await posted.json()) as { access_token: string }).access_token).claims.access).toEqual([
        { type: 'repository', name: 'a/b', actions: ['pull'] },
      ]);

      const wrong = await fetch(`${realm}?scope=repository:a/b:pull`, {
        headers: { authorization: 'Basic ' + Buffer.from('testuser:nope').toString('base64') },
      });
      expect(wrong.status).toBe(401);

      const anonymous = (await (await fetch(`${realm}?scope=repository:a/b:pull`)).json()) as { token: string };
      expect(decodeJwt(anonymous.token).claims.access).toEqual([{ type: 'repository', name: 'a/b', actions: [] }]);
      expect(reg.tokenServer!.requests.map((r) => [r.method, r.user])).toEqual([
        ['GET', 'testuser'],
        ['POST', 'testuser'],
        ['GET', 'testuser'],
        ['GET', null],
      ]);
    } finally {
      await reg.stop();
    }
  });

  it.each([
    ['repository:demo/app:pull', { type: 'repository', name: 'demo/app', actions: ['pull'] }],
    ['repository:host:5000/app:pull,push', { type: 'repository', name: 'host:5000/app', actions: ['pull', 'push'] }],
    ['registry:catalog:*', { type: 'registry', name: 'catalog', actions: ['*'] }],
    ['nonsense', null],
  ])('parseScope(%s)', (scope, want) => {
    expect(parseScope(scope)).toEqual(want);
  });
});

describe('paginate', () => {
  const all = ['b', 'a', 'd', 'c', 'e'];
  it.each([
    ['', 2, { tags: ['a', 'b'], n: 2, last: 'b' }],
    ['n=2&last=b', 2, { tags: ['c', 'd'], n: 2, last: 'd' }],
    ['n=2&last=d', 2, { tags: ['e'], n: 2 }],
    ['n=100', 3, { tags: ['a', 'b', 'c'], n: 3, last: 'c' }],
    ['n=1', 3, { tags: ['a'], n: 1, last: 'a' }],
    ['last=zzz', 3, { tags: [], n: 3 }],
  ])('?%s with page size %d', (query, size, want) => {
    expect(paginate(all, new URLSearchParams(query), size)).toEqual(want);
  });
});
