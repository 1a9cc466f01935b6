/**
 * Request accounting of the test API server: every request recorded with its RBAC verb, resource
 * and answer, summarised by counts() so tests and benchmarks can assert on API traffic.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countOf } from '../services/kube-accounting.ts';
import { startKubeApiServer, type KubeApiServer } from '../services/kube-api-server.ts';
import { kubeConfigFor, until } from '../services/kube-test-client.ts';

const APP = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications', namespace: 'argocd' } as const;
const PATH = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications';
const APPS = 'applications.argoproj.io';
const app = (name: string, tag = 'v1') => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd' },
  spec: { tag },
});

let server: KubeApiServer;
let kc: k8s.KubeConfig;
beforeAll(async () => {
  server = await startKubeApiServer();
  kc = kubeConfigFor(server);
});
afterAll(async () => server.close());
beforeEach(() => server.resetRequests());

describe('counts()', () => {
  it('summarises requests by verb and resource', async () => {
    const co = kc.makeApiClient(k8s.CustomObjectsApi);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    await co.createNamespacedCustomObject({ ...APP, body: app('c1') });
    await co.listNamespacedCustomObject(APP);
    await co.listClusterCustomObject({ group: APP.group, version: APP.version, plural: APP.plural });
    const got = await co.getNamespacedCustomObject({ ...APP, name: 'c1' });
    await co.replaceNamespacedCustomObject({ ...APP, name: 'c1', body: { ...got, spec: { tag: 'v2' } } });
    await co.patchNamespacedCustomObject({ ...APP, name: 'c1', body: { spec: { tag: 'v3' } } }, merge);
    await co.deleteNamespacedCustomObject({ ...APP, name: 'c1' });
    await co.deleteNamespacedCustomObject({ ...APP, name: 'c1' }).catch(() => {}); // 404
    await core.readNamespacedSecret({ namespace: 'argocd', name: 'nope' }).catch(() => {});
    await kc.makeApiClient(k8s.VersionApi).getCode();

    const c = server.counts();
    expect(c.byResource[APPS]).toEqual({ create: 1, list: 2, get: 1, update: 1, patch: 1, delete: 2 });
    expect(c.byResource.secrets).toEqual({ get: 1 });
    expect(c.byVerb).toEqual({ create: 1, list: 2, get: 2, update: 1, patch: 1, delete: 2 });
    expect(c.nonResource).toBe(1);
    expect(c.total).toBe(10);
    expect(c.failed).toBe(2);
    expect(countOf(c, 'list', APPS)).toBe(2);
    expect(countOf(c, 'watch', APPS)).toBe(0);
    expect(server.requests.find((r) => r.verb === 'delete' && r.status === 404)).toMatchObject({
      namespace: 'argocd',
      name: 'c1',
      resource: APPS,
    });
  });

  it('shows an informer in the steady state: one list, then only watches, across reconnects', async () => {
    server.put(app('s1'));
    const list = () =>
      kc.makeApiClient(k8s.CustomObjectsApi).listNamespacedCustomObject(APP) as unknown as Promise<
        k8s.KubernetesListObject<k8s.KubernetesObject>
      >;
    const informer = k8s.makeInformer(kc, PATH, list);
    let adds = 0;
    informer.on('add', () => adds++);
    await informer.start();
    try {
      await until(() => adds === 1 && server.openWatches === 1, 'the informer watching');
      const steady = Date.now();
      for (let i = 0; i < 3; i++) {
        server.closeWatches();
        await until(() => server.openWatches === 1, `reconnect ${i + 1}`);
      }
      server.put(app('s1', 'v2'));
      const c = server.counts();
      expect(countOf(c, 'list', APPS)).toBe(1);
      expect(countOf(c, 'watch', APPS)).toBe(4);
      expect(countOf(server.counts({ since: steady }), 'list', APPS)).toBe(0);
      expect(server.counts({ since: steady }).byResource[APPS]).toEqual({ watch: 3 });
    } finally {
      await informer.stop();
    }
  });
});
