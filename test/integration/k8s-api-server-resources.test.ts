/**
 * Resource semantics of the test API server through client-node: cluster-wide list/watch with
 * label selectors, the ImageUpdater status subresource and generation rules, core Events with
 * their field selectors, and Leases with optimistic concurrency.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiServer } from '../services/kube-api-server.ts';
import { apiError, kubeConfigFor, until } from '../services/kube-test-client.ts';

const APP = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' } as const;
const IU = {
  group: 'argocd-image-updater.argoproj.io',
  version: 'v1alpha1',
  plural: 'imageupdaters',
  namespace: 'argocd',
} as const;
const IU_API = 'argocd-image-updater.argoproj.io/v1alpha1';
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

const app = (name: string, namespace: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace, labels },
  spec: { project: 'default' },
});
const imageUpdater = (name: string) => ({
  apiVersion: IU_API,
  kind: 'ImageUpdater',
  metadata: { name, namespace: 'argocd' },
  spec: {
    applicationRefs: [{ namePattern: 'web-*', images: [{ alias: 'web', imageName: 'registry.example/web:1.0' }] }],
  },
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
beforeEach(() => {
  for (const o of server.list('argoproj.io/v1alpha1', 'applications'))
    server.delete('argoproj.io/v1alpha1', 'applications', o.metadata.namespace!, o.metadata.name!);
  for (const o of server.list(IU_API, 'imageupdaters'))
    server.delete(IU_API, 'imageupdaters', 'argocd', o.metadata.name!);
  server.resetRequests();
});

describe('Applications across all namespaces', () => {
  it('lists and watches /apis/argoproj.io/v1alpha1/applications with label selectors', async () => {
    server.put(app('a', 'argocd', { 'tagflow.io/managed': 'true', team: 'x' }));
    server.put(app('b', 'team-a', { 'tagflow.io/managed': 'true' }));
    server.put(app('c', 'team-b', { team: 'x' }));
    const listed = await co.listClusterCustomObject({ ...APP, labelSelector: 'tagflow.io/managed=true' });
    expect(
      listed.items.map(
        (i: { metadata: { namespace: string; name: string } }) => `${i.metadata.namespace}/${i.metadata.name}`,
      ),
    ).toEqual(['argocd/a', 'team-a/b']);
    expect(server.requests.at(-1)).toMatchObject({
      path: '/apis/argoproj.io/v1alpha1/applications',
      verb: 'list',
      resource: 'applications.argoproj.io',
      namespace: undefined,
    });

    const seen: string[] = [];
    const ctl = await new k8s.Watch(kc).watch(
      '/apis/argoproj.io/v1alpha1/applications',
      { labelSelector: 'tagflow.io/managed=true,team!=y', resourceVersion: listed.metadata.resourceVersion },
      (type, obj) => seen.push(`${type}:${obj.metadata.namespace}/${obj.metadata.name}`),
      () => {},
    );
    try {
      server.put(app('c', 'team-b', { team: 'x', 'tagflow.io/managed': 'true' })); // starts matching
      server.put(app('d', 'team-c', { 'tagflow.io/managed': 'true', team: 'y' })); // never matches
      server.put(app('b', 'team-a', { 'tagflow.io/managed': 'false' })); // stops matching
      server.delete('argoproj.io/v1alpha1', 'applications', 'argocd', 'a');
      await until(() => seen.length === 3, 'three cluster-wide events');
      expect(seen).toEqual(['ADDED:team-b/c', 'DELETED:team-a/b', 'DELETED:argocd/a']);
    } finally {
      ctl.abort();
    }
  });
});

describe('validation errors', () => {
  it('names the kind in 422 Invalid messages, as errors.NewInvalid does', async () => {
    const created = server.put(app('v', 'argocd'));
    const { resourceVersion: _rv, ...meta } = created.metadata;
    const e = await apiError(
      co.replaceNamespacedCustomObject({
        ...APP,
        namespace: 'argocd',
        name: 'v',
        body: { ...created, metadata: meta },
      }),
    );
    expect(e).toMatchObject({
      code: 422,
      body: {
        reason: 'Invalid',
        message:
          'Application.argoproj.io "v" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
        details: { name: 'v', group: 'argoproj.io', kind: 'Application' },
      },
    });
  });
});

describe('ImageUpdater status subresource', () => {
  it('is advertised in discovery', async () => {
    const res = await fetch(`${server.url}/apis/${IU_API}`, { headers: { Authorization: `Bearer ${server.token}` } });
    const doc = (await res.json()) as { resources: { name: string; verbs: string[] }[] };
    expect(doc.resources.map((r) => r.name)).toEqual(['imageupdaters', 'imageupdaters/status']);
    expect(doc.resources[1]!.verbs).toEqual(['get', 'patch', 'update']);
  });

  it('drops status on create and ignores status changes in ordinary PUT/PATCH', async () => {
    const created = await co.createNamespacedCustomObject({
      ...IU,
      body: { ...imageUpdater('iu'), status: { reconciledAt: 'x' } },
    });
    expect(created).not.toHaveProperty('status');
    expect(created.metadata.generation).toBe(1);

    const withStatus = await co.patchNamespacedCustomObjectStatus(
      { ...IU, name: 'iu', body: { status: { reconciledAt: '2026-01-01T00:00:00Z' } } },
      merge,
    );
    const patched = await co.patchNamespacedCustomObject(
      { ...IU, name: 'iu', body: { status: { reconciledAt: 'ignored' } } },
      merge,
    );
    expect(patched.status).toEqual({ reconciledAt: '2026-01-01T00:00:00Z' });
    expect(patched.metadata.resourceVersion).toBe(withStatus.metadata.resourceVersion); // nothing changed: no new resourceVersion
    expect(patched.metadata.generation).toBe(1);

    const replaced = await co.replaceNamespacedCustomObject({
      ...IU,
      name: 'iu',
      body: { ...patched, spec: { ...patched.spec, namespace: 'apps' }, status: { reconciledAt: 'ignored' } },
    });
    expect(replaced.status).toEqual({ reconciledAt: '2026-01-01T00:00:00Z' });
    expect(replaced.spec.namespace).toBe('apps');
    expect(replaced.metadata.generation).toBe(2);
  });

  it('changes only status through /status, bumps resourceVersion but never generation, and checks resourceVersion', async () => {
    const created = server.put(imageUpdater('st'));
    const put = await co.replaceNamespacedCustomObjectStatus({
      ...IU,
      name: 'st',
      body: {
        ...created,
        metadata: { ...created.metadata, labels: { ignored: 'yes' } },
        spec: { ignored: true },
        status: { imageStatus: [{ name: 'web', version: '1.1' }] },
      },
    });
    expect(put.status).toEqual({ imageStatus: [{ name: 'web', version: '1.1' }] });
    expect(put.spec).toEqual(created.spec);
    expect(put.metadata.labels).toBeUndefined();
    expect(put.metadata.generation).toBe(1);
    expect(Number(put.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));

    const stale = await apiError(
      co.replaceNamespacedCustomObjectStatus({ ...IU, name: 'st', body: { ...created, status: { x: 1 } } }),
    );
    expect(stale.code).toBe(409);
    expect(stale.body?.reason).toBe('Conflict');

    const patched = await co.patchNamespacedCustomObjectStatus(
      { ...IU, name: 'st', body: { status: { reconciledAt: 'now' }, spec: { ignored: true } } },
      merge,
    );
    expect(patched.status).toEqual({ imageStatus: [{ name: 'web', version: '1.1' }], reconciledAt: 'now' });
    expect(patched.spec).toEqual(created.spec);
    expect(patched.metadata.generation).toBe(1);
    expect((await co.getNamespacedCustomObjectStatus({ ...IU, name: 'st' })).status.reconciledAt).toBe('now');
    expect(server.counts().byResource['imageupdaters.argocd-image-updater.argoproj.io/status']).toEqual({
      update: 2,
      patch: 1,
      get: 1,
    });
  });

  it('bumps generation on spec changes only, through any write path', async () => {
    server.put(imageUpdater('g'));
    const spec = await co.patchNamespacedCustomObject({ ...IU, name: 'g', body: { spec: { namespace: 'a' } } }, merge);
    expect(spec.metadata.generation).toBe(2);
    const meta = await co.patchNamespacedCustomObject(
      { ...IU, name: 'g', body: { metadata: { labels: { l: 'v' } } } },
      merge,
    );
    expect(meta.metadata.generation).toBe(2);
    const status = await co.patchNamespacedCustomObjectStatus(
      { ...IU, name: 'g', body: { status: { reconciledAt: 'now' } } },
      merge,
    );
    expect(status.metadata.generation).toBe(2);
    // The test hook writes status too, still without a generation bump.
    const hooked = server.put({
      ...server.get(IU_API, 'imageupdaters', 'argocd', 'g')!,
      status: { reconciledAt: 'later' },
    });
    expect(hooked.status).toEqual({ reconciledAt: 'later' });
    expect(hooked.metadata.generation).toBe(2);
  });
});

describe('an uninstalled CRD', () => {
  it('deletes its objects, ends its watches, and answers 404 on its paths and in discovery until installed again', async () => {
    server.put(imageUpdater('gone'));
    const events: string[] = [];
    let ended: unknown = 'open';
    await new k8s.Watch(kc).watch(
      `/apis/${IU_API}/namespaces/argocd/imageupdaters`,
      { resourceVersion: server.resourceVersion },
      (type, obj) => events.push(`${type}:${obj.metadata.name}`),
      (err) => (ended = err),
    );
    await until(() => server.openWatches === 1, 'the watch to open');
    server.uninstallResource('imageupdaters.argocd-image-updater.argoproj.io');
    await until(() => ended !== 'open', 'the watch to end');
    expect(ended).toBeNull();
    expect(events).toEqual(['DELETED:gone']);

    const missing = await apiError(co.listNamespacedCustomObject(IU));
    expect(missing).toMatchObject({
      code: 404,
      body: { kind: 'Status', reason: 'NotFound', message: 'the server could not find the requested resource' },
    });
    const groups = await kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    expect(groups.groups.map((g) => g.name)).not.toContain('argocd-image-updater.argoproj.io');
    expect(
      (await fetch(`${server.url}/apis/${IU_API}`, { headers: { Authorization: `Bearer ${server.token}` } })).status,
    ).toBe(404);
    expect(server.list(IU_API, 'imageupdaters')).toEqual([]);
    expect(() => server.put(imageUpdater('x'))).toThrow(/uninstalled/);
    expect((await co.listNamespacedCustomObject({ ...APP, namespace: 'argocd' })).items).toBeDefined(); // other resources unaffected

    server.installResource('imageupdaters.argocd-image-updater.argoproj.io');
    expect((await co.listNamespacedCustomObject(IU)).items).toEqual([]);
  });
});

describe('Events', () => {
  it('creates core/v1 Events in a namespace and selects them by involvedObject, reason and type', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const event = (name: string, app: string, reason: string, type: string): k8s.CoreV1Event => ({
      metadata: { name, namespace: 'argocd' },
      involvedObject: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', name: app, namespace: 'argocd' },
      reason,
      type,
      message: `${reason} ${app}`,
      source: { component: 'ArgocdImageUpdater' },
      count: 1,
    });
    const created = await core.createNamespacedEvent({
      namespace: 'argocd',
      body: event('web.1', 'web', 'ImagesUpdated', 'Normal'),
    });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.generation).toBeUndefined(); // built-in type
    await core.createNamespacedEvent({ namespace: 'argocd', body: event('web.2', 'web', 'UpdateFailed', 'Warning') });
    await core.createNamespacedEvent({ namespace: 'argocd', body: event('api.1', 'api', 'UpdateFailed', 'Warning') });
    const select = async (fieldSelector: string) =>
      (await core.listNamespacedEvent({ namespace: 'argocd', fieldSelector })).items.map((e) => e.metadata?.name);
    expect(await select('involvedObject.name=web')).toEqual(['web.1', 'web.2']);
    expect(await select('involvedObject.kind=Application,type=Warning')).toEqual(['api.1', 'web.2']);
    expect(await select('reason!=UpdateFailed,source=ArgocdImageUpdater')).toEqual(['web.1']);
    expect((await apiError(core.listNamespacedEvent({ namespace: 'argocd', fieldSelector: 'nope=x' }))).code).toBe(400);
    expect(
      (await apiError(core.createNamespacedEvent({ namespace: 'other', body: event('x', 'web', 'R', 'Normal') }))).code,
    ).toBe(400); // namespace mismatch
  });
});

describe('Leases', () => {
  it('creates, gets and updates with resourceVersion conflicts, as leader election does', async () => {
    const leases = kc.makeApiClient(k8s.CoordinationV1Api);
    const now = () => new k8s.V1MicroTime();
    const spec = (holder: string) => ({
      holderIdentity: holder,
      leaseDurationSeconds: 15,
      acquireTime: now(),
      renewTime: now(),
      leaseTransitions: 0,
    });
    const created = await leases.createNamespacedLease({
      namespace: 'argocd',
      body: { metadata: { name: 'tagflow-scheduler' }, spec: spec('pod-a') },
    });
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(created.spec?.holderIdentity).toBe('pod-a');
    expect(created.metadata?.generation).toBeUndefined(); // built-in type
    const dup = await apiError(
      leases.createNamespacedLease({
        namespace: 'argocd',
        body: { metadata: { name: 'tagflow-scheduler' }, spec: spec('pod-b') },
      }),
    );
    expect(dup).toMatchObject({
      code: 409,
      body: { reason: 'AlreadyExists', message: 'leases.coordination.k8s.io "tagflow-scheduler" already exists' },
    });

    // Two candidates read the same version; the first update wins, the second gets 409 Conflict.
    const seenByA = await leases.readNamespacedLease({ namespace: 'argocd', name: 'tagflow-scheduler' });
    const seenByB = await leases.readNamespacedLease({ namespace: 'argocd', name: 'tagflow-scheduler' });
    const renewed = await leases.replaceNamespacedLease({
      namespace: 'argocd',
      name: 'tagflow-scheduler',
      body: { ...seenByA, spec: { ...seenByA.spec, renewTime: now() } },
    });
    expect(Number(renewed.metadata?.resourceVersion)).toBeGreaterThan(Number(seenByA.metadata?.resourceVersion));
    const lost = await apiError(
      leases.replaceNamespacedLease({
        namespace: 'argocd',
        name: 'tagflow-scheduler',
        body: { ...seenByB, spec: { ...seenByB.spec, holderIdentity: 'pod-b', leaseTransitions: 1 } },
      }),
    );
    expect(lost.code).toBe(409);
    expect(lost.body?.message).toBe(
      'Operation cannot be fulfilled on leases.coordination.k8s.io "tagflow-scheduler": the object has been modified; please apply your changes to the latest version and try again',
    );
    const current = await leases.readNamespacedLease({ namespace: 'argocd', name: 'tagflow-scheduler' });
    expect(current.spec?.holderIdentity).toBe('pod-a');

    // A built-in type accepts an unconditional update (no resourceVersion).
    const { resourceVersion: _rv, ...meta } = current.metadata!;
    const forced = await leases.replaceNamespacedLease({
      namespace: 'argocd',
      name: 'tagflow-scheduler',
      body: { ...current, metadata: meta, spec: { ...current.spec, holderIdentity: 'pod-c' } },
    });
    expect(forced.spec?.holderIdentity).toBe('pod-c');
    expect((await apiError(leases.readNamespacedLease({ namespace: 'argocd', name: 'missing' }))).code).toBe(404);
  });
});
