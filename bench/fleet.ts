import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushImage } from '../test/fixtures/images.ts';
import { startRegistry, type RegistryService } from '../test/services/registry.ts';
import { startPaginatingProxy, type PaginatingProxy } from '../test/services/registry-proxy.ts';
import { startKubeApiServer, type KubeApiServer } from '../test/services/kube-api-server.ts';

const ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
export const BENCH_HOST = 'bench.registry.example';

export interface Fleet {
  registry: RegistryService;
  proxy: PaginatingProxy;
  kube: KubeApiServer;
  kubeconfigPath: string;
  repos: string[];
  stop(): Promise<void>;
}

/** Tags `count` semver tags on one pushed image (one manifest PUT per tag: fast to build). */
async function tagMany(registry: RegistryService, repo: string, count: number): Promise<void> {
  await pushImage(registry, repo, '0.0.1');
  const res = await fetch(`${registry.url}/v2/${repo}/manifests/0.0.1`, { headers: { accept: ACCEPT } });
  const body = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type')!;
  for (let i = 2; i <= count; i++) {
    const tag = `${Math.floor(i / 10)}.${i % 10}.0`;
    const put = await fetch(`${registry.url}/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': type }, body });
    if (put.status !== 201) throw new Error(`tagging ${repo}:${tag} failed: ${put.status}`);
  }
}

/**
 * A fleet on real local services: `repos` repositories with `tags` semver tags each in a real
 * docker-registry (behind a recording proxy, to count requests), and `apps` Applications spread
 * over them, every one running 0.0.1 with the argocd write-back method.
 */
export async function startFleet(scale: { apps: number; repos: number; tags: number }): Promise<Fleet> {
  const dir = await mkdtemp(join(tmpdir(), 'tagflow-bench-'));
  const registry = await startRegistry({ auth: 'none' });
  const proxy = await startPaginatingProxy({ upstream: registry.url, pageSize: 1000 });
  const kube = await startKubeApiServer();
  const repos = Array.from({ length: scale.repos }, (_, i) => `bench/service-${i}`);
  for (const repo of repos) await tagMany(registry, repo, scale.tags);
  kube.put({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argocd-image-updater-config', namespace: 'argocd' },
    data: { 'registries.conf': `registries:\n- name: bench\n  api_url: ${proxy.url}\n  prefix: ${BENCH_HOST}\n` },
  });
  for (let i = 0; i < scale.apps; i++) {
    const image = `${BENCH_HOST}/${repos[i % repos.length]}`;
    kube.put({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: `app-${i}`,
        namespace: 'argocd',
        annotations: {
          'argocd-image-updater.argoproj.io/image-list': `svc=${image}:~${i % 3}`,
          'argocd-image-updater.argoproj.io/svc.allow-tags': 'regexp:^[0-9]+\\.[0-9]+\\.0$',
          'argocd-image-updater.argoproj.io/write-back-method': 'argocd',
        },
      },
      spec: { source: { repoURL: 'https://git.example/fleet.git', path: `apps/app-${i}`, targetRevision: 'main', helm: {} } },
      status: { sourceType: 'Helm', summary: { images: [`${image}:0.0.1`] } },
    });
  }
  const kubeconfigPath = await kube.writeKubeconfig(dir, 'argocd');
  return {
    registry,
    proxy,
    kube,
    kubeconfigPath,
    repos,
    async stop() {
      await Promise.allSettled([proxy.stop(), registry.stop(), kube.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The baseline: a bare tags/list sweep of the same repositories, `concurrency` at a time. */
export async function bareSweep(url: string, repos: readonly string[], concurrency: number): Promise<number> {
  let next = 0;
  let tags = 0;
  const worker = async () => {
    while (next < repos.length) {
      const repo = repos[next++]!;
      const res = await fetch(`${url}/v2/${repo}/tags/list?n=1000`);
      tags += ((await res.json()) as { tags: string[] }).tags.length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tags;
}
