/**
 * 401 and 403 answers of the test API server as client-node sees them: revoked and rotated tokens,
 * and RBAC denials with kube-apiserver's Status bodies and messages.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiServer } from '../services/kube-api-server.ts';
import { apiError, kubeConfigFor } from '../services/kube-test-client.ts';

const APP = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' } as const;
const IU = { group: 'argocd-image-updater.argoproj.io', version: 'v1alpha1', plural: 'imageupdaters' } as const;
const USER = 'system:serviceaccount:argocd:tagflow';

let server: KubeApiServer;
let kc: k8s.KubeConfig;
let co: k8s.CustomObjectsApi;
beforeAll(async () => {
  server = await startKubeApiServer({ token: 'tok-1' });
  kc = kubeConfigFor(server);
  co = kc.makeApiClient(k8s.CustomObjectsApi);
});
afterAll(async () => server.close());
beforeEach(() => {
  server.allowAll();
  server.setToken('tok-1');
  server.put({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'demo', namespace: 'argocd' },
    spec: {},
  });
});

describe('401 Unauthorized', () => {
  it('answers every request with 401 after revokeToken(), and serves again after restoreToken()', async () => {
    server.revokeToken();
    const e = await apiError(co.listNamespacedCustomObject({ ...APP, namespace: 'argocd' }));
    expect(e.code).toBe(401); // client-node drops the body of a 401
    const raw = await fetch(`${server.url}/apis/argoproj.io/v1alpha1/namespaces/argocd/applications`, {
      headers: { Authorization: 'Bearer tok-1' },
    });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
    const watchErr = await new Promise<{ statusCode?: number }>((resolve) => {
      void new k8s.Watch(kc).watch('/apis/argoproj.io/v1alpha1/namespaces/argocd/applications', {}, () => {}, resolve);
    });
    expect(watchErr.statusCode).toBe(401);
    expect((await fetch(`${server.url}/version`)).status).toBe(200); // anonymous public info stays readable

    server.restoreToken();
    expect((await co.listNamespacedCustomObject({ ...APP, namespace: 'argocd' })).items).toHaveLength(1);
  });

  it('rejects the old token after setToken() and accepts the new one', async () => {
    server.setToken('tok-2');
    expect((await apiError(co.getNamespacedCustomObject({ ...APP, namespace: 'argocd', name: 'demo' }))).code).toBe(
      401,
    );
    const rotated = kubeConfigFor(server).makeApiClient(k8s.CustomObjectsApi);
    expect((await rotated.getNamespacedCustomObject({ ...APP, namespace: 'argocd', name: 'demo' })).metadata.name).toBe(
      'demo',
    );
    expect(server.kubeconfig()).toContain('token: tok-2');
  });
});

describe('several identities', () => {
  it('authenticates extra tokens as their own users, forbids per user and revokes one token only', async () => {
    server.addToken('ci-token', 'system:serviceaccount:ci:deployer');
    const ci = kubeConfigFor(server, { token: 'ci-token' }).makeApiClient(k8s.CustomObjectsApi);
    expect((await ci.listNamespacedCustomObject({ ...APP, namespace: 'argocd' })).items).toHaveLength(1);

    const lift = server.forbid({ user: 'system:serviceaccount:ci:deployer', verb: 'list' });
    const denied = await apiError(ci.listNamespacedCustomObject({ ...APP, namespace: 'argocd' }));
    expect(denied.body?.message).toBe(
      'applications.argoproj.io is forbidden: User "system:serviceaccount:ci:deployer" cannot list resource "applications" in API group "argoproj.io" in the namespace "argocd"',
    );
    expect((await co.listNamespacedCustomObject({ ...APP, namespace: 'argocd' })).items).toHaveLength(1); // tagflow's own token is not affected
    lift();

    server.revokeToken('ci-token');
    expect((await apiError(ci.listNamespacedCustomObject({ ...APP, namespace: 'argocd' }))).code).toBe(401);
    expect((await co.listNamespacedCustomObject({ ...APP, namespace: 'argocd' })).items).toHaveLength(1);
    server.restoreToken('ci-token');
    expect((await ci.listNamespacedCustomObject({ ...APP, namespace: 'argocd' })).items).toHaveLength(1);
  });
});

describe('403 Forbidden', () => {
  it('denies a verb on a resource in a namespace with the apiserver message and details', async () => {
    server.forbid({ verb: 'list', group: 'argoproj.io', resource: 'applications' });
    const e = await apiError(co.listNamespacedCustomObject({ ...APP, namespace: 'argocd' }));
    expect(e.code).toBe(403);
    expect(e.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `applications.argoproj.io is forbidden: User "${USER}" cannot list resource "applications" in API group "argoproj.io" in the namespace "argocd"`,
      reason: 'Forbidden',
      details: { group: 'argoproj.io', kind: 'applications' },
      code: 403,
    });
    // Other verbs stay allowed.
    expect((await co.getNamespacedCustomObject({ ...APP, namespace: 'argocd', name: 'demo' })).metadata.name).toBe(
      'demo',
    );
  });

  it('names the object, the cluster scope, the subresource and the core group like the apiserver', async () => {
    const lift = server.forbid({ verb: ['get', 'watch', 'patch'] });
    const named = await apiError(co.getNamespacedCustomObject({ ...APP, namespace: 'argocd', name: 'demo' }));
    expect(named.body?.message).toBe(
      `applications.argoproj.io "demo" is forbidden: User "${USER}" cannot get resource "applications" in API group "argoproj.io" in the namespace "argocd"`,
    );
    expect(named.body?.details).toEqual({ name: 'demo', group: 'argoproj.io', kind: 'applications' });

    const status = await apiError(
      co.patchNamespacedCustomObjectStatus(
        { ...IU, namespace: 'argocd', name: 'iu', body: { status: {} } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      ),
    );
    expect(status.body?.message).toBe(
      `imageupdaters.argocd-image-updater.argoproj.io "iu" is forbidden: User "${USER}" cannot patch resource "imageupdaters/status" in API group "argocd-image-updater.argoproj.io" in the namespace "argocd"`,
    );

    const secret = await apiError(
      kc.makeApiClient(k8s.CoreV1Api).readNamespacedSecret({ namespace: 'argocd', name: 's' }),
    );
    expect(secret.body?.message).toBe(
      `secrets "s" is forbidden: User "${USER}" cannot get resource "secrets" in API group "" in the namespace "argocd"`,
    );
    expect(secret.body?.details).toEqual({ name: 's', kind: 'secrets' });

    // A cluster-wide watch is denied "at the cluster scope"; client-node's Watch reports the code.
    const watchErr = await new Promise<{ statusCode?: number }>((resolve) => {
      void new k8s.Watch(kc).watch('/apis/argoproj.io/v1alpha1/applications', {}, () => {}, resolve);
    });
    expect(watchErr.statusCode).toBe(403);
    const raw = await fetch(`${server.url}/apis/argoproj.io/v1alpha1/applications?watch=true`, {
      headers: { Authorization: 'Bearer tok-1' },
    });
    expect(((await raw.json()) as { message: string }).message).toBe(
      `applications.argoproj.io is forbidden: User "${USER}" cannot watch resource "applications" in API group "argoproj.io" at the cluster scope`,
    );
    // A watch narrowed to one name by field selector is authorised (and denied) for that name.
    const one = await fetch(
      `${server.url}/apis/argoproj.io/v1alpha1/namespaces/argocd/applications?watch=true&fieldSelector=metadata.name%3Ddemo`,
      {
        headers: { Authorization: 'Bearer tok-1' },
      },
    );
    expect(((await one.json()) as { message: string }).message).toBe(
      `applications.argoproj.io "demo" is forbidden: User "${USER}" cannot watch resource "applications" in API group "argoproj.io" in the namespace "argocd"`,
    );

    lift();
    expect((await co.getNamespacedCustomObject({ ...APP, namespace: 'argocd', name: 'demo' })).metadata.name).toBe(
      'demo',
    );
  });

  it('matches rules by namespace and path, and uses the configured user name', async () => {
    const other = await startKubeApiServer({ user: 'system:serviceaccount:team-a:updater' });
    try {
      other.forbid({ namespace: 'team-b' });
      other.forbid({ pathRegex: '^/apis/coordination\\.k8s\\.io/' });
      const oc = kubeConfigFor(other).makeApiClient(k8s.CustomObjectsApi);
      expect((await oc.listNamespacedCustomObject({ ...APP, namespace: 'team-a' })).items).toEqual([]);
      const denied = await apiError(oc.listNamespacedCustomObject({ ...APP, namespace: 'team-b' }));
      expect(denied.body?.message).toContain(
        'User "system:serviceaccount:team-a:updater" cannot list resource "applications"',
      );
      const lease = await apiError(
        kubeConfigFor(other)
          .makeApiClient(k8s.CoordinationV1Api)
          .readNamespacedLease({ namespace: 'team-a', name: 'l' }),
      );
      expect(lease.body?.message).toBe(
        'leases.coordination.k8s.io "l" is forbidden: User "system:serviceaccount:team-a:updater" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "team-a"',
      );
    } finally {
      await other.close();
    }
  });
});
