/**
 * A misbehaving registry (an in-process HTTP server) must give classified errors, never crashes:
 * garbage JSON, wrong shapes, digest mismatches, 429/5xx/403, endless pagination, timeouts.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OciRegistryClient } from '../../shared/adapters/registry/oci-registry-client.ts';
import { PermanentError, RateLimitedError, TransientError, type TagflowError } from '../../shared/errors.ts';
import { freePort } from '../services/registry-process.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let routes: Record<string, Handler> = {};
let server: Server;
let base: string;

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
const sha = (s: string) => 'sha256:' + createHash('sha256').update(s).digest('hex');

beforeAll(async () => {
  server = createServer((req, res) => {
    const key = `${req.method} ${req.url}`;
    const handler = routes[key] ?? routes[`* ${req.url?.split('?')[0]}`];
    if (handler) return handler(req, res);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'NOT_ROUTED', message: key }] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
beforeEach(() => {
  routes = {};
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const client = (extra: Partial<ConstructorParameters<typeof OciRegistryClient>[0]> = {}) =>
  new OciRegistryClient({ apiUrl: base, timeoutMs: 2000, ...extra });

async function failure<T extends TagflowError>(
  p: Promise<unknown>,
  cls: new (...a: never[]) => T,
  code: string,
): Promise<T> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(cls);
  expect((e as T).code).toBe(code);
  return e as T;
}

describe('malformed responses → registry.bad-response', () => {
  it.each([
    ['{"name":"x","tags":[', 'tag list is not valid JSON'],
    ['{"name":"x","tags":"latest"}', 'malformed tag list: tags:'],
    ['{"name":"x","tags":[1,2]}', 'malformed tag list: tags.0:'],
    ['[]', 'malformed tag list: (root):'],
  ])('tag list %s', async (body, message) => {
    routes['GET /v2/app/tags/list'] = json(200, body);
    const e = await failure(client().listTags('app'), PermanentError, 'registry.bad-response');
    expect(e.message).toContain(message);
  });

  it('an image manifest without config', async () => {
    routes['GET /v2/app/manifests/v1'] = json(
      200,
      { schemaVersion: 2, layers: [] },
      { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    );
    const e = await failure(client().getManifest('app', 'v1'), PermanentError, 'registry.bad-response');
    expect(e.message).toMatch(/malformed manifest app@sha256:[0-9a-f]{64}: config:/);
  });

  it('an index whose children lack digests', async () => {
    routes['GET /v2/app/manifests/v1'] = json(
      200,
      { schemaVersion: 2, manifests: [{ mediaType: 'x' }] },
      { 'content-type': 'application/vnd.oci.image.index.v1+json' },
    );
    const e = await failure(client().getManifest('app', 'v1'), PermanentError, 'registry.bad-response');
    expect(e.message).toContain('manifests.0.digest');
  });

  it('a manifest whose body does not match the requested digest', async () => {
    const digest = sha('something else');
    routes[`GET /v2/app/manifests/${digest}`] = json(
      200,
      { schemaVersion: 2, config: { digest } },
      { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    );
    const e = await failure(client().getManifest('app', digest), PermanentError, 'registry.bad-response');
    expect(e.message).toContain('content does not match its digest');
  });

  it('a config blob that is not JSON', async () => {
    const body = 'not json at all';
    routes[`GET /v2/app/blobs/${sha(body)}`] = json(200, body);
    const e = await failure(client().getImageConfig('app', sha(body)), PermanentError, 'registry.bad-response');
    expect(e.message).toContain('is not valid JSON');
  });

  it('a response over the size limit', async () => {
    routes['GET /v2/app/tags/list'] = json(
      200,
      JSON.stringify({ tags: Array.from({ length: 5000 }, (_, i) => `t${i}`) }),
    );
    const e = await failure(client({ maxBodyBytes: 1024 }).listTags('app'), PermanentError, 'registry.bad-response');
    expect(e.message).toContain('larger than 1024 bytes');
  });

  it('pagination that loops', async () => {
    routes['GET /v2/app/tags/list'] = json(200, { tags: ['a'] }, { link: '</v2/app/tags/list?last=a>; rel="next"' });
    routes['GET /v2/app/tags/list?last=a'] = json(
      200,
      { tags: ['b'] },
      { link: '</v2/app/tags/list?last=a>; rel="next"' },
    );
    const e = await failure(client().listTags('app'), PermanentError, 'registry.bad-response');
    expect(e.message).toContain('pagination does not end');
  });

  it('a pagination Link to another host is not followed', async () => {
    routes['GET /v2/app/tags/list'] = json(
      200,
      { tags: ['a'] },
      { link: '<https://evil.example/v2/app/tags/list?last=a>; rel="next"' },
    );
    const e = await failure(client().listTags('app'), PermanentError, 'registry.bad-response');
    expect(e.message).toContain('points to another host (evil.example)');
  });

  it('a token response without a token', async () => {
    routes['GET /v2/app/tags/list'] = json(
      401,
      { errors: [{ code: 'UNAUTHORIZED' }] },
      { 'www-authenticate': `Bearer realm="${base}/token",service="s"` },
    );
    routes['GET /token?service=s&scope=repository%3Aapp%3Apull'] = json(200, { expires_in: 300 });
    const e = await failure(client().listTags('app'), PermanentError, 'registry.bad-response');
    expect(e.message).toContain('neither token nor access_token');
  });
});

describe('status classification', () => {
  it('429 → RateLimitedError with Retry-After', async () => {
    routes['GET /v2/app/tags/list'] = json(
      429,
      { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] },
      { 'retry-after': '12' },
    );
    const e = await failure(client().listTags('app'), RateLimitedError, 'registry.rate-limited');
    expect(e.retryAfterMs).toBe(12_000);
    expect(e.message).toContain('HTTP 429 TOOMANYREQUESTS slow down');
  });

  it('500 → TransientError registry.unavailable', async () => {
    routes['GET /v2/app/tags/list'] = json(500, 'oops');
    await failure(client().listTags('app'), TransientError, 'registry.unavailable');
  });

  it('503 on a token request → TransientError', async () => {
    routes['GET /v2/app/tags/list'] = json(401, '', { 'www-authenticate': `Bearer realm="${base}/token"` });
    routes['GET /token?scope=repository%3Aapp%3Apull'] = json(503, 'maintenance');
    await failure(client().listTags('app'), TransientError, 'registry.unavailable');
  });

  it('403 → registry.forbidden', async () => {
    routes['HEAD /v2/app/manifests/v1'] = json(403, '');
    await failure(client().headManifest('app', 'v1'), PermanentError, 'registry.forbidden');
  });

  it('401 with an unusable challenge → registry.unauthorized', async () => {
    routes['GET /v2/app/tags/list'] = json(401, '', { 'www-authenticate': 'Bearer service="no-realm"' });
    await failure(
      client({ credentials: { username: 'u', password: 'p' } }).listTags('app'),
      PermanentError,
      'registry.unauthorized',
    );
  });

  it('an unsupported manifest type (schema 1) → registry.unsupported-manifest', async () => {
    routes['GET /v2/app/manifests/old'] = json(
      200,
      { schemaVersion: 1, name: 'app' },
      { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' },
    );
    await failure(client().getManifest('app', 'old'), PermanentError, 'registry.unsupported-manifest');
  });
});

describe('network failures → TransientError', () => {
  it('a registry that never answers times out', async () => {
    routes['GET /v2/app/tags/list'] = () => undefined;
    const e = await failure(client({ timeoutMs: 200 }).listTags('app'), TransientError, 'registry.unavailable');
    expect(e.message).toContain('no answer within 200 ms');
  });

  it('connection refused', async () => {
    const c = new OciRegistryClient({ apiUrl: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
    const e = await failure(c.listTags('app'), TransientError, 'registry.unavailable');
    expect(e.message).toContain('ECONNREFUSED');
  });
});

describe('tolerated variations', () => {
  it('HEAD without Docker-Content-Digest falls back to GET and hashes the body', async () => {
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { digest: sha('c') },
    });
    routes['HEAD /v2/app/manifests/v1'] = (_q, res) =>
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end();
    routes['GET /v2/app/manifests/v1'] = json(200, body, { 'content-type': 'application/json' });
    expect(await client().headManifest('app', 'v1')).toEqual({
      digest: sha(body),
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
  });

  it('a config without labels or created gives labels {}', async () => {
    const body = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: null } });
    routes[`GET /v2/app/blobs/${sha(body)}`] = json(200, body);
    expect(await client().getImageConfig('app', sha(body))).toEqual({ architecture: 'amd64', os: 'linux', labels: {} });
  });

  it('follows a blob redirect to storage on another host without sending our credentials there', async () => {
    const body = JSON.stringify({ created: '2021-01-01T00:00:00Z', architecture: 'amd64', os: 'linux' });
    let storageAuth: string | undefined = 'unset';
    const storage = createServer((req, res) => {
      storageAuth = req.headers.authorization;
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
    });
    await new Promise<void>((r) => storage.listen(0, '127.0.0.1', r));
    try {
      const port = (storage.address() as AddressInfo).port;
      routes[`GET /v2/app/blobs/${sha(body)}`] = (req, res) => {
        if (!req.headers.authorization) return json(401, '', { 'www-authenticate': 'Basic realm="r"' })(req, res);
        res.writeHead(307, { location: `http://localhost:${port}/bucket/blob?sig=1` }).end();
      };
      const c = client({ credentials: { username: 'u', password: 'p' } });
      expect((await c.getImageConfig('app', sha(body))).created).toBe('2021-01-01T00:00:00Z');
      expect(storageAuth).toBeUndefined();
    } finally {
      storage.closeAllConnections();
      await new Promise((r) => storage.close(r));
    }
  });

  it('access_token from a POST-style token response is accepted', async () => {
    let auth = '';
    routes['GET /v2/app/tags/list'] = (req, res) => {
      if (req.headers.authorization === 'Bearer T1') return json(200, { tags: ['x'] })(req, res);
      json(401, '', { 'www-authenticate': `Bearer realm="${base}/token",service="s",scope="repository:app:pull"` })(
        req,
        res,
      );
    };
    routes['GET /token?service=s&scope=repository%3Aapp%3Apull'] = (req, res) => {
      auth = String(req.headers.authorization);
      json(200, { access_token: 'T1', expires_in: 60 })(req, res);
    };
    expect(await client({ credentials: { username: 'u', password: 'p' } }).listTags('app')).toEqual(['x']);
    expect(auth).toBe('Basic ' + Buffer.from('u:p').toString('base64'));
  });
});
