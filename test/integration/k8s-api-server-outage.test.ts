/**
 * Time-window faults and whole-server outages of the test API server, seen through client-node:
 * failFor windows, outages that close every watch, and informers recovering afterwards.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiServer } from '../services/kube-api-server.ts';
import { apiError, kubeConfigFor, until } from '../services/kube-test-client.ts';

const API = 'argoproj.io/v1alpha1';
const APP = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications', namespace: 'argocd' } as const;
const PATH = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications';
const app = (name: string, tag = 'v1') => ({
  apiVersion: API,
  kind: 'Application',
  metadata: { name, namespace: 'argocd' },
  spec: { tag },
});

let server: KubeApiServer;
let kc: k8s.KubeConfig;
let co: k8s.CustomObjectsApi;
beforeAll(async () => {
  server = await startKubeApiServer();
  kc = kubeConfigFor(server);
  co = kc.makeApiClient(k8s.CustomObjectsApi);
});
afterAll(async () => server.close());
beforeEach(async () => {
  await server.outageEnd();
  server.clearFaults();
  for (const o of server.list(API, 'applications')) server.delete(API, 'applications', 'argocd', o.metadata.name!);
  server.resetRequests();
});

/** An informer that restarts itself after errors, as tagflow's watcher does. */
function resilientInformer() {
  const list = () =>
    co.listNamespacedCustomObject(APP) as unknown as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>;
  const informer = k8s.makeInformer(kc, PATH, list);
  const seen: string[] = [];
  const errors: { statusCode?: number; code?: number | string }[] = [];
  let stopped = false;
  informer.on('add', (o) => seen.push(`add:${o.metadata?.name}`));
  informer.on('update', (o) =>
    seen.push(`update:${o.metadata?.name}:${(o as unknown as { spec: { tag: string } }).spec.tag}`),
  );
  informer.on('error', (e) => {
    errors.push(e as { statusCode?: number });
    setTimeout(() => !stopped && void informer.start().catch(() => {}), 20);
  });
  return {
    informer,
    seen,
    errors,
    async stop() {
      stopped = true;
      await informer.stop();
    },
  };
}

describe('failFor', () => {
  it('fails every matching request during the window, then serves again', async () => {
    server.put(app('w'));
    const before = Date.now();
    server.failFor({ method: 'GET', pathRegex: '/applications$', status: 503, durationMs: 1000 });
    const after = Date.now(); // the window ends between before+1000 and after+1000
    const first = await apiError(co.listNamespacedCustomObject(APP));
    expect(first.code).toBe(503);
    expect(first.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'ServiceUnavailable', code: 503 });
    // Requests the window does not match are served meanwhile.
    expect((await co.getNamespacedCustomObject({ ...APP, name: 'w' })).metadata.name).toBe('w');
    const list = await until(
      () => co.listNamespacedCustomObject(APP).catch(() => undefined),
      'the window to end',
      20_000,
    );
    expect(list.items).toHaveLength(1);

    const lists = server.requests.filter((r) => r.verb === 'list');
    const failed = lists.filter((r) => r.status === 503);
    const served = lists.filter((r) => r.status === 200);
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed.every((r) => r.at < after + 1000)).toBe(true);
    expect(served).toHaveLength(1);
    expect(served[0]!.at).toBeGreaterThanOrEqual(before + 1000);
  });

  it('destroys connections with status 0, and can be ended early', async () => {
    const end = server.failFor({ pathRegex: '/applications$', status: 0, durationMs: 60_000 });
    const e = await co.listNamespacedCustomObject(APP).catch((x: unknown) => x);
    expect(e).not.toBeInstanceOf(k8s.ApiException); // a network error, not an HTTP status
    expect(e).toBeInstanceOf(Error);
    await until(() => server.requests.at(-1)?.status === 0, 'the server to record the dropped connection');
    end();
    expect((await co.listNamespacedCustomObject(APP)).items).toEqual([]);
  });
});

describe('outage', () => {
  it('answers 500 InternalError to every request, closes open watches, and the informer recovers afterwards', async () => {
    server.put(app('o1'));
    const r = resilientInformer();
    await r.informer.start();
    try {
      await until(() => r.seen.includes('add:o1'), 'initial add');
      expect(server.openWatches).toBe(1);
      const servedLists = () => server.requests.filter((q) => q.verb === 'list' && q.status === 200).length;
      const listsBefore = servedLists();

      await server.outageStart();
      expect(server.inOutage).toBe(true);
      expect(server.openWatches).toBe(0);
      server.put(app('o1', 'v2')); // a change the informer misses while the server is down
      const down = await apiError(co.listNamespacedCustomObject(APP));
      expect(down.code).toBe(500);
      expect(down.body).toMatchObject({
        reason: 'InternalError',
        message: expect.stringMatching(/^Internal error occurred: /),
        code: 500,
      });
      const health = await fetch(`${server.url}/readyz`);
      expect(health.status).toBe(500);
      await until(() => r.errors.length >= 2, 'the informer to hit the outage more than once');
      expect(r.errors.every((e) => e.statusCode === 500)).toBe(true);
      await until(
        () => server.requests.filter((q) => q.verb === 'watch' && q.status === 500).length >= 2,
        'the failed watches on record',
      );

      await server.outageEnd();
      await until(() => r.seen.includes('update:o1:v2'), 'the missed change after the outage');
      await until(() => server.openWatches === 1, 'the informer watching again');
      // It resumed its watch from the last resourceVersion it had: no relist was needed.
      expect(servedLists()).toBe(listsBefore);
    } finally {
      await r.stop();
    }
  });

  it('can destroy every connection instead, open watches included', async () => {
    server.put(app('d1'));
    const r = resilientInformer();
    await r.informer.start();
    try {
      await until(() => r.seen.includes('add:d1') && server.openWatches === 1, 'initial add');
      await server.outageStart({ mode: 'destroy' });
      await until(() => r.errors.length >= 1, 'the destroyed watch to surface');
      expect(r.errors[0]!.statusCode).toBeUndefined(); // a network error, no HTTP status
      const e = await co.listNamespacedCustomObject(APP).catch((x: unknown) => x);
      expect(e).not.toBeInstanceOf(k8s.ApiException);
      server.put(app('d1', 'v2'));
      await server.outageEnd();
      await until(() => r.seen.includes('update:d1:v2'), 'recovery after the destroyed connections');
    } finally {
      await r.stop();
    }
  });

  it('can refuse connections (a restart) and listens on the same port again', async () => {
    await server.outageStart({ mode: 'refuse' });
    const e = (await co.listNamespacedCustomObject(APP).catch((x: unknown) => x)) as {
      code?: string;
      cause?: { code?: string };
    };
    expect(e).not.toBeInstanceOf(k8s.ApiException);
    expect(JSON.stringify({ code: e.code, cause: e.cause?.code, msg: String(e) })).toContain('ECONNREFUSED');
    await server.outageEnd();
    expect((await co.listNamespacedCustomObject(APP)).items).toEqual([]);
  });

  it('outage(ms) ends by itself and resolves when the server is back', async () => {
    const t0 = Date.now();
    const over = server.outage(1000);
    expect(server.inOutage).toBe(true);
    const during = await co.listNamespacedCustomObject(APP).then(
      () => 200,
      (e: k8s.ApiException<unknown>) => e.code,
    );
    await over;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(990);
    expect(server.inOutage).toBe(false);
    // The request made during the outage failed (unless a very busy machine delayed it past the end).
    const record = server.requests.find((r) => r.verb === 'list')!;
    if (record.at < t0 + 990) expect(during).toBe(500);
    expect((await co.listNamespacedCustomObject(APP)).items).toEqual([]);
  });
});
