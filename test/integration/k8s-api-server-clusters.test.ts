/**
 * Several independent test API servers behind one kubeconfig, loaded through client-node with the
 * context switched per cluster, as tagflow watching several Argo CD control planes would.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeClusters, type KubeClusters } from '../services/kube-clusters.ts';
import { apiError, until } from '../services/kube-test-client.ts';

const API = 'argoproj.io/v1alpha1';
const APP = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' } as const;
const app = (name: string, namespace: string) => ({
  apiVersion: API,
  kind: 'Application',
  metadata: { name, namespace },
  spec: {},
});

let fleet: KubeClusters;
let dir: string;
beforeAll(async () => {
  fleet = await startKubeClusters([
    { name: 'prod' },
    { name: 'staging', namespace: 'argocd-staging', token: 'staging-secret' },
  ]);
  dir = await mkdtemp(join(tmpdir(), 'kube-clusters-'));
  fleet.get('prod').server.put(app('web', 'argocd'));
  fleet.get('prod').server.put(app('api', 'argocd'));
  fleet.get('staging').server.put(app('web', 'argocd-staging'));
});
afterAll(async () => {
  await fleet.close();
  await rm(dir, { recursive: true, force: true });
});

const names = (list: { items: { metadata: { name: string; namespace: string } }[] }) =>
  list.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`);

describe('startKubeClusters', () => {
  it('starts independent servers: own port, own token, own objects', () => {
    const [prod, staging] = fleet.clusters;
    expect(prod!.url).not.toBe(staging!.url);
    expect(prod!.token).toBe('token-prod');
    expect(staging!.token).toBe('staging-secret');
    expect(prod!.server.list(API, 'applications')).toHaveLength(2);
    expect(staging!.server.list(API, 'applications')).toHaveLength(1);
    expect(() => fleet.get('nope')).toThrow(/no cluster named "nope"/);
  });

  it('writes one kubeconfig with a context per cluster; each context sees only its own cluster', async () => {
    const path = await fleet.writeKubeconfig(dir);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const doc = parse(await readFile(path, 'utf8')) as {
      'current-context': string;
      contexts: { name: string; context: { namespace: string } }[];
      users: { name: string; user: { token: string } }[];
    };
    expect(doc['current-context']).toBe('prod');
    expect(doc.contexts.map((c) => `${c.name}:${c.context.namespace}`)).toEqual([
      'prod:argocd',
      'staging:argocd-staging',
    ]);
    expect(doc.users.map((u) => `${u.name}:${u.user.token}`)).toEqual(['prod:token-prod', 'staging:staging-secret']);

    const kc = new k8s.KubeConfig();
    kc.loadFromFile(path);
    expect(kc.getContexts().map((c) => c.name)).toEqual(['prod', 'staging']);
    expect(names(await kc.makeApiClient(k8s.CustomObjectsApi).listClusterCustomObject(APP))).toEqual([
      'argocd/api',
      'argocd/web',
    ]);

    kc.setCurrentContext('staging');
    expect(kc.getCurrentCluster()?.server).toBe(fleet.get('staging').url);
    expect(kc.getContextObject('staging')?.namespace).toBe('argocd-staging');
    expect(names(await kc.makeApiClient(k8s.CustomObjectsApi).listClusterCustomObject(APP))).toEqual([
      'argocd-staging/web',
    ]);
  });

  it("keeps tokens per cluster: one cluster rejects the other one's token", async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(fleet.kubeconfig());
    kc.loadFromOptions({
      clusters: kc.getClusters(),
      users: [{ name: 'prod', token: 'staging-secret' }],
      contexts: [{ name: 'mixed', cluster: 'prod', user: 'prod' }],
      currentContext: 'mixed',
    });
    expect((await apiError(kc.makeApiClient(k8s.CustomObjectsApi).listClusterCustomObject(APP))).code).toBe(401);
  });

  it('honours currentContext and a subset of clusters, and writes one file per cluster', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(fleet.kubeconfig({ currentContext: 'staging' }));
    expect(kc.getCurrentContext()).toBe('staging');
    const only = new k8s.KubeConfig();
    only.loadFromString(fleet.kubeconfig({ names: ['staging'] }));
    expect(only.getContexts().map((c) => c.name)).toEqual(['staging']);
    expect(() => fleet.kubeconfig({ currentContext: 'nope' })).toThrow();

    const paths = await fleet.writeKubeconfigs(dir);
    expect(Object.keys(paths)).toEqual(['prod', 'staging']);
    const single = new k8s.KubeConfig();
    single.loadFromFile(paths.staging!);
    expect(single.getContexts().map((c) => c.name)).toEqual(['staging']);
    expect(
      names(
        await single
          .makeApiClient(k8s.CustomObjectsApi)
          .listNamespacedCustomObject({ ...APP, namespace: 'argocd-staging' }),
      ),
    ).toEqual(['argocd-staging/web']);
  });

  it('delivers watch events only from the cluster they happen in', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(fleet.kubeconfig());
    const seen: Record<string, string[]> = { prod: [], staging: [] };
    const controllers: AbortController[] = [];
    for (const name of ['prod', 'staging']) {
      kc.setCurrentContext(name);
      const rv = fleet.get(name).server.resourceVersion;
      controllers.push(
        await new k8s.Watch(kc).watch(
          '/apis/argoproj.io/v1alpha1/applications',
          { resourceVersion: rv },
          (type, obj) => seen[name]!.push(`${type}:${obj.metadata.name}`),
          () => {},
        ),
      );
    }
    try {
      fleet.get('staging').server.put(app('only-staging', 'argocd-staging'));
      fleet.get('prod').server.put(app('only-prod', 'argocd'));
      await until(() => seen.prod!.length === 1 && seen.staging!.length === 1, 'one event per cluster');
      expect(seen).toEqual({ prod: ['ADDED:only-prod'], staging: ['ADDED:only-staging'] });
    } finally {
      for (const c of controllers) c.abort();
    }
  });

  it('refuses duplicate or path-unsafe names', async () => {
    await expect(startKubeClusters([{ name: 'a' }, { name: 'a' }])).rejects.toThrow(/unique/);
    await expect(startKubeClusters([{ name: '../x' }])).rejects.toThrow(/simple name/);
  });
});
