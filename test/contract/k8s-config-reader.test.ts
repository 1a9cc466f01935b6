/**
 * KubeConfigReader, createEvent and loadKubeConfig against the test API server.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfigReader } from '../../shared/adapters/k8s/kube-config-reader.ts';
import { contextNamespace, loadKubeConfig } from '../../shared/adapters/k8s/kube-config.ts';
import { KubeEventRecorder, createEvent, imagesUpdatedEvent } from '../../shared/adapters/k8s/kube-events.ts';
import { PermanentError } from '../../shared/errors.ts';
import { startKubeApiServer, type KubeApiServer } from '../services/kube-api-server.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

let server: KubeApiServer;
let dir: string;
let kc: KubeConfig;
beforeAll(async () => {
  server = await startKubeApiServer();
  dir = await mkdtemp(join(tmpdir(), 'k8s-config-test-'));
  kc = loadKubeConfig({ kubeconfigPath: await server.writeKubeconfig(dir, 'argocd') });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('KubeConfigReader', () => {
  it('decodes Secret data and stringData, and returns null for a missing Secret', async () => {
    server.put({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'argocd' },
      data: { username: b64('bot') },
      stringData: { password: 'pä$$' },
    });
    const reader = new KubeConfigReader(kc);
    expect(await reader.readSecret('argocd', 'creds')).toEqual({ username: 'bot', password: 'pä$$' });
    expect(await reader.readSecret('argocd', 'nope')).toBeNull();
  });

  it('reads ConfigMaps including binaryData', async () => {
    server.put({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'argocd' },
      data: { 'registries.conf': 'registries: []\n' },
      binaryData: { bin: b64('raw') },
    });
    const reader = new KubeConfigReader(kc);
    expect(await reader.readConfigMap('argocd', 'cfg')).toEqual({ 'registries.conf': 'registries: []\n', bin: 'raw' });
    expect(await reader.readConfigMap('argocd', 'nope')).toBeNull();
  });

  it('lists Secrets by label selector', async () => {
    const label = { 'argocd.argoproj.io/secret-type': 'repository' };
    server.put({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'repo-1', namespace: 'argocd', labels: label },
      data: { url: b64('https://git.example/a') },
    });
    server.put({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'other', namespace: 'argocd' },
      data: { url: b64('x') },
    });
    const got = await new KubeConfigReader(kc).listSecrets('argocd', 'argocd.argoproj.io/secret-type=repository');
    expect(got).toEqual([{ name: 'repo-1', data: { url: 'https://git.example/a' } }]);
  });
});

describe('createEvent', () => {
  it('creates an ImagesUpdated Event in the anchor format', async () => {
    const input = imagesUpdatedEvent({ namespace: 'argocd', name: 'gitops-demo', uid: 'u-1', resourceVersion: '7' }, [
      { fullImageName: 'registry.example/team/echo', imageName: 'team/echo', oldTag: 'v1.0', newTag: 'v2.0' },
    ]);
    const name = await createEvent(kc.makeApiClient(CoreV1Api), input, {
      now: () => new Date('2026-01-02T03:04:05Z'),
      nanos: () => 0x1234abcdn,
    });
    expect(name).toBe('gitops-demo.1234abcd');
    const ev = server.get('v1', 'events', 'argocd', name)!;
    expect(ev).toMatchObject({
      reason: 'ImagesUpdated',
      type: 'Normal',
      message: "Successfully updated application 'gitops-demo'",
      count: 1,
      source: { component: 'ArgocdImageUpdater' },
      involvedObject: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        name: 'gitops-demo',
        namespace: 'argocd',
        uid: 'u-1',
      },
      metadata: {
        annotations: {
          'argocd-image-updater.image-0/full-image-name': 'registry.example/team/echo',
          'argocd-image-updater.image-0/image-name': 'team/echo',
          'argocd-image-updater.image-0/old-tag': 'v1.0',
          'argocd-image-updater.image-0/new-tag': 'v2.0',
        },
      },
    });
    expect(ev.firstTimestamp).toBe('2026-01-02T03:04:05.000Z');
  });

  it('records with the current time through KubeEventRecorder', async () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const name = await new KubeEventRecorder(kc).record({
      subject: { namespace: 'argocd', name: 'app2' },
      reason: 'UpdateFailed',
      message: 'boom',
      type: 'Warning',
    });
    const [app, hex] = name.split('.');
    expect(app).toBe('app2');
    expect(BigInt(`0x${hex}`) >= before).toBe(true);
    expect(server.get('v1', 'events', 'argocd', name)).toMatchObject({ type: 'Warning', reason: 'UpdateFailed' });
  });
});

describe('loadKubeConfig', () => {
  it('reads the context namespace, honours --context, and merges KUBECONFIG lists', async () => {
    expect(contextNamespace(kc)).toBe('argocd');
    const second = join(dir, 'second.yaml');
    await writeFile(second, server.kubeconfig('team-a').replaceAll('tagflow-test', 'other'));
    const merged = loadKubeConfig({
      env: { KUBECONFIG: `${join(dir, 'kubeconfig.yaml')}:${second}` },
      context: 'other',
    });
    expect(contextNamespace(merged)).toBe('team-a');
    expect(merged.getCurrentCluster()?.server).toBe(server.url);
    expect(() => loadKubeConfig({ kubeconfigPath: join(dir, 'kubeconfig.yaml'), context: 'nope' })).toThrow(
      /--context: context "nope" not found/,
    );
  });

  it('falls back to ~/.kube/config, then in-cluster files, then fails with a PermanentError', async () => {
    const home = join(dir, 'home');
    await mkdir(join(home, '.kube'), { recursive: true });
    await writeFile(join(home, '.kube', 'config'), server.kubeconfig());
    expect(contextNamespace(loadKubeConfig({ env: {}, homeDir: home }))).toBe('default');

    const root = join(dir, 'pod');
    const sa = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    await mkdir(sa, { recursive: true });
    await writeFile(join(sa, 'token'), 'sa-token');
    await writeFile(join(sa, 'namespace'), 'argocd');
    await writeFile(join(sa, 'ca.crt'), '');
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1'; // client-node reads these itself
    process.env.KUBERNETES_SERVICE_PORT = '6443';
    try {
      const inCluster = loadKubeConfig({
        env: { KUBERNETES_SERVICE_HOST: '127.0.0.1' },
        homeDir: join(dir, 'empty'),
        inClusterRoot: root,
      });
      expect(inCluster.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
      expect(contextNamespace(inCluster)).toBe('argocd');
    } finally {
      if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
      else process.env.KUBERNETES_SERVICE_HOST = saved.host;
      if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
      else process.env.KUBERNETES_SERVICE_PORT = saved.port;
    }
    const none = (() => {
      try {
        loadKubeConfig({ env: {}, homeDir: join(dir, 'empty') });
      } catch (e) {
        return e;
      }
    })();
    expect(none).toBeInstanceOf(PermanentError);
    expect(none).toMatchObject({ code: 'k8s.config' });
  });
});
