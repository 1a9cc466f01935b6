/**
 * Which control planes a process serves (`--kubeconfig`, `--context`, both repeatable), against
 * several test API servers through the real client: one control plane per selected context of
 * every file, named after it, each seeing only its own objects; clear start-up errors otherwise.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadControlPlanes } from '../../shared/adapters/k8s/control-planes.ts';
import { KubeApplicationStore } from '../../shared/adapters/k8s/kube-application-store.ts';
import { startKubeClusters, type KubeClusters } from '../services/kube-clusters.ts';
import { writeKubeconfigFile, kubeconfigYaml } from '../services/kube-kubeconfig.ts';

let clusters: KubeClusters;
let dir: string;
let both: string;
let files: Record<string, string>;

const app = (name: string) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd' },
  spec: {},
});

beforeAll(async () => {
  clusters = await startKubeClusters([{ name: 'east' }, { name: 'west' }, { name: 'north' }]);
  clusters.get('east').server.put(app('in-east'));
  clusters.get('west').server.put(app('in-west'));
  dir = await mkdtemp(join(tmpdir(), 'tagflow-cps-'));
  both = await clusters.writeKubeconfig(dir, { names: ['east', 'west'], currentContext: 'west' });
  files = await clusters.writeKubeconfigs(dir);
});
afterAll(async () => {
  await clusters.close();
  await rm(dir, { recursive: true, force: true });
});

const names = (o: Parameters<typeof loadControlPlanes>[0]) => loadControlPlanes(o).map((p) => p.name);
const listed = async (o: Parameters<typeof loadControlPlanes>[0]) =>
  Promise.all(
    loadControlPlanes(o).map(
      async (p) => [p.name, (await new KubeApplicationStore(p.kc).list('argocd')).map((a) => a.metadata.name)] as const,
    ),
  );

describe('control planes from kubeconfigs and contexts', () => {
  it('one kubeconfig without --context: its current context, as today', () => {
    expect(names({ kubeconfigs: [both], contexts: [], env: {} })).toEqual(['west']);
  });

  it('several contexts of one file: one control plane each, each with its own objects and token', async () => {
    expect(await listed({ kubeconfigs: [both], contexts: ['east', 'west'], env: {} })).toEqual([
      ['east', ['in-east']],
      ['west', ['in-west']],
    ]);
  });

  it('several files: the current context of each', async () => {
    expect(await listed({ kubeconfigs: [files.east!, files.west!], contexts: [], env: {} })).toEqual([
      ['east', ['in-east']],
      ['west', ['in-west']],
    ]);
  });

  it('several files and contexts: every selected context of every file', () => {
    expect(names({ kubeconfigs: [both, files.north!], contexts: ['east', 'north'], env: {} })).toEqual([
      'east',
      'north',
    ]);
  });

  it('KUBECONFIG with several files is merged, as kubectl does; its current context is the control plane', () => {
    expect(names({ kubeconfigs: [], contexts: [], env: { KUBECONFIG: `${files.north}:${files.east}` } })).toEqual([
      'north',
    ]);
    expect(
      names({ kubeconfigs: [], contexts: ['east', 'north'], env: { KUBECONFIG: `${files.north}:${files.east}` } }),
    ).toEqual(['east', 'north']);
  });

  it('refuses duplicate names, unknown contexts, files without any selected context, and no configuration at all', async () => {
    expect(() => loadControlPlanes({ kubeconfigs: [both, both], contexts: [], env: {} })).toThrow(
      /control plane names must be unique: context "west" is in both/,
    );
    expect(() => loadControlPlanes({ kubeconfigs: [both], contexts: ['south'], env: {} })).toThrow(
      /has none of the contexts "south"/,
    );
    expect(() =>
      loadControlPlanes({ kubeconfigs: [both, files.north!], contexts: ['east', 'south'], env: {} }),
    ).toThrow(/has none of the contexts "east", "south"|context "south" not found/);
    expect(() => loadControlPlanes({ kubeconfigs: [join(dir, 'nope.yaml')], contexts: [], env: {} })).toThrow(
      /cannot load kubeconfig .*nope\.yaml/,
    );
    expect(() => loadControlPlanes({ kubeconfigs: [], contexts: [], env: {}, homeDir: dir })).toThrow(
      /no Kubernetes configuration found/,
    );
    const noCurrent = await writeKubeconfigFile(
      dir,
      'no-current.yaml',
      kubeconfigYaml([{ name: 'x', url: 'http://127.0.0.1:1', token: 't', namespace: 'argocd' }]).replace(
        /current-context: x/,
        'current-context: ""',
      ),
    );
    expect(() => loadControlPlanes({ kubeconfigs: [noCurrent], contexts: [], env: {} })).toThrow(
      /has no current-context: pass --context/,
    );
  });

  it('the context namespace is remembered (the default Argo CD namespace)', () => {
    expect(loadControlPlanes({ kubeconfigs: [both], contexts: ['east'], env: {} })[0]?.contextNamespace).toBe('argocd');
  });
});
