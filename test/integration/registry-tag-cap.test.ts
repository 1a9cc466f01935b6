/**
 * A registry answering a huge tag list (an in-process HTTP server): 200,000 tags in one body or
 * in pages are accepted without blowing the stack; one more is refused with one clear error
 * naming the repository; a Link loop is one clear error.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciRegistryClient } from '../../shared/adapters/registry/oci-registry-client.ts';
import { MAX_REPOSITORY_TAGS } from '../../shared/domain/input-limits.ts';
import { PermanentError } from '../../shared/errors.ts';

const ALL = Array.from({ length: MAX_REPOSITORY_TAGS + 1 }, (_, i) => `v${i}`);
let server: Server;
let base: string;

/** `/v2/<repo>/tags/list?count=N&page=P&size=S`-style routes keyed by repository name. */
function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const repo = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname)?.[1] ?? '';
  const send = (tags: string[], link?: string) => {
    res.writeHead(200, { 'content-type': 'application/json', ...(link ? { link } : {}) });
    res.end(JSON.stringify({ name: repo, tags }));
  };
  if (repo === 'one-body') return send(ALL.slice(0, MAX_REPOSITORY_TAGS));
  if (repo === 'one-body-too-many') return send(ALL);
  if (repo === 'paged' || repo === 'paged-too-many') {
    const total = repo === 'paged' ? MAX_REPOSITORY_TAGS : MAX_REPOSITORY_TAGS + 1;
    const size = 50_000;
    const start = Number(url.searchParams.get('start') ?? '0');
    const end = Math.min(start + size, total);
    return send(ALL.slice(start, end), end < total ? `</v2/${repo}/tags/list?start=${end}>; rel="next"` : undefined);
  }
  if (repo === 'loop') {
    const start = Number(url.searchParams.get('start') ?? '0');
    return send([`t${start}`], `</v2/loop/tags/list?start=${start === 0 ? 1 : 0}>; rel="next"`);
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: repo }] }));
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const client = () => new OciRegistryClient({ apiUrl: base, timeoutMs: 5000 });

async function rejection(p: Promise<unknown>): Promise<PermanentError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PermanentError);
  expect((e as PermanentError).code).toBe('registry.bad-response');
  return e as PermanentError;
}

describe('a huge tag list', () => {
  it('accepts the cap of tags in one body', async () => {
    const tags = await client().listTags('one-body');
    expect(tags.length).toBe(MAX_REPOSITORY_TAGS);
    expect(tags.at(-1)).toBe(`v${MAX_REPOSITORY_TAGS - 1}`);
  });

  it('accepts the cap of tags in pages', async () => {
    const c = client();
    const tags = await c.listTags('paged');
    expect(tags.length).toBe(MAX_REPOSITORY_TAGS);
    expect(c.stats.byKind.tags).toBe(4);
  });

  it('refuses one tag more than the cap in one body, naming the repository', async () => {
    const e = await rejection(client().listTags('one-body-too-many'));
    expect(e.message).toContain('one-body-too-many');
    expect(e.message).toContain(`more than ${MAX_REPOSITORY_TAGS} tags`);
  });

  it('refuses one tag more than the cap over pages', async () => {
    const e = await rejection(client().listTags('paged-too-many'));
    expect(e.message).toContain('paged-too-many');
    expect(e.message).toContain(`more than ${MAX_REPOSITORY_TAGS} tags`);
  });

  it('a Link to a page already read is one clear error', async () => {
    const e = await rejection(client().listTags('loop'));
    expect(e.message).toContain('pagination does not end for loop');
    expect(e.message).toContain('already read');
  });

  it('a smaller cap can be configured', async () => {
    const c = new OciRegistryClient({ apiUrl: base, maxTags: 10 });
    const e = await rejection(c.listTags('paged'));
    expect(e.message).toContain('more than 10 tags');
  });
});
