/**
 * The test API server driven through the real @kubernetes/client-node 1.4: the requests it sends
 * and the behaviour a real kube-apiserver shows for them.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiServer } from '../services/kube-api-server.ts';

const APP = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' } as const;
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

function app(name: string, labels: Record<string, string> = {}, tag = 'v1.0') {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd', labels },
    spec: {
      source: { repoURL: 'https://example.invalid/r.git', helm: { parameters: [{ name: 'image.tag', value: tag }] } },
    },
  };
}

function kubeConfig(server: KubeApiServer, token = server.token ?? ''): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: server.url, skipTLSVerify: true }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u', namespace: 'argocd' }],
    currentContext: 'x',
  });
  return kc;
}

async function apiError(
  p: Promise<unknown>,
): Promise<{ code: number; body: { reason: string; kind: string; message: string; code: number } }> {
  const e = await p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(k8s.ApiException);
  const ex = e as k8s.ApiException<string>;
  return { code: ex.code, body: typeof ex.body === 'string' ? JSON.parse(ex.body) : ex.body };
}

let server: KubeApiServer;
let co: k8s.CustomObjectsApi;
let core: k8s.CoreV1Api;

beforeAll(async () => {
  server = await startKubeApiServer({ token: 'sekret' });
  co = kubeConfig(server).makeApiClient(k8s.CustomObjectsApi);
  core = kubeConfig(server).makeApiClient(k8s.CoreV1Api);
});
afterAll(async () => server.close());
beforeEach(() => {
  for (const o of server.list('argoproj.io/v1alpha1', 'applications'))
    server.delete('argoproj.io/v1alpha1', 'applications', 'argocd', o.metadata.name!);
  server.requests.length = 0;
});

describe('CRUD on custom resources', () => {
  it('creates, gets, lists with label selectors and deletes', async () => {
    await co.createNamespacedCustomObject({ ...APP, namespace: 'argocd', body: app('a', { team: 'x', tier: 'web' }) });
    await co.createNamespacedCustomObject({ ...APP, namespace: 'argocd', body: app('b', { team: 'y' }) });
    await co.createNamespacedCustomObject({ ...APP, namespace: 'argocd', body: app('c') });
    const got = await co.getNamespacedCustomObject({ ...APP, namespace: 'argocd', name: 'a' });
    expect(got.metadata).toMatchObject({ name: 'a', namespace: 'argocd', generation: 1 });
    expect(got.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);

    const names = async (labelSelector?: string) =>
      (
        (await co.listNamespacedCustomObject({ ...APP, namespace: 'argocd', labelSelector })).items as {
          metadata: { name: string };
        }[]
      ).map((i) => i.metadata.name);
    expect(await names()).toEqual(['a', 'b', 'c']);
    expect(await names('team=x')).toEqual(['a']);
    expect(await names('team!=x')).toEqual(['b', 'c']);
    expect(await names('team')).toEqual(['a', 'b']);
    expect(await names('!team')).toEqual(['c']);
    expect(await names('team in (x, y),tier notin (db)')).toEqual(['a', 'b']);
    expect((await apiError(names('team in (x'))).code).toBe(400);

    const list = await co.listNamespacedCustomObject({ ...APP, namespace: 'argocd' });
    expect(list.kind).toBe('ApplicationList');
    expect(Number(list.metadata.resourceVersion)).toBeGreaterThanOrEqual(3);
    expect(list.items[0].kind).toBe('Application');

    await co.deleteNamespacedCustomObject({ ...APP, namespace: 'argocd', name: 'b' });
    expect(await names()).toEqual(['a', 'c']);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toContain(
      'DELETE /apis/argoproj.io/v1alpha1/namespaces/argocd/applications/b',
    );
  });

  it('answers 404 and 409 AlreadyExists with Status bodies', async () => {
    const nf = await apiError(co.getNamespacedCustomObject({ ...APP, namespace: 'argocd', name: 'nope' }));
    expect(nf.code).toBe(404);
    expect(nf.body).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      code: 404,
      message: 'applications.argoproj.io "nope" not found',
    });
    await co.createNamespacedCustomObject({ ...APP, namespace: 'argocd', body: app('dup') });
    const dup = await apiError(co.createNamespacedCustomObject({ ...APP, namespace: 'argocd', body: app('dup') }));
    expect(dup.code).toBe(409);
    expect(dup.body.reason).toBe('AlreadyExists');
  });

  it('merge-patches with application/merge-patch+json and bumps generation on spec change only', async () => {
    const created = server.put(app('m'));
    const patched = await co.patchNamespacedCustomObject(
      {
        ...APP,
        namespace: 'argocd',
        name: 'm',
        body: { spec: { source: { helm: { parameters: [{ name: 'image.tag', value: 'v2.0' }] } } } },
      },
      merge,
    );
    expect(patched.spec.source.helm.parameters[0].value).toBe('v2.0');
    expect(patched.spec.source.repoURL).toBe('https://example.invalid/r.git');
    expect(patched.metadata.generation).toBe(2);
    expect(Number(patched.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    expect(server.requests.at(-1)).toMatchObject({ method: 'PATCH', contentType: 'application/merge-patch+json' });

    const labelled = await co.patchNamespacedCustomObject(
      { ...APP, namespace: 'argocd', name: 'm', body: { metadata: { labels: { a: 'b' } } } },
      merge,
    );
    expect(labelled.metadata.generation).toBe(2);
    const noop = await co.patchNamespacedCustomObject(
      { ...APP, namespace: 'argocd', name: 'm', body: { metadata: { labels: { a: 'b' } } } },
      merge,
    );
    expect(noop.metadata.resourceVersion).toBe(labelled.metadata.resourceVersion);
    const removed = await co.patchNamespacedCustomObject(
      { ...APP, namespace: 'argocd', name: 'm', body: { metadata: { labels: { a: null } } } },
      merge,
    );
    expect(removed.metadata.labels).toEqual({});
  });

  it('rejects a merge patch carrying a stale resourceVersion with 409 Conflict', async () => {
    const v1 = server.put(app('s'));
    server.put(app('s', {}, 'v1.1'));
    const e = await apiError(
      co.patchNamespacedCustomObject(
        {
          ...APP,
          namespace: 'argocd',
          name: 's',
          body: { metadata: { resourceVersion: v1.metadata.resourceVersion }, spec: { x: 1 } },
        },
        merge,
      ),
    );
    expect(e.code).toBe(409);
    expect(e.body.reason).toBe('Conflict');
    expect(server.get('argoproj.io/v1alpha1', 'applications', 'argocd', 's')!.spec).not.toHaveProperty('x');
  });

  it('applies json-patch by default, including test ops, and refuses strategic merge for custom resources', async () => {
    server.put(app('j'));
    const out = await co.patchNamespacedCustomObject({
      ...APP,
      namespace: 'argocd',
      name: 'j',
      body: [
        { op: 'test', path: '/spec/source/helm/parameters/0/value', value: 'v1.0' },
        { op: 'replace', path: '/spec/source/helm/parameters/0/value', value: 'v1.2' },
        { op: 'add', path: '/spec/source/helm/parameters/-', value: { name: 'x', value: 'y' } },
      ],
    });
    expect(out.spec.source.helm.parameters).toEqual([
      { name: 'image.tag', value: 'v1.2' },
      { name: 'x', value: 'y' },
    ]);
    expect(server.requests.at(-1)!.contentType).toBe('application/json-patch+json');
    const failed = await apiError(
      co.patchNamespacedCustomObject({
        ...APP,
        namespace: 'argocd',
        name: 'j',
        body: [{ op: 'test', path: '/spec/source/helm/parameters/0/value', value: 'v1.0' }],
      }),
    );
    expect(failed.code).toBe(422);
    const smp = await apiError(
      co.patchNamespacedCustomObject(
        { ...APP, namespace: 'argocd', name: 'j', body: { spec: {} } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
      ),
    );
    expect(smp.code).toBe(415);
  });

  it('rejects PUT with a stale resourceVersion and accepts the current one', async () => {
    const cur = await co.createNamespacedCustomObject({ ...APP, namespace: 'argocd', body: app('u') });
    const next = { ...cur, spec: { ...cur.spec, project: 'p' } };
    const ok = await co.replaceNamespacedCustomObject({ ...APP, namespace: 'argocd', name: 'u', body: next });
    expect(ok.metadata.generation).toBe(2);
    const stale = await apiError(
      co.replaceNamespacedCustomObject({ ...APP, namespace: 'argocd', name: 'u', body: next }),
    );
    expect(stale.code).toBe(409);
  });
});

describe('object lifecycle details', () => {
  it('keeps an object with finalizers until they are removed', async () => {
    await co.createNamespacedCustomObject({
      ...APP,
      namespace: 'argocd',
      body: { ...app('fin'), metadata: { ...app('fin').metadata, finalizers: ['x/y'] } },
    });
    const marked = await co.deleteNamespacedCustomObject({ ...APP, namespace: 'argocd', name: 'fin' });
    expect(marked.metadata.deletionTimestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(server.get('argoproj.io/v1alpha1', 'applications', 'argocd', 'fin')).toBeDefined();
    await co.patchNamespacedCustomObject(
      { ...APP, namespace: 'argocd', name: 'fin', body: { metadata: { finalizers: null } } },
      merge,
    );
    expect(server.get('argoproj.io/v1alpha1', 'applications', 'argocd', 'fin')).toBeUndefined();
  });

  it('honours delete preconditions', async () => {
    const obj = server.put(app('pre'));
    server.put(app('pre', {}, 'v2'));
    const e = await apiError(
      co.deleteNamespacedCustomObject({
        ...APP,
        namespace: 'argocd',
        name: 'pre',
        body: { preconditions: { resourceVersion: obj.metadata.resourceVersion } },
      }),
    );
    expect(e.code).toBe(409);
    expect(server.get('argoproj.io/v1alpha1', 'applications', 'argocd', 'pre')).toBeDefined();
  });

  it("has no /status subresource for Applications (Argo CD's CRD declares none): status is an ordinary field", async () => {
    const obj = server.put(app('st'));
    const missing = await apiError(
      co.patchNamespacedCustomObjectStatus(
        { ...APP, namespace: 'argocd', name: 'st', body: { status: { phase: 'ok' } } },
        merge,
      ),
    );
    expect(missing.code).toBe(404);
    const out = await co.patchNamespacedCustomObject(
      { ...APP, namespace: 'argocd', name: 'st', body: { status: { phase: 'ok' } } },
      merge,
    );
    expect(out.status).toEqual({ phase: 'ok' });
    expect(out.metadata.generation).toBe(obj.metadata.generation! + 1);
  });

  it('validates create and update bodies like the real server', async () => {
    const gen = await co.createNamespacedCustomObject({
      ...APP,
      namespace: 'argocd',
      body: { ...app(''), metadata: { generateName: 'auto-', namespace: 'argocd' } },
    });
    expect(gen.metadata.name).toMatch(/^auto-[a-z0-9]{5}$/);
    expect(
      (
        await apiError(
          co.createNamespacedCustomObject({
            ...APP,
            namespace: 'argocd',
            body: { ...app('x'), metadata: { name: 'x', namespace: 'other' } },
          }),
        )
      ).code,
    ).toBe(400);
    const { resourceVersion: _rv, ...meta } = gen.metadata;
    const noRv = await apiError(
      co.replaceNamespacedCustomObject({
        ...APP,
        namespace: 'argocd',
        name: gen.metadata.name,
        body: { ...gen, metadata: meta },
      }),
    );
    expect(noRv.code).toBe(422);
    const renamed = await apiError(
      co.replaceNamespacedCustomObject({
        ...APP,
        namespace: 'argocd',
        name: gen.metadata.name,
        body: { ...gen, metadata: { ...gen.metadata, name: 'other' } },
      }),
    );
    expect(renamed.code).toBe(400);
  });
});

describe('core resources, auth, faults and discovery', () => {
  it('folds Secret stringData into base64 data and serves ConfigMaps', async () => {
    await core.createNamespacedSecret({
      namespace: 'argocd',
      body: { metadata: { name: 's' }, data: { a: Buffer.from('A').toString('base64') }, stringData: { b: 'B' } },
    });
    const s = await core.readNamespacedSecret({ namespace: 'argocd', name: 's' });
    expect(s.data).toEqual({ a: 'QQ==', b: 'Qg==' });
    expect(s.type).toBe('Opaque');
    expect(s).not.toHaveProperty('stringData');
    const bad = await apiError(
      core.createNamespacedSecret({ namespace: 'argocd', body: { metadata: { name: 'bad' }, data: { a: '!!' } } }),
    );
    expect(bad.code).toBe(400);
    await core.createNamespacedConfigMap({
      namespace: 'argocd',
      body: { metadata: { name: 'cm', labels: { k: 'v' } }, data: { x: 'y' } },
    });
    expect((await core.readNamespacedConfigMap({ namespace: 'argocd', name: 'cm' })).data).toEqual({ x: 'y' });
    const items = (await core.listNamespacedConfigMap({ namespace: 'argocd', labelSelector: 'k=v' })).items;
    expect(items.map((i) => i.metadata?.name)).toEqual(['cm']);
  });

  it('supports Lease optimistic concurrency through CoordinationV1Api', async () => {
    const leases = kubeConfig(server).makeApiClient(k8s.CoordinationV1Api);
    const body = {
      metadata: { name: 'tagflow-leader' },
      spec: { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime: new k8s.V1MicroTime() },
    };
    const created = await leases.createNamespacedLease({ namespace: 'argocd', body });
    expect((await apiError(leases.createNamespacedLease({ namespace: 'argocd', body }))).code).toBe(409);
    const renewed = await leases.replaceNamespacedLease({
      namespace: 'argocd',
      name: 'tagflow-leader',
      body: { ...created, spec: { ...created.spec, holderIdentity: 'b' } },
    });
    expect(renewed.spec?.holderIdentity).toBe('b');
    expect(
      (await apiError(leases.replaceNamespacedLease({ namespace: 'argocd', name: 'tagflow-leader', body: created })))
        .code,
    ).toBe(409);
  });

  it('answers 401 to a wrong bearer token', async () => {
    const bad = kubeConfig(server, 'wrong').makeApiClient(k8s.CustomObjectsApi);
    const e = await apiError(bad.listNamespacedCustomObject({ ...APP, namespace: 'argocd' }));
    expect(e.code).toBe(401); // client-node drops the body of a 401; check it over plain fetch
    const res = await fetch(`${server.url}/apis/argoproj.io/v1alpha1/namespaces/argocd/applications`, {
      headers: { Authorization: 'Bearer wrong' },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect((await fetch(`${server.url}/apis/argoproj.io/v1alpha1/namespaces/argocd/applications`)).status).toBe(401);
  });

  it('injects faults with Retry-After', async () => {
    server.put(app('f'));
    server.failNext({ method: 'GET', pathRegex: '/applications/f$', status: 429, times: 1 });
    const e = await co
      .getNamespacedCustomObject({ ...APP, namespace: 'argocd', name: 'f' })
      .catch((x: k8s.ApiException<string>) => x);
    expect(e.code).toBe(429);
    expect(e.headers['retry-after']).toBe('1');
    expect((await co.getNamespacedCustomObject({ ...APP, namespace: 'argocd', name: 'f' })).metadata.name).toBe('f');
  });

  it('serves discovery and a loadable kubeconfig', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(server.kubeconfig('argocd'));
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('argocd');
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(version.major).toBe('1');
    const groups = await kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    expect(groups.groups.map((g) => g.name)).toEqual(expect.arrayContaining(['argoproj.io', 'coordination.k8s.io']));
    const res = await fetch(`${server.url}/apis/argoproj.io/v1alpha1`, { headers: { Authorization: 'Bearer sekret' } });
    const doc = (await res.json()) as { resources: { name: string; kind: string }[] };
    expect(doc.resources).toContainEqual(expect.objectContaining({ name: 'applications', kind: 'Application' }));
  });
});
