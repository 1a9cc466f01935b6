/**
 * The test API servers in a process of their own (kube-fixture-process.ts), driven from this one
 * through startKubeFixtureProcess(): bulk loading, client-node against the child's servers,
 * request counts, faults and a clean stop.
 */
import { access } from 'node:fs/promises';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countOf } from '../services/kube-accounting.ts';
import { startKubeFixtureProcess, type KubeFixtureProcess } from '../services/kube-fixture-client.ts';
import { apiError } from '../services/kube-test-client.ts';

const API = 'argoproj.io/v1alpha1';
const APPS = 'applications.argoproj.io';
const APP = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' } as const;

function fleetApp(i: number) {
  return {
    apiVersion: API,
    kind: 'Application',
    metadata: {
      name: `app-${String(i).padStart(5, '0')}`,
      namespace: 'argocd',
      labels: { shard: String(i % 4) },
      annotations: { 'argocd-image-updater.argoproj.io/image-list': `web=registry.example/team/web-${i % 50}` },
    },
    spec: {
      project: 'default',
      source: {
        repoURL: `https://git.example/apps-${i % 10}.git`,
        targetRevision: 'main',
        helm: { parameters: [{ name: 'image.tag', value: '1.0.0' }] },
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: `ns-${i}` },
    },
  };
}

let fx: KubeFixtureProcess;
beforeAll(async () => {
  fx = await startKubeFixtureProcess(
    { clusters: [{ name: 'east' }, { name: 'west', token: 'west-token', server: { bookmarkIntervalMs: 100 } }] },
    { timeoutMs: 60_000 },
  );
}, 90_000);
afterAll(async () => fx?.stop());

describe('kube fixture process', () => {
  it('runs the servers in another process and describes them', async () => {
    expect(fx.pid).not.toBe(process.pid);
    expect(fx.clusters.map((c) => `${c.name}:${c.token}`)).toEqual(['east:token-east', 'west:west-token']);
    expect(fx.url).toBe(fx.cluster('east').url);
    await access(fx.kubeconfigPath);
    await access(fx.cluster('west').kubeconfigPath);
    expect(() => fx.cluster('nope')).toThrow();
  });

  it('bulk-puts 5,000 Applications in one request, fast, and client-node lists them from here', async () => {
    const apps = Array.from({ length: 5000 }, (_, i) => fleetApp(i));
    const east = fx.cluster('east');
    await east.resetCounts();
    const started = performance.now();
    const put = await east.bulkPut(apps);
    const elapsed = performance.now() - started;
    expect(put.count).toBe(5000);
    expect(Number(put.resourceVersion)).toBeGreaterThanOrEqual(5000);
    expect(elapsed).toBeLessThan(5000); // typically a few hundred ms

    const kc = new k8s.KubeConfig();
    kc.loadFromFile(fx.kubeconfigPath);
    expect(kc.getCurrentContext()).toBe('east');
    const co = kc.makeApiClient(k8s.CustomObjectsApi);
    const all = await co.listNamespacedCustomObject({ ...APP, namespace: 'argocd' });
    expect(all.items).toHaveLength(5000);
    expect(all.items[4999].metadata.name).toBe('app-04999');
    const page = await co.listNamespacedCustomObject({
      ...APP,
      namespace: 'argocd',
      labelSelector: 'shard=1',
      limit: 500,
    });
    expect(page.items).toHaveLength(500);
    expect(page.metadata.remainingItemCount).toBe(750);

    kc.setCurrentContext('west');
    expect(
      (await kc.makeApiClient(k8s.CustomObjectsApi).listNamespacedCustomObject({ ...APP, namespace: 'argocd' })).items,
    ).toEqual([]);

    const counts = await fx.counts();
    expect(countOf(counts.east!, 'list', APPS)).toBe(2);
    expect(countOf(counts.west!, 'list', APPS)).toBe(1);
    expect(counts.east!.byResource[APPS]).toEqual({ list: 2 }); // bulkPut is not API traffic
    expect((await east.list(API, 'applications', 'argocd')).length).toBe(5000);
    await fx.resetCounts();
    expect((await east.counts()).total).toBe(0);
  });

  it('injects faults and removes objects through the control API', async () => {
    const west = fx.cluster('west');
    await west.bulkPut([fleetApp(1), fleetApp(2)]);
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(west.kubeconfigPath);
    const co = kc.makeApiClient(k8s.CustomObjectsApi);

    await west.fault({ action: 'failNext', pathRegex: '/applications$', status: 429, retryAfter: 3 });
    const limited = await apiError(co.listNamespacedCustomObject({ ...APP, namespace: 'argocd' }));
    expect(limited.code).toBe(429);
    expect(limited.headers['retry-after']).toBe('3');

    await west.fault({ action: 'forbid', verb: 'list', resource: 'applications' });
    const denied = await apiError(co.listNamespacedCustomObject({ ...APP, namespace: 'argocd' }));
    expect(denied.body?.message).toContain(
      'cannot list resource "applications" in API group "argoproj.io" in the namespace "argocd"',
    );
    await west.fault({ action: 'allowAll' });

    await west.fault({ action: 'outageStart' });
    expect((await apiError(co.listNamespacedCustomObject({ ...APP, namespace: 'argocd' }))).code).toBe(500);
    await west.fault({ action: 'outageEnd' });

    expect(await west.remove([fleetApp(1), fleetApp(99)])).toBe(1);
    expect(
      (await co.listNamespacedCustomObject({ ...APP, namespace: 'argocd' })).items.map(
        (i: { metadata: { name: string } }) => i.metadata.name,
      ),
    ).toEqual(['app-00002']);
    const records = await west.requests();
    expect(records.map((r) => r.status)).toEqual(expect.arrayContaining([429, 403, 500, 200]));
    await expect(west.fault({ action: 'bogus' } as never)).rejects.toThrow(/HTTP 400/);
  });

  it('stops the child and removes its kubeconfig directory', async () => {
    const other = await startKubeFixtureProcess({ clusters: [{ name: 'solo' }] }, { timeoutMs: 60_000 });
    await access(other.kubeconfigPath);
    await other.stop();
    expect(() => process.kill(other.pid, 0)).toThrow();
    await expect(access(other.kubeconfigPath)).rejects.toThrow();
    await expect(fetch(`${other.url}/version`)).rejects.toThrow();
  }, 90_000);

  it('reports a child that cannot start', async () => {
    await expect(
      startKubeFixtureProcess({ clusters: [{ name: 'a' }, { name: 'a' }] }, { timeoutMs: 60_000 }),
    ).rejects.toThrow(/exited \(1\)[\s\S]*unique/);
  }, 90_000);
});
