/**
 * /metrics and the probes with the real pipeline: a cycle over a few apps (real registry, kube
 * stand-in), then /metrics scraped over HTTP and parsed strictly as Prometheus text; the anchor's
 * gauges and counters match the cycle's results line. /readyz fails while a control plane is down.
 * The real `tagflow run --metrics-port` serves the same names on its own listener.
 */
import { freePort } from '../services/registry-process.ts';
import { describe, expect, it } from 'vitest';
import { startApi } from '../../apps/api/main.ts';
import { metricsRoutes, readinessCheck } from '../../apps/api/metrics/index.ts';
import { SEED_PREFIX, writebackSuite } from '../fixtures/writeback-environment.ts';
import { spawnTagflow } from '../helpers/cli.ts';
import { dropPrefix, startPipeline, until, type Pipeline } from '../helpers/pipeline.ts';
import { parsePrometheusText, type Exposition } from '../helpers/prometheus.ts';
import { TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const suite = writebackSuite();
const A = 'argocd_image_updater_';

async function get(url: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

async function scrape(base: string): Promise<Exposition> {
  const res = await get(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(res.body);
}

/** The api role's routes for the pipeline's services, on an ephemeral port. */
async function serve(p: Pipeline) {
  const api = await startApi({
    log: p.rt.log,
    ping: p.rt.ping,
    ready: readinessCheck({ ...p.rt, cacheMs: 200, timeoutMs: 1500 }),
    routes: metricsRoutes(p.rt.metrics),
    host: '127.0.0.1',
    port: 0,
  });
  return { api, base: `http://127.0.0.1:${api.port}` };
}

describe('metrics', () => {
  it("serves the anchor's names with the values of a cycle's results line, and tagflow's own", async () => {
    const apps = ['m-one', 'm-two', 'm-three'].map((name) => suite.env.app({ name, writeBack: 'argocd' }));
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);
    const p = suite.pipeline;
    const summary = await p.runOnce();
    expect(summary).toMatchObject({ applications: 3, images_considered: 3, images_updated: 3, errors: 0 });
    const line = await until(() => p.logs().find((l) => String(l.msg).startsWith('Processing results:')), 10_000);
    expect(line.msg).toContain(`applications=3 images_considered=3 images_skipped=0 images_updated=3 errors=0`);
    p.rt.metrics.webhookEvents.inc({ type: 'docker.io', outcome: 'enqueued' });

    const { api, base } = await serve(p);
    try {
      // the full cycle's gauges are recorded in Redis by the process that finished it, just after its line
      const m = await until(async () => {
        const e = await scrape(base);
        return e.find(`${A}applications_watched_total`)[0]?.value === summary.applications ? e : undefined;
      }, 10_000);
      expect(m.types.get(`${A}applications_watched_total`)).toBe('gauge');
      expect(m.value(`${A}images_watched_total`)).toBe(summary.images_considered);
      expect(m.types.get(`${A}images_updated_total`)).toBe('counter');
      expect(m.value(`${A}images_updated_total`)).toBe(summary.images_updated);
      expect(m.value(`${A}images_errors_total`)).toBe(summary.errors);
      expect(m.value(`${A}registry_requests_total`, { registry: SEED_PREFIX })).toBeGreaterThan(0);
      // nothing failed (the first request's 401 is the auth challenge, answered by the token flow)
      expect(m.types.get(`${A}registry_requests_failed_total`)).toBe('counter');
      expect(m.find(`${A}registry_requests_failed_total`, { registry: SEED_PREFIX }).map((s) => s.value)).toEqual([]);
      expect(m.types.get(`${A}k8s_api_requests_total`)).toBe('counter');

      // registry requests by registry and status: the tag list answered 200
      const ok = m.find('tagflow_registry_requests_total', { registry: SEED_PREFIX, kind: 'tags', status: '200' });
      expect(ok).toHaveLength(1);
      expect(ok[0]!.value).toBeGreaterThan(0);
      // one interval cycle, measured
      expect(m.value('tagflow_cycle_duration_seconds_count', { scope: 'all' })).toBe(1);
      // job durations per queue: the cycle, its polls, its checks and the three patches
      for (const queue of ['cycle', 'poll', 'select', 'patch'])
        expect(m.value('tagflow_job_duration_seconds_count', { queue, outcome: 'completed' }), queue).toBeGreaterThan(
          0,
        );
      expect(m.value('tagflow_job_duration_seconds_count', { queue: 'patch', outcome: 'completed' })).toBe(3);
      // queue depths per queue and state, read from BullMQ
      for (const queue of ['cycle', 'poll', 'select', 'patch', 'commit'])
        for (const state of ['waiting', 'active', 'delayed', 'failed'])
          expect(m.find('tagflow_queue_jobs', { queue, state }), `${queue} ${state}`).toHaveLength(1);
      expect(m.value('tagflow_queue_jobs', { queue: 'patch', state: 'failed' })).toBe(0);
      // the age of each app's last successful check
      const cp = p.rt.controlPlanes.names[0]!;
      for (const app of apps) {
        const age = m.value('tagflow_app_last_check_age_seconds', { app: `${cp}/argocd/${app}` });
        expect(age).toBeGreaterThanOrEqual(0);
        expect(age).toBeLessThan(120);
      }
      expect(m.find('tagflow_app_last_check_age_seconds')).toHaveLength(3);
      expect(m.value('tagflow_webhook_events_total', { type: 'docker.io', outcome: 'enqueued' })).toBe(1);
      expect(m.find('process_resident_memory_bytes')).toHaveLength(1);

      // a second cycle adds to the counters; the gauges stay the fleet's size
      const second = await p.runOnce();
      const m2 = await until(async () => {
        const e = await scrape(base);
        return e.value('tagflow_cycle_duration_seconds_count', { scope: 'all' }) === 2 ? e : undefined;
      }, 10_000);
      expect(m2.value(`${A}images_updated_total`)).toBe(summary.images_updated + second.images_updated);
      expect(m2.value(`${A}applications_watched_total`)).toBe(second.applications);
      expect(m2.value(`${A}registry_requests_total`, { registry: SEED_PREFIX })).toBeGreaterThan(
        m.value(`${A}registry_requests_total`, { registry: SEED_PREFIX }),
      );
    } finally {
      await api.close();
    }
  }, 90_000);

  it('/healthz answers; /readyz is 503 naming the control plane while it is down, 200 when every one answers', async () => {
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, { roles: ['registry'] });
    const { api, base } = await serve(suite.pipeline);
    const cp = suite.pipeline.rt.controlPlanes.names[0]!;
    try {
      expect(await get(`${base}/healthz`)).toMatchObject({ status: 200, body: 'OK\n' });
      expect(await get(`${base}/readyz`)).toMatchObject({ status: 200, body: 'OK\n' });
      await suite.env.kube.outageStart({ mode: 'status', status: 500 });
      const down = await until(async () => {
        const r = await get(`${base}/readyz`);
        return r.status !== 200 ? r : undefined;
      }, 10_000);
      expect(down.status).toBe(503);
      expect(down.body).toContain(`control plane ${cp}`);
      expect((await get(`${base}/healthz`)).status).toBe(200);
      await suite.env.kube.outageEnd();
      await until(async () => (await get(`${base}/readyz`)).status === 200, 10_000, '/readyz 200 after the outage');
    } finally {
      if (suite.env.kube.inOutage) await suite.env.kube.outageEnd();
      await api.close();
    }
  }, 60_000);

  it('tagflow run --metrics-port serves the same metrics on its own listener as on the api port', async () => {
    suite.env.app({ name: 'm-cli', writeBack: 'argocd' });
    const prefix = uniquePrefix('metrics');
    const metricsPort = await freePort();
    const proc = spawnTagflow(
      [
        'run',
        '--kubeconfig',
        suite.env.kubeconfigPath,
        '--interval',
        '10m',
        '--health-port',
        '0',
        '--metrics-port',
        String(metricsPort),
        '--redis-url',
        TEST_REDIS_URL,
      ],
      { TAGFLOW_PREFIX: prefix, KUBECONFIG: undefined },
    );
    try {
      const listening = await proc.waitForLog((l) => l.msg === 'api listening' && l.listener === 'metrics', 60_000);
      expect(listening.port).toBe(metricsPort);
      const apiPort = (await proc.waitForLog((l) => l.msg === 'api listening' && !l.listener, 60_000)).port as number;
      await proc.waitForLog((l) => String(l.msg).startsWith('Processing results: applications=1 '), 60_000);
      expect(proc.logs().some((l) => /not served by this version/.test(String(l.msg)))).toBe(false);
      const own = await until(async () => {
        const e = await scrape(`http://127.0.0.1:${metricsPort}`);
        return e.find(`${A}applications_watched_total`)[0]?.value === 1 ? e : undefined;
      }, 20_000);
      const onApi = await scrape(`http://127.0.0.1:${apiPort}`);
      expect([...own.types.keys()].sort()).toEqual([...onApi.types.keys()].sort());
      expect(own.value(`${A}images_updated_total`)).toBe(1);
      expect(onApi.value(`${A}images_updated_total`)).toBe(1);
      expect((await get(`http://127.0.0.1:${metricsPort}/readyz`)).status).toBe(200);
    } finally {
      await proc.kill();
      await dropPrefix(prefix);
    }
  }, 120_000);
});
