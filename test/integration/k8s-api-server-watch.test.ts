/**
 * Watch streams of the test API server through client-node's Watch and informer.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiServer } from '../services/kube-api-server.ts';

const PATH = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications';

function app(name: string, tag: string, labels: Record<string, string> = {}) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd', labels },
    spec: { tag },
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let server: KubeApiServer;
let kc: k8s.KubeConfig;
beforeAll(async () => {
  server = await startKubeApiServer({ historyLimit: 50 });
  kc = new k8s.KubeConfig();
  kc.loadFromString(server.kubeconfig('argocd'));
});
afterAll(async () => server.close());

describe('watch', () => {
  it('replays events after the given resourceVersion, then streams live ones', async () => {
    const first = server.put(app('w1', 'a'));
    server.put(app('w1', 'b'));
    server.put(app('w2', 'a'));
    const seen: string[] = [];
    const done: unknown[] = [];
    const ctl = await new k8s.Watch(kc).watch(
      PATH,
      { resourceVersion: first.metadata.resourceVersion },
      (type, obj) => seen.push(`${type}:${obj.metadata.name}:${obj.spec.tag}`),
      (err) => done.push(err),
    );
    await until(() => seen.length === 2, 'replay');
    expect(seen).toEqual(['MODIFIED:w1:b', 'ADDED:w2:a']);
    server.delete('argoproj.io/v1alpha1', 'applications', 'argocd', 'w2');
    await until(() => seen.length === 3, 'live delete');
    expect(seen[2]).toBe('DELETED:w2:a');
    ctl.abort();
    expect(server.requests.some((r) => r.path === PATH && r.query.includes('watch=true'))).toBe(true);
  });

  it('sends ADDED for every object when no resourceVersion is given, and filters by label selector', async () => {
    server.put(app('l1', 'a', { pick: 'yes' }));
    server.put(app('l2', 'a'));
    const seen: string[] = [];
    const ctl = await new k8s.Watch(kc).watch(
      PATH,
      { labelSelector: 'pick=yes' },
      (type, obj) => seen.push(`${type}:${obj.metadata.name}`),
      () => {},
    );
    await until(() => seen.includes('ADDED:l1'), 'initial');
    server.put(app('l2', 'a', { pick: 'yes' })); // starts matching -> ADDED
    server.put(app('l1', 'a', { pick: 'no' })); // stops matching -> DELETED
    await until(() => seen.length >= 3, 'selector transitions');
    expect(seen).toEqual(['ADDED:l1', 'ADDED:l2', 'DELETED:l1']);
    ctl.abort();
  });

  it('answers a too-old resourceVersion with an ERROR 410 event and closes the stream', async () => {
    const old = server.put(app('g', 'a'));
    server.put(app('g', 'b'));
    server.compact();
    const events: { type: string; code?: number }[] = [];
    const done = await new Promise<unknown>((resolve) => {
      void new k8s.Watch(kc).watch(
        PATH,
        { resourceVersion: old.metadata.resourceVersion },
        (type, obj) => events.push({ type, code: obj.code }),
        resolve,
      );
    });
    expect(done).toBeNull();
    expect(events).toEqual([{ type: 'ERROR', code: 410 }]);
  });
});

describe('informer', () => {
  it('emits add/update/delete and relists after 410', async () => {
    server.put(app('i1', 'a'));
    const co = kc.makeApiClient(k8s.CustomObjectsApi);
    const list = () =>
      co.listNamespacedCustomObject({
        group: 'argoproj.io',
        version: 'v1alpha1',
        namespace: 'argocd',
        plural: 'applications',
      });
    const informer = k8s.makeInformer(kc, PATH, list as unknown as k8s.ListPromise<k8s.KubernetesObject>);
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add:${o.metadata?.name}`));
    informer.on('update', (o) =>
      seen.push(`update:${o.metadata?.name}:${(o as unknown as { spec: { tag: string } }).spec.tag}`),
    );
    informer.on('delete', (o) => seen.push(`delete:${o.metadata?.name}`));
    await informer.start();
    await until(() => seen.includes('add:i1'), 'initial add');
    server.put(app('i1', 'b'));
    server.put(app('i3', 'a'));
    server.delete('argoproj.io/v1alpha1', 'applications', 'argocd', 'i3');
    await until(() => seen.includes('delete:i3'), 'delete');
    expect(seen).toEqual(expect.arrayContaining(['update:i1:b', 'add:i3']));

    // The server closes the watch, a change happens while it is away, and the history is compacted:
    // the informer resumes from its old resourceVersion, gets 410 and relists.
    const lists = () => server.requests.filter((r) => r.path === PATH && !r.query.includes('watch')).length;
    const listsBefore = lists();
    server.closeWatches();
    server.put(app('i4', 'a'));
    server.compact();
    await until(() => seen.includes('add:i4'), 'relist after 410');
    expect(lists()).toBe(listsBefore + 1);
    await informer.stop();
  });
});
