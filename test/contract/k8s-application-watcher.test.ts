/**
 * The Application watcher (client-node informer + restart) against the test API server.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { watchApplications, type ApplicationWatcher } from '../../shared/adapters/k8s/application-watcher.ts';
import type { TagflowError } from '../../shared/errors.ts';
import { startKubeApiServer, type KubeApiServer } from '../services/kube-api-server.ts';

const API = 'argoproj.io/v1alpha1';
const app = (name: string, tag: string, namespace = 'argocd', labels: Record<string, string> = {}) => ({
  apiVersion: API,
  kind: 'Application',
  metadata: { name, namespace, labels },
  spec: { source: { repoURL: 'https://git.example/r.git', targetRevision: tag } },
});

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let server: KubeApiServer;
let kc: KubeConfig;
let watcher: ApplicationWatcher | undefined;
beforeAll(async () => {
  server = await startKubeApiServer();
  kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig('argocd'));
});
afterEach(async () => {
  await watcher?.stop();
  for (const o of server.list(API, 'applications')) server.delete(API, 'applications', o.metadata.namespace!, o.metadata.name!);
});
afterAll(async () => server.close());

function record(options: { namespace?: string; labelSelector?: string; restartDelayMs?: number } = {}) {
  const seen: string[] = [];
  const errors: TagflowError[] = [];
  watcher = watchApplications(kc, {
    ...options,
    onAdd: (a) => seen.push(`add:${a.metadata.namespace}/${a.metadata.name}`),
    onUpdate: (a) => seen.push(`update:${a.metadata.name}:${a.spec.source?.targetRevision}`),
    onDelete: (a) => seen.push(`delete:${a.metadata.name}`),
    onError: (e) => errors.push(e),
  });
  return { seen, errors, watcher };
}

describe('watchApplications', () => {
  it('reports add, update and delete in one namespace', async () => {
    server.put(app('one', 'v1'));
    server.put(app('elsewhere', 'v1', 'other'));
    const { seen, watcher: w } = record({ namespace: 'argocd' });
    await w.start();
    await until(() => seen.length === 1, 'initial add');
    server.put(app('one', 'v2'));
    server.put(app('two', 'v1'));
    server.delete(API, 'applications', 'argocd', 'two');
    server.put(app('ignored', 'v1', 'other'));
    await until(() => seen.includes('delete:two'), 'delete');
    expect(seen).toEqual(['add:argocd/one', 'update:one:v2', 'add:argocd/two', 'delete:two']);
    expect(w.list().map((a) => a.metadata.name)).toEqual(['one']);
  });

  it('watches all namespaces with a label selector', async () => {
    server.put(app('a', 'v1', 'argocd', { managed: 'yes' }));
    server.put(app('b', 'v1', 'other', { managed: 'yes' }));
    server.put(app('c', 'v1', 'other'));
    const { seen, watcher: w } = record({ labelSelector: 'managed=yes' });
    await w.start();
    await until(() => seen.length === 2, 'initial adds');
    expect(seen.sort()).toEqual(['add:argocd/a', 'add:other/b']);
    expect(server.requests.some((r) => r.path === '/apis/argoproj.io/v1alpha1/applications' && r.query.includes('watch=true'))).toBe(true);
  });

  it('restarts after a non-410 watch error and keeps delivering events', async () => {
    server.put(app('r', 'v1'));
    const { seen, errors, watcher: w } = record({ namespace: 'argocd', restartDelayMs: 50 });
    await w.start();
    await until(() => seen.length === 1, 'initial add');
    server.failNext({ method: 'GET', pathRegex: '/namespaces/argocd/applications$', status: 500, times: 1 });
    server.closeWatches(); // the informer re-watches, hits the 500 and stops; the watcher restarts it
    await until(() => errors.length === 1, 'error reported');
    expect(errors[0]).toMatchObject({ kind: 'transient', code: 'k8s.server' });
    server.put(app('r', 'v2'));
    await until(() => seen.includes('update:r:v2'), 'update after restart');
  });
});
