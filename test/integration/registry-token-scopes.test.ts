/**
 * One token request for many repositories: once a token registry's realm is known, the tokens of
 * the repositories asked next come from one request with `scope=` repeated (real docker-registry,
 * in-process token server), and every repository is then listed without another token request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciRegistryClient } from '../../shared/adapters/registry/oci-registry-client.ts';
import { pushTags } from '../fixtures/images.ts';
import { startRegistry, type RegistryService } from '../services/registry.ts';

const GOOD = { username: 'testuser', password: 'testpass' };
const repos = ['scopes/a', 'scopes/b', 'scopes/c', 'scopes/d'];

let reg: RegistryService;
beforeAll(async () => {
  reg = await startRegistry({ auth: 'token' });
  for (const r of repos) await pushTags(reg, r, ['1.0']);
});
afterAll(async () => reg?.stop());

describe('token scopes', () => {
  it('asks one token for the next repositories and lists them all with it', async () => {
    const tokens = reg.tokenServer!.requests;
    const c = new OciRegistryClient({ apiUrl: reg.url, credentials: GOOD });
    expect(await c.listTags(repos[0]!)).toEqual(['1.0']); // learns the realm: one token request
    const before = tokens.length;
    await c.prepare(repos);
    expect(tokens.slice(before)).toHaveLength(1);
    expect(tokens.at(-1)!.scopes.sort()).toEqual(repos.slice(1).map((r) => `repository:${r}:pull`));
    for (const r of repos.slice(1)) expect(await c.listTags(r)).toEqual(['1.0']);
    expect(tokens.length).toBe(before + 1);
    await c.prepare(repos); // all covered: nothing asked
    expect(tokens.length).toBe(before + 1);
  });

  it('does nothing before the realm is known, and never fails', async () => {
    const tokens = reg.tokenServer!.requests;
    const before = tokens.length;
    const c = new OciRegistryClient({ apiUrl: reg.url, credentials: { username: 'testuser', password: 'wrong' } });
    await c.prepare(repos);
    expect(tokens.length).toBe(before);
    await c.listTags(repos[0]!).catch(() => undefined);
    await expect(c.prepare(repos)).resolves.toBeUndefined(); // the token request is refused: ignored
  });
});
