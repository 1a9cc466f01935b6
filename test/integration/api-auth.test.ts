/**
 * Authentication of the api role over plain HTTP: the dashboard and the JSON API need the token
 * (bearer or a signed-in session), health, metrics and webhooks do not; with no token configured
 * the protected paths answer 401 saying how to set one; sign-in cookies are HttpOnly, SameSite=Strict
 * and never hold the token; state-changing POSTs need the session's CSRF token and our own Origin.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionOptions } from '../../shared/adapters/redis/connection.ts';
import { startKubeApiServer, type KubeApiServer } from '../services/kube-api-server.ts';
import { startApiRole, type ApiRole } from '../helpers/api-role.ts';
import { dropPrefix, until } from '../helpers/pipeline.ts';
import { TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const TOKEN = 'dashboard-T0ken-for-tests-4f9a';
let dir: string;
let kube: KubeApiServer;
let kubeconfig: string;
const prefixes: string[] = [];
const roles: ApiRole[] = [];

async function role(env: Record<string, string | undefined>, flags: { apiTokenFile?: string } = {}) {
  const prefix = uniquePrefix('auth');
  prefixes.push(prefix);
  const r = await startApiRole(kubeconfig, prefix, env, flags);
  roles.push(r);
  return { ...r, prefix };
}

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers, redirect: 'manual' });
const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    redirect: 'manual',
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tagflow-api-auth-'));
  kube = await startKubeApiServer();
  kubeconfig = await kube.writeKubeconfig(dir, 'argocd');
}, 30_000);

afterAll(async () => {
  for (const r of roles) await r.close();
  for (const p of prefixes) await dropPrefix(p);
  await kube?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('api role with a token', () => {
  let api: Awaited<ReturnType<typeof role>>;
  beforeAll(async () => {
    api = await role({ TAGFLOW_API_TOKEN: TOKEN });
  }, 30_000);

  it('refuses the API without a token or with a wrong one, and answers with the right one', async () => {
    for (const path of ['/api/v1/apps', '/api/v1/audit', '/api/v1/queues', '/api/v1/registries']) {
      const none = await get(api.url + path);
      expect(none.status, path).toBe(401);
      expect(none.headers.get('www-authenticate')).toContain('Bearer');
      expect((await get(api.url + path, { authorization: `Bearer ${TOKEN}x` })).status, path).toBe(401);
      expect((await get(api.url + path, { authorization: `Basic ${TOKEN}` })).status, path).toBe(401);
      const ok = await get(api.url + path, { authorization: `Bearer ${TOKEN}` });
      expect(ok.status, path).toBe(200);
      expect(ok.headers.get('content-type')).toContain('application/json');
    }
    const apps = (await (await get(`${api.url}/api/v1/apps`, { authorization: `Bearer ${TOKEN}` })).json()) as any;
    expect(apps).toMatchObject({ rows: [], total: 0 });
    const bad = await get(`${api.url}/api/v1/audit?since=yesterday-ish`, { authorization: `Bearer ${TOKEN}` });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error).toContain('since');
  });

  it('sends a signed-out browser to the sign-in page; health, metrics and webhooks stay open', async () => {
    const page = await get(`${api.url}/dashboard/queues`);
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2Fdashboard%2Fqueues');
    expect((await get(`${api.url}/login`)).status).toBe(200);
    expect((await get(`${api.url}/healthz`)).status).toBe(200);
    const metrics = await get(`${api.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE');
    const hook = await fetch(`${api.url}/webhook?type=docker.io`, { method: 'POST', body: '{}' });
    expect(hook.status).not.toBe(303);
    expect(await hook.text()).not.toMatch(/sign in at \/login|Authorization: Bearer|no API token/);
  });

  it('signs in with the token: an HttpOnly SameSite=Strict cookie without the token, Secure over https', async () => {
    const origin = { origin: api.url };
    const wrong = await post(`${api.url}/login`, `token=nope&next=%2Fdashboard`, origin);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const foreign = await post(`${api.url}/login`, `token=${TOKEN}`, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);

    const ok = await post(`${api.url}/login`, `token=${TOKEN}&next=%2Fdashboard%2Fqueues`, origin);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/dashboard/queues');
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^tagflow_session=[^;]+;/);
    for (const attr of ['HttpOnly', 'SameSite=Strict', 'Path=/']) expect(cookie).toContain(attr);
    expect(cookie).not.toContain('Secure');
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(';')[0]!;
    const signedIn = await get(`${api.url}/dashboard`, { cookie: session });
    expect(signedIn.status).toBe(200);
    expect(await signedIn.text()).toContain('<h1>Fleet</h1>');
    const tampered = session.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await get(`${api.url}/dashboard`, { cookie: tampered })).status).toBe(303);
    expect((await get(`${api.url}/api/v1/apps`, { cookie: session })).status).toBe(200);

    const https = await post(`${api.url}/login`, `token=${TOKEN}`, {
      origin: api.url.replace('http:', 'https:'),
      'x-forwarded-proto': 'https',
    });
    expect(https.status).toBe(303);
    expect(https.headers.get('set-cookie')).toMatch(/; Secure/);
    const open = await post(`${api.url}/login`, `token=${TOKEN}&next=%2F%2Fevil.example`, origin);
    expect(open.headers.get('location')).toBe('/dashboard');
  });

  it('retries a failed job only with a session, its CSRF token and our own Origin', async () => {
    const connection = connectionOptions(TEST_REDIS_URL);
    const queue = new Queue('patch', { connection, prefix: api.prefix });
    const worker = new Worker(
      'patch',
      async () => {
        throw new UnrecoverableError('patch refused by the test');
      },
      { connection, prefix: api.prefix },
    );
    try {
      const job = await queue.add('patch', { app: 'tagflow-test/argocd/demo' });
      await until(async () => (await job.getState()) === 'failed', 15_000, 'the job to fail');
      await worker.close();
      const login = await post(`${api.url}/login`, `token=${TOKEN}`, { origin: api.url });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const page = await (await get(`${api.url}/dashboard/queues`, { cookie })).text();
      expect(page).toContain('patch refused by the test');
      const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
      const action = `${api.url}/dashboard/queues/patch/jobs/${job.id}/retry`;

      expect((await post(action, '', { cookie, origin: api.url })).status).toBe(403); // no CSRF token
      expect((await post(action, 'csrf=forged', { cookie, origin: api.url })).status).toBe(403);
      expect((await post(action, `csrf=${csrf}`, { cookie, origin: 'https://evil.example' })).status).toBe(403);
      expect((await post(action, `csrf=${csrf}`, { cookie })).status).toBe(403); // neither Origin nor Referer
      expect((await post(action, `csrf=${csrf}`, { origin: api.url })).status).toBe(401); // no session
      expect((await post(action, `csrf=${csrf}`, { authorization: `Bearer ${TOKEN}`, origin: api.url })).status).toBe(
        401,
      ); // a bare token is no session
      expect(await job.getState()).toBe('failed');

      const done = await post(action, `csrf=${csrf}`, { cookie, origin: api.url });
      expect(done.status).toBe(303);
      expect(done.headers.get('location')).toContain('/dashboard/queues?done=');
      expect(await job.getState()).toBe('waiting');
      expect((await post(action, `csrf=${csrf}`, { cookie, origin: api.url })).status).toBe(404); // no longer failed
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});

describe('api role without a token', () => {
  it('answers 401 with how to set one on the dashboard and the API; health and metrics work', async () => {
    const api = await role({ TAGFLOW_API_TOKEN: undefined });
    for (const path of ['/dashboard', '/api/v1/apps', '/api/v1/audit', '/login']) {
      const r = await get(api.url + path, { authorization: 'Bearer anything' });
      expect(r.status, path).toBe(401);
      expect(await r.text(), path).toContain('set TAGFLOW_API_TOKEN or pass --api-token-file');
    }
    expect((await get(`${api.url}/api/v1/registries`)).status).toBe(401);
    expect((await get(`${api.url}/healthz`)).status).toBe(200);
    expect((await get(`${api.url}/metrics`)).status).toBe(200);
  }, 30_000);

  it('reads --api-token-file at start (trimmed); an empty file is an error naming the flag', async () => {
    const file = join(dir, 'token');
    await writeFile(file, `  file-T0ken-77\n`);
    const api = await role({ TAGFLOW_API_TOKEN: TOKEN }, { apiTokenFile: file });
    expect((await get(`${api.url}/api/v1/apps`, { authorization: 'Bearer file-T0ken-77' })).status).toBe(200);
    expect((await get(`${api.url}/api/v1/apps`, { authorization: `Bearer ${TOKEN}` })).status).toBe(401);
    await writeFile(file, '\n');
    await expect(role({}, { apiTokenFile: file })).rejects.toThrow(/--api-token-file: .* is empty/);
  }, 30_000);
});

describe('sign-in throttle', () => {
  it('after 10 wrong tokens from one address, even the right one gets 429 with Retry-After', async () => {
    const api = await role({ TAGFLOW_API_TOKEN: TOKEN });
    const origin = { origin: api.url };
    for (let i = 0; i < 10; i++) expect((await post(`${api.url}/login`, `token=guess-${i}`, origin)).status).toBe(401);
    const held = await post(`${api.url}/login`, `token=${TOKEN}`, origin);
    expect(held.status).toBe(429);
    expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(held.headers.get('set-cookie')).toBeNull();
    // the bearer API of tools is not a sign-in: it keeps working with the right token
    expect((await get(`${api.url}/api/v1/apps`, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });
});
