/**
 * KubeApplicationStore against the test API server through the real client-node.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KubeApplicationStore } from '../../shared/adapters/k8s/kube-application-store.ts';
import { ConflictError, PermanentError, RateLimitedError, TransientError } from '../../shared/errors.ts';
import { startKubeApiServer, type KubeApiServer } from '../services/kube-api-server.ts';

const API = 'argoproj.io/v1alpha1';

function app(name: string, namespace = 'argocd', labels: Record<string, string> = {}) {
  return {
    apiVersion: API,
    kind: 'Application',
    metadata: { name, namespace, labels, annotations: { 'argocd-image-updater.argoproj.io/image-list': 'nginx' } },
    spec: {
      project: 'default',
      source: { repoURL: 'https://git.example/r.git', helm: { parameters: [{ name: 'image.tag', value: '1.0' }] } },
      destination: { namespace: 'web' },
    },
  };
}

function storeFor(server: KubeApiServer, kubeconfig = server.kubeconfig('argocd')): KubeApplicationStore {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  return new KubeApplicationStore(kc);
}

let server: KubeApiServer;
let store: KubeApplicationStore;
beforeAll(async () => {
  server = await startKubeApiServer();
  store = storeFor(server);
});
afterAll(async () => server.close());
beforeEach(() => {
  for (const o of server.list(API, 'applications'))
    server.delete(API, 'applications', o.metadata.namespace!, o.metadata.name!);
});

describe('KubeApplicationStore', () => {
  it('lists a namespace, all namespaces, and filters by label selector', async () => {
    server.put(app('a', 'argocd', { team: 'x' }));
    server.put(app('b', 'argocd', { team: 'y' }));
    server.put(app('c', 'other', { team: 'x' }));
    expect((await store.list('argocd')).map((a) => a.metadata.name)).toEqual(['a', 'b']);
    expect((await store.list('')).map((a) => `${a.metadata.namespace}/${a.metadata.name}`)).toEqual([
      'argocd/a',
      'argocd/b',
      'other/c',
    ]);
    expect((await store.list('argocd', { labelSelector: 'team=x' })).map((a) => a.metadata.name)).toEqual(['a']);
    const [first] = await store.list('argocd');
    expect(first!.spec.source!.helm!.parameters).toEqual([{ name: 'image.tag', value: '1.0' }]);
    expect(first!.spec.destination).toEqual({ namespace: 'web' }); // unknown fields pass through
  });

  it('pages through large lists', async () => {
    for (let i = 0; i < 505; i++) server.put(app(`app-${String(i).padStart(3, '0')}`));
    server.requests.length = 0;
    const all = await store.list('argocd');
    expect(all).toHaveLength(505);
    expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(2);
  });

  it('gets an Application, or null when absent', async () => {
    server.put(app('demo'));
    const got = await store.get({ namespace: 'argocd', name: 'demo' });
    expect(got?.metadata.annotations?.['argocd-image-updater.argoproj.io/image-list']).toBe('nginx');
    expect(got?.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(await store.get({ namespace: 'argocd', name: 'missing' })).toBeNull();
  });

  it('merge-patches with application/merge-patch+json and returns the new resourceVersion', async () => {
    const before = server.put(app('demo'));
    const patch = {
      spec: { source: { helm: { parameters: [{ name: 'image.tag', value: '2.0', forceString: true }] } } },
    };
    const { resourceVersion } = await store.mergePatch(
      { namespace: 'argocd', name: 'demo' },
      patch,
      before.metadata.resourceVersion,
    );
    const after = server.get(API, 'applications', 'argocd', 'demo')!;
    expect(after.metadata.resourceVersion).toBe(resourceVersion);
    expect(Number(resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    expect((after.spec as { source: { helm: unknown; repoURL: string } }).source).toMatchObject({
      repoURL: 'https://git.example/r.git',
      helm: { parameters: [{ name: 'image.tag', value: '2.0', forceString: true }] },
    });
    expect(server.requests.at(-1)).toMatchObject({ method: 'PATCH', contentType: 'application/merge-patch+json' });
  });

  it('throws ConflictError k8s.conflict when the resourceVersion is stale', async () => {
    const before = server.put(app('demo'));
    server.put({ ...app('demo'), spec: { ...app('demo').spec, project: 'changed' } });
    const err = await store
      .mergePatch({ namespace: 'argocd', name: 'demo' }, { spec: { project: 'mine' } }, before.metadata.resourceVersion)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ code: 'k8s.conflict' });
    expect((server.get(API, 'applications', 'argocd', 'demo')!.spec as { project: string }).project).toBe('changed');
  });

  it('patches without a precondition when no resourceVersion is given', async () => {
    server.put(app('demo'));
    server.put({ ...app('demo'), spec: { ...app('demo').spec, project: 'changed' } });
    await store.mergePatch({ namespace: 'argocd', name: 'demo' }, { metadata: { annotations: { x: 'y' } } });
    expect(server.get(API, 'applications', 'argocd', 'demo')!.metadata.annotations).toMatchObject({ x: 'y' });
  });

  it('classifies HTTP failures', async () => {
    const ref = { namespace: 'argocd', name: 'demo' };
    server.put(app('demo'));
    const fail = async (status: number) => {
      server.failNext({ pathRegex: '/applications/demo$', status });
      return store.get(ref).catch((e: unknown) => e);
    };
    expect(await fail(503)).toMatchObject({ constructor: TransientError, code: 'k8s.server' });
    expect(await fail(403)).toMatchObject({ constructor: PermanentError, code: 'k8s.forbidden' });
    const limited = await fail(429);
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterMs).toBe(1000);
    expect(await fail(0)).toMatchObject({ constructor: TransientError, code: 'k8s.network' });
    server.failNext({ method: 'PATCH', pathRegex: '/applications/demo$', status: 500 });
    expect(await store.mergePatch(ref, {}).catch((e: unknown) => e)).toBeInstanceOf(TransientError);
  });

  it('maps a wrong token to PermanentError k8s.unauthorized without leaking the token', async () => {
    const bad = storeFor(server, server.kubeconfig('argocd').replace(server.token!, 'not-the-token'));
    const err = (await bad.list('argocd').catch((e: unknown) => e)) as PermanentError;
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.code).toBe('k8s.unauthorized');
    expect(err.message).not.toContain('not-the-token');
  });
});
