/**
 * Link pagination, really exercised: distribution 2.8 ignores `n`/`last`, so a paginating proxy
 * sits in front of the real registry (sorted pages, `Link: <…>; rel="next"`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciRegistryClient } from '../../shared/adapters/registry/oci-registry-client.ts';
import { pushTags } from '../fixtures/images.ts';
import { startPaginatingProxy, type PaginatingProxy } from '../services/registry-proxy.ts';
import { startRegistry, type RegistryService } from '../services/registry.ts';

const TAGS = ['1.0.0', '1.1.0', '1.2.0', '2.0.0', '2.0.1', '2.1.0', 'latest'];

let reg: RegistryService;
let tokenReg: RegistryService;
const proxies: PaginatingProxy[] = [];

beforeAll(async () => {
  [reg, tokenReg] = await Promise.all([startRegistry(), startRegistry({ auth: 'token' })]);
  await pushTags(reg, 'demo/paged', TAGS);
  await pushTags(tokenReg, 'demo/paged', TAGS);
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  await Promise.all([reg?.stop(), tokenReg?.stop()]);
});

async function proxy(upstream: RegistryService, pageSize: number, absoluteLinks = false): Promise<PaginatingProxy> {
  const p = await startPaginatingProxy({ upstream: upstream.url, pageSize, absoluteLinks });
  proxies.push(p);
  return p;
}

describe('tag list pagination', () => {
  it('follows relative Links through every page', async () => {
    const p = await proxy(reg, 2);
    const c = new OciRegistryClient({ apiUrl: p.url });
    expect(await c.listTags('demo/paged')).toEqual([...TAGS].sort());
    expect(c.stats.byKind.tags).toBe(4);
    expect(p.requests).toEqual([
      'GET /v2/demo/paged/tags/list',
      'GET /v2/demo/paged/tags/list?n=2&last=1.1.0',
      'GET /v2/demo/paged/tags/list?n=2&last=2.0.0',
      'GET /v2/demo/paged/tags/list?n=2&last=2.1.0',
    ]);
  });

  it('follows absolute Links and sends the configured page size', async () => {
    const p = await proxy(reg, 3, true);
    const c = new OciRegistryClient({ apiUrl: p.url, pageSize: 3 });
    expect(await c.listTags('demo/paged')).toEqual([...TAGS].sort());
    expect(p.requests).toEqual([
      'GET /v2/demo/paged/tags/list?n=3',
      'GET /v2/demo/paged/tags/list?n=3&last=1.2.0',
      'GET /v2/demo/paged/tags/list?n=3&last=2.1.0',
    ]);
  });

  it('keeps one token across pages of a token-authenticated registry', async () => {
    const p = await proxy(tokenReg, 2);
    const c = new OciRegistryClient({ apiUrl: p.url, credentials: { username: 'testuser', password: 'testpass' } });
    expect(await c.listTags('demo/paged')).toEqual([...TAGS].sort());
    // first page: 401 then retry with the token; three more pages with the cached token
    expect(c.stats.byKind).toMatchObject({ tags: 5, token: 1 });
  });

  it('a single page when everything fits', async () => {
    const p = await proxy(reg, 100);
    const c = new OciRegistryClient({ apiUrl: p.url });
    expect((await c.listTags('demo/paged')).length).toBe(TAGS.length);
    expect(c.stats.byKind.tags).toBe(1);
  });
});
