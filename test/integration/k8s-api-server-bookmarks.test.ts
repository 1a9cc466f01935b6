/**
 * Watch bookmarks and watch-list (sendInitialEvents) of the test API server, through client-node's
 * Watch and informer.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiServer } from '../services/kube-api-server.ts';
import { bookmarkInformer, kubeConfigFor, until } from '../services/kube-test-client.ts';

const API = 'argoproj.io/v1alpha1';
const PATH = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications';

function app(name: string, tag = 'v1', labels: Record<string, string> = {}, namespace = 'argocd') {
  return { apiVersion: API, kind: 'Application', metadata: { name, namespace, labels }, spec: { tag } };
}
const configMap = (name: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'argocd' },
  data: { n: name },
});

interface Seen {
  type: string;
  object: {
    kind?: string;
    apiVersion?: string;
    metadata: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
  };
}

/** Starts a client-node watch and records its events until it ends. */
async function record(kc: k8s.KubeConfig, params: Record<string, string | number | boolean>) {
  const events: Seen[] = [];
  let ended: unknown = 'open';
  const done = new Promise<unknown>((resolve) => {
    void new k8s.Watch(kc)
      .watch(
        PATH,
        params,
        (type, object) => events.push({ type, object }),
        (err) => {
          ended = err;
          resolve(err);
        },
      )
      .then((ctl) => (controller = ctl));
  });
  let controller: AbortController | undefined;
  return { events, done, ended: () => ended, abort: () => controller?.abort() };
}

let server: KubeApiServer;
let kc: k8s.KubeConfig;
beforeAll(async () => {
  server = await startKubeApiServer({ bookmarkIntervalMs: 50 });
  kc = kubeConfigFor(server);
});
afterAll(async () => server.close());
beforeEach(() => {
  for (const o of server.list(API, 'applications'))
    server.delete(API, 'applications', o.metadata.namespace!, o.metadata.name!);
  server.resetRequests();
});

describe('watch bookmarks', () => {
  it('sends BOOKMARK events with the current resourceVersion when allowWatchBookmarks=true', async () => {
    server.put(app('b1'));
    const w = await record(kc, { allowWatchBookmarks: true, resourceVersion: server.resourceVersion });
    await until(() => w.events.filter((e) => e.type === 'BOOKMARK').length >= 2, 'two periodic bookmarks');
    const changed = server.put(app('b1', 'v2'));
    server.put(configMap('elsewhere')); // moves the resourceVersion without an event on this watch
    const rv = server.resourceVersion;
    await until(
      () => w.events.some((e) => e.type === 'BOOKMARK' && e.object.metadata.resourceVersion === rv),
      'a bookmark at the new resourceVersion',
    );
    w.abort();

    const bookmark = w.events.find((e) => e.type === 'BOOKMARK')!;
    expect(bookmark.object).toEqual({
      kind: 'Application',
      apiVersion: API,
      metadata: { resourceVersion: expect.stringMatching(/^\d+$/) },
    });
    const modified = w.events.findIndex((e) => e.type === 'MODIFIED');
    expect(w.events[modified]!.object.metadata.resourceVersion).toBe(changed.metadata.resourceVersion);
    // Bookmarks never go backwards, and the one after the change covers it.
    const rvs = w.events.filter((e) => e.type === 'BOOKMARK').map((e) => Number(e.object.metadata.resourceVersion));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    expect(
      Number(w.events.slice(modified).find((e) => e.type === 'BOOKMARK')!.object.metadata.resourceVersion),
    ).toBeGreaterThanOrEqual(Number(changed.metadata.resourceVersion));
    expect(server.requests.find((r) => r.verb === 'watch')?.query).toContain('allowWatchBookmarks=true');
  });

  it('sends none without allowWatchBookmarks, and one right before a timeoutSeconds close when allowed', async () => {
    const quiet = await startKubeApiServer({ bookmarkIntervalMs: 0 }); // no periodic bookmarks: only the closing one
    try {
      const qkc = kubeConfigFor(quiet);
      quiet.put(app('t1'));
      const plain = await record(qkc, { timeoutSeconds: 1 });
      const allowed = await record(qkc, { timeoutSeconds: 1, allowWatchBookmarks: true });
      expect(await plain.done).toBeNull(); // a server-side close, not an error
      expect(await allowed.done).toBeNull();
      expect(plain.events.map((e) => e.type)).toEqual(['ADDED']);
      expect(allowed.events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
      expect(allowed.events[1]!.object.metadata.resourceVersion).toBe(quiet.resourceVersion);
    } finally {
      await quiet.close();
    }
  });

  it('sends a bookmark periodically even to a watch that sees no events', async () => {
    server.put(app('other-ns', 'v1', {}, 'elsewhere'));
    const w = await record(kc, {
      allowWatchBookmarks: true,
      resourceVersion: server.resourceVersion,
      labelSelector: 'none=here',
    });
    await until(() => w.events.length >= 3, 'bookmarks on an empty watch');
    w.abort();
    expect(new Set(w.events.map((e) => e.type))).toEqual(new Set(['BOOKMARK']));
  });
});

describe('watch list (sendInitialEvents)', () => {
  it('streams ADDED for the current objects, then the initial-events-end bookmark, then live events', async () => {
    server.put(app('s1', 'v1', { pick: 'yes' }));
    server.put(app('s2', 'v1', { pick: 'yes' }));
    server.put(app('s3', 'v1'));
    const w = await record(kc, {
      sendInitialEvents: true,
      resourceVersionMatch: 'NotOlderThan',
      allowWatchBookmarks: true,
      labelSelector: 'pick=yes',
    });
    const end = await until(
      () => w.events.find((e) => e.object.metadata.annotations?.['k8s.io/initial-events-end'] === 'true'),
      'initial-events-end',
    );
    expect(end.type).toBe('BOOKMARK');
    expect(end.object).toEqual({
      kind: 'Application',
      apiVersion: API,
      metadata: { resourceVersion: server.resourceVersion, annotations: { 'k8s.io/initial-events-end': 'true' } },
    });
    const initial = w.events.slice(0, w.events.indexOf(end));
    expect(initial.map((e) => `${e.type}:${e.object.metadata.name}`)).toEqual(['ADDED:s1', 'ADDED:s2']);
    server.put(app('s4', 'v1', { pick: 'yes' }));
    await until(
      () => w.events.some((e) => e.type === 'ADDED' && e.object.metadata.name === 's4'),
      'live event after the initial list',
    );
    w.abort();
  });

  it('rejects invalid watch-list options with 422 ListOptions Status bodies, and a future resourceVersion with 504', async () => {
    const get = async (query: string) => {
      const res = await fetch(`${server.url}${PATH}?${query}`, {
        headers: { Authorization: `Bearer ${server.token}` },
      });
      return {
        status: res.status,
        body: (await res.json()) as {
          reason: string;
          message: string;
          details: { kind: string; group: string; causes: unknown[] };
        },
      };
    };
    const noMatch = await get('watch=true&sendInitialEvents=true');
    expect(noMatch.status).toBe(422);
    expect(noMatch.body).toMatchObject({
      kind: 'Status',
      reason: 'Invalid',
      message:
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
      details: {
        group: 'meta.k8s.io',
        kind: 'ListOptions',
        causes: [{ reason: 'FieldValueForbidden', field: 'resourceVersionMatch' }],
      },
    });
    const matchOnly = await get('watch=true&resourceVersionMatch=NotOlderThan');
    expect(matchOnly.body.message).toContain(
      'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
    );
    expect(
      (await get('sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=0')).body.message,
    ).toContain('sendInitialEvents is forbidden for list');

    const ahead = String(Number(server.resourceVersion) + 100);
    const future = await get(`watch=true&resourceVersion=${ahead}`);
    expect(future.status).toBe(504);
    expect(future.body).toMatchObject({
      reason: 'Timeout',
      message: `Timeout: Too large resource version: ${ahead}, current: ${server.resourceVersion}`,
    });

    // client-node's Watch surfaces the status code.
    const err = (await (await record(kc, { sendInitialEvents: true })).done) as { statusCode?: number };
    expect(err.statusCode).toBe(422);
  });
});

describe('informer with bookmarks', () => {
  const listApps = () =>
    kc.makeApiClient(k8s.CustomObjectsApi).listNamespacedCustomObject({
      group: 'argoproj.io',
      version: 'v1alpha1',
      namespace: 'argocd',
      plural: 'applications',
    }) as unknown as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>;
  const lists = () => server.requests.filter((r) => r.verb === 'list' && r.path === PATH).length;
  const watchesFrom = (rv: string) =>
    server.requests.filter((r) => r.verb === 'watch' && new URLSearchParams(r.query).get('resourceVersion') === rv)
      .length;

  it('keeps bookmarks out of its cache and resumes from the bookmark resourceVersion after a reconnect', async () => {
    server.put(app('i1'));
    const informer = bookmarkInformer(kc, PATH, listApps);
    const seen: string[] = [];
    const errors: unknown[] = [];
    informer.on('add', (o) => seen.push(`add:${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update:${o.metadata?.name}`));
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    try {
      await until(() => seen.includes('add:i1'), 'initial add');
      const listRv = informer.latestResourceVersion();
      for (let i = 0; i < 3; i++) server.put(configMap(`cm-${i}`)); // rv moves on, nothing for this watch
      const rv = server.resourceVersion;
      expect(rv).not.toBe(listRv);
      await until(() => informer.latestResourceVersion() === rv, 'the informer to take the bookmark resourceVersion');
      expect(informer.list().map((o) => o.metadata?.name)).toEqual(['i1']);
      expect(seen).toEqual(['add:i1']);

      // The server drops the watch and its history up to now: resuming from the list's
      // resourceVersion would be 410 Gone, resuming from the bookmark's is fine.
      const listsBefore = lists();
      server.closeWatches();
      server.compact();
      await until(() => watchesFrom(rv) >= 1, 'a watch resumed from the bookmark resourceVersion');
      server.put(app('i1', 'v2'));
      await until(() => seen.includes('update:i1'), 'update after the reconnect');
      expect(lists()).toBe(listsBefore);
      expect(errors).toEqual([]);
    } finally {
      await informer.stop();
    }
  });

  it('relists after 410 Gone when it has no newer resourceVersion (no bookmarks asked for)', async () => {
    server.put(app('g1'));
    const informer = new k8s.ListWatch(PATH, new k8s.Watch(kc), listApps, false); // what makeInformer() builds
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add:${o.metadata?.name}`));
    informer.on('delete', (o) => seen.push(`delete:${o.metadata?.name}`));
    await informer.start();
    try {
      await until(() => seen.includes('add:g1'), 'initial add');
      const listRv = informer.latestResourceVersion();
      server.put(configMap('cm-x'));
      const listsBefore = lists();
      server.closeWatches();
      server.delete(API, 'applications', 'argocd', 'g1'); // happens while it is away...
      server.put(app('g2'));
      server.compact(); // ...and the history of it is gone
      await until(() => seen.includes('add:g2') && seen.includes('delete:g1'), 'relist after 410');
      expect(lists()).toBe(listsBefore + 1);
      expect(watchesFrom(listRv)).toBeGreaterThanOrEqual(2); // the first watch and the one answered with 410
      expect(informer.list().map((o) => o.metadata?.name)).toEqual(['g2']);
    } finally {
      await informer.stop();
    }
  });
});
