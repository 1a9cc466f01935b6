/**
 * Registry webhooks through the real HTTP servers (the api role's route and the --webhook-port
 * listener) into the real pipeline: every sample body of ../shared/compat/webhooks (its repository
 * rewritten only where the sample's is not a valid registry name) polls the right repository, and
 * the app tracking it is updated from what the registry says; refused requests enqueue nothing.
 */
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startApi, type ApiServer } from '../../apps/api/main.ts';
import { recentWebhookEvents } from '../../apps/api/webhooks/events.ts';
import { startWebhookListener } from '../../apps/api/webhooks/listener.ts';
import { webhookLimiter, webhookRoutes, type WebhookServices } from '../../apps/api/webhooks/routes.ts';
import { hubSignature } from '../../shared/domain/webhook/secret.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import { opaqueSecret, updaterConfig } from '../services/kube-fixtures.ts';
import { SEED_PREFIX, writebackSuite } from '../fixtures/writeback-environment.ts';
import { sample } from '../fixtures/webhook-samples.ts';
import { startPipeline, until, type Pipeline } from '../helpers/pipeline.ts';

const suite = writebackSuite();
const SECRETS = {
  docker: 'docker-s3cret',
  ghcr: 'test-webhook-secret',
  quay: 'quay-s3cret',
  'aliyun-acr': 'acr-s3cret',
  distribution: 'dist-s3cret',
};
/** harbor's secret comes from the Secret argocd-image-updater-secret of the control plane. */
const HARBOR_SECRET = 'harbor-from-secret';
const ACR_EE = 'acme-registry.cn-hangzhou.cr.aliyuncs.com';
const HOSTS = ['docker.io', 'ghcr.io', 'quay.io', 'hub.harbor.com', 'registry.example.com', ACR_EE];

interface Hook {
  name: string;
  host: string;
  repository: string;
  path: string;
  body: string;
  headers: Record<string, string>;
}

function hooks(): Hook[] {
  const acr = (repo: string) => {
    const b = JSON.parse(sample('acr.json')) as { repository: Record<string, string> };
    const [namespace, name] = repo.split('/') as [string, string];
    Object.assign(b.repository, { repo_full_name: repo, namespace, name });
    return JSON.stringify(b);
  };
  const ghcr = sample('ghcr.json');
  return [
    {
      name: 'docker',
      host: 'docker.io',
      repository: 'svendowideit/testhook',
      path: `/webhook?type=docker.io&secret=${SECRETS.docker}`,
      body: sample('dockerhub.json'),
      headers: {},
    },
    {
      name: 'ghcr',
      host: 'ghcr.io',
      repository: 'acme-dev/www',
      path: '/webhook',
      body: ghcr,
      headers: {
        'x-registry-type': 'ghcr.io',
        'x-github-event': 'package',
        'x-hub-signature-256': hubSignature(SECRETS.ghcr, ghcr),
      },
    },
    {
      name: 'harbor',
      host: 'hub.harbor.com',
      repository: 'test-webhook/debian',
      path: '/webhook?type=harbor',
      body: sample('harbor.json'),
      headers: { authorization: HARBOR_SECRET },
    },
    {
      name: 'quay',
      host: 'quay.io',
      repository: 'dgangaia/test',
      path: `/webhook?type=quay.io&secret=${SECRETS.quay}`,
      body: sample('quay.json'),
      headers: {},
    },
    {
      name: 'acr-pe',
      host: SEED_PREFIX,
      repository: 'hooks/acr-pe',
      path: `/webhook?type=aliyun-acr&secret=${SECRETS['aliyun-acr']}`,
      body: acr('hooks/acr-pe'),
      headers: {},
    },
    {
      name: 'acr-ee',
      host: ACR_EE,
      repository: 'hooks/acr-ee',
      path: `/webhook?type=aliyun-acr&secret=${SECRETS['aliyun-acr']}&registry_url=${ACR_EE}`,
      body: acr('hooks/acr-ee'),
      headers: {},
    },
    {
      name: 'distribution',
      host: 'registry.example.com',
      repository: 'team/app',
      path: '/webhook?type=distribution',
      body: sample('distribution.json'),
      headers: { authorization: `Bearer ${SECRETS.distribution}` },
    },
  ];
}

function post(
  port: number,
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
  chunked = false,
) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(chunked ? {} : { 'content-length': Buffer.byteLength(body) }),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', (e) => (req.writableEnded ? undefined : reject(e)));
    if (chunked) {
      const buf = Buffer.from(body);
      for (let i = 0; i < buf.length; i += 64 * 1024) req.write(buf.subarray(i, i + 64 * 1024));
      req.end();
    } else req.end(body);
  });
}

interface Servers {
  api: ApiServer;
  listener: ApiServer;
  close(): Promise<void>;
}

async function serve(p: Pipeline, o: { rateLimit?: number; secrets?: Record<string, string> } = {}): Promise<Servers> {
  const s: WebhookServices & { ping(): Promise<void> } = {
    ...p.rt,
    settings: {
      config: { webhookSecrets: o.secrets ?? SECRETS, webhookRequireSecret: true, webhookRateLimit: o.rateLimit ?? 0 },
    },
  };
  const limiter = webhookLimiter(s);
  const log = createLogger({ level: 'warn', format: 'json' });
  const api = await startApi({
    log,
    ping: p.rt.ping,
    routes: webhookRoutes(s, { limiter }),
    host: '127.0.0.1',
    port: 0,
  });
  const listener = await startWebhookListener(s, { host: '127.0.0.1', port: 0 }, { limiter });
  return { api, listener, close: async () => void (await Promise.all([api.close(), listener.close()])) };
}

const tagParam = (app: Record<string, any> | undefined) =>
  (app?.spec?.source?.helm?.parameters as { name: string; value: string }[] | undefined)?.find(
    (x) => x.name === 'image.tag',
  )?.value;

async function pollJobs(p: Pipeline): Promise<number> {
  const c = (await p.rt.sink.counts()).poll;
  return Object.values(c).reduce((a, b) => a + b, 0);
}

function registriesConf(url: string): string {
  const entry = (name: string, prefix: string) => [
    `- name: ${name}`,
    `  api_url: ${url}`,
    `  prefix: ${prefix}`,
    '  credentials: secret:argocd/acr#acr',
  ];
  return ['registries:', ...entry('ACR', SEED_PREFIX), ...HOSTS.flatMap((h, i) => entry(`hook-${i}`, h)), ''].join(
    '\n',
  );
}

describe('registry webhooks', () => {
  it('every sample body polls its repository and the app tracking it is updated (api route and --webhook-port listener)', async () => {
    const env = suite.env;
    env.kube.put(updaterConfig('argocd', registriesConf(env.registry.url)));
    env.kube.put(opaqueSecret('argocd', 'argocd-image-updater-secret', { 'webhook.harbor-secret': HARBOR_SECRET }));
    const all = hooks();
    for (const h of all) {
      await env.pushTags(h.repository, ['v1.0']);
      env.app({ name: `hook-${h.name}`, image: `${h.host}/${h.repository}`, writeBack: 'argocd', running: 'v1.0' });
    }
    suite.pipeline = await startPipeline(env.kubeconfigPath, { roles: ['scheduler', 'registry', 'select', 'patch'] });
    const p = suite.pipeline;
    expect(await p.runOnce()).toMatchObject({ applications: all.length, images_updated: 0, errors: 0 });
    const servers = await serve(p);
    try {
      for (const [i, h] of all.entries()) {
        await env.pushTags(h.repository, ['v1.1']);
        const port = i % 2 === 0 ? servers.api.port : servers.listener.port;
        const answer = await post(port, h.path, h.body, h.headers);
        expect(answer, h.name).toEqual({ status: 200, text: 'Webhook received and processing\n' });
        await until(
          () => tagParam(env.application(`hook-${h.name}`)) === 'v1.1',
          30_000,
          `hook-${h.name} patched to v1.1`,
        );
      }
      const events = await recentWebhookEvents(p.rt.audit, 20);
      expect(events).toHaveLength(all.length);
      expect(events.every((e) => e.outcome === 'accepted' && e.status === 200)).toBe(true);
      expect(events.map((e) => e.repos[0]).reverse()).toEqual(all.map((h) => `${h.host}/${h.repository}@tagflow-test`));
      const audit = JSON.stringify(await p.rt.audit.query({ limit: 500 }));
      for (const secret of [...Object.values(SECRETS), HARBOR_SECRET]) expect(audit).not.toContain(secret);
    } finally {
      await servers.close();
      env.kube.delete('v1', 'secrets', 'argocd', 'argocd-image-updater-secret');
    }
  }, 120_000);

  it('refuses bad requests cleanly with nothing enqueued: secrets, signatures, size, JSON, type', async () => {
    const env = suite.env;
    env.kube.put(updaterConfig('argocd', registriesConf(env.registry.url)));
    await env.pushTags('team/app', ['v1.0']);
    env.app({ name: 'refused', image: 'registry.example.com/team/app', writeBack: 'argocd', running: 'v1.0' });
    suite.pipeline = await startPipeline(env.kubeconfigPath, { roles: ['scheduler', 'registry', 'select', 'patch'] });
    const p = suite.pipeline;
    await p.runOnce();
    const servers = await serve(p);
    const port = servers.api.port;
    const dist = sample('distribution.json');
    const ghcr = sample('ghcr.json');
    try {
      const before = await pollJobs(p);
      const cases: [string, Promise<{ status: number; text: string }>, number, RegExp][] = [
        ['no Authorization', post(port, '/webhook?type=distribution', dist), 401, /Authorization header is missing/],
        [
          'wrong Authorization',
          post(port, '/webhook?type=distribution', dist, { authorization: 'Bearer nope' }),
          401,
          /invalid webhook secret/,
        ],
        [
          'wrong ?secret=',
          post(port, '/webhook?type=docker.io&secret=nope', sample('dockerhub.json')),
          401,
          /invalid webhook secret/,
        ],
        [
          'wrong signature',
          post(port, '/webhook?type=ghcr.io', ghcr, {
            'x-github-event': 'package',
            'x-hub-signature-256': hubSignature('nope', ghcr),
          }),
          401,
          /invalid webhook signature/,
        ],
        [
          'signature of another body',
          post(port, '/webhook?type=ghcr.io', `${ghcr} `, {
            'x-github-event': 'package',
            'x-hub-signature-256': hubSignature(SECRETS.ghcr, ghcr),
          }),
          401,
          /invalid webhook signature/,
        ],
        [
          'no secret configured',
          post(port, '/webhook?type=harbor', sample('harbor.json'), { authorization: 'x' }),
          401,
          /--harbor-webhook-secret, HARBOR_WEBHOOK_SECRET or key webhook\.harbor-secret/,
        ],
        ['oversized', post(port, '/webhook?type=distribution', Buffer.alloc((1 << 20) + 1, 32)), 413, /too large/],
        [
          'oversized, chunked',
          post(port, '/webhook?type=distribution', Buffer.alloc((1 << 20) + 1, 32), {}, true),
          413,
          /too large/,
        ],
        [
          'malformed JSON',
          post(port, '/webhook?type=distribution', '{"events": [', { authorization: SECRETS.distribution }),
          400,
          /distribution: the body is not JSON/,
        ],
        [
          'wrong shape',
          post(port, '/webhook?type=distribution', '{"foo":1}', { authorization: SECRETS.distribution }),
          400,
          /events is missing/,
        ],
        ['unknown type', post(port, '/webhook?type=gitlab', dist), 400, /invalid registry type gitlab/],
        ['no type', post(port, '/webhook', dist), 400, /missing registry type/],
      ];
      for (const [what, answer, status, text] of cases) {
        const a = await answer;
        expect(a.status, what).toBe(status);
        expect(a.text, what).toMatch(text);
      }
      expect(await pollJobs(p)).toBe(before);
      const events = await recentWebhookEvents(p.rt.audit, 50);
      expect(events).toHaveLength(cases.length);
      expect(events.every((e) => e.outcome === 'refused')).toBe(true);
      expect(JSON.stringify(events)).not.toContain('nope');

      // an untracked repository: 202, recorded, nothing polled; a blob-only notification: 202 ignored
      const other = dist.replaceAll('team/app', 'team/untracked');
      expect(await post(port, '/webhook?type=distribution', other, { authorization: SECRETS.distribution })).toEqual({
        status: 202,
        text: 'Webhook received: no tracked image uses registry.example.com/team/untracked\n',
      });
      const blobs = JSON.stringify({ events: [(JSON.parse(dist) as { events: unknown[] }).events[1]] });
      expect(
        (await post(port, '/webhook?type=distribution', blobs, { authorization: SECRETS.distribution })).status,
      ).toBe(202);
      expect(await pollJobs(p)).toBe(before);
      expect((await recentWebhookEvents(p.rt.audit, 2)).map((e) => e.outcome)).toEqual(['ignored', 'unmatched']);
    } finally {
      await servers.close();
    }
  }, 60_000);

  it('--webhook-ratelimit-allowed: authenticated requests over the hourly allowance get 429, on both ports together', async () => {
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, { roles: ['select'] });
    const servers = await serve(suite.pipeline, { rateLimit: 2 });
    const untracked = sample('distribution.json').replaceAll('team/app', 'team/none');
    const auth = { authorization: SECRETS.distribution };
    try {
      expect((await post(servers.api.port, '/webhook?type=distribution', untracked, auth)).status).toBe(202);
      // an unauthenticated request does not use up the allowance
      expect((await post(servers.listener.port, '/webhook?type=distribution', untracked)).status).toBe(401);
      expect((await post(servers.listener.port, '/webhook?type=distribution', untracked, auth)).status).toBe(202);
      const over = await post(servers.api.port, '/webhook?type=distribution', untracked, auth);
      expect(over).toEqual({
        status: 429,
        text: 'webhook rate limit reached (--webhook-ratelimit-allowed per hour)\n',
      });
    } finally {
      await servers.close();
    }
  }, 60_000);
});
