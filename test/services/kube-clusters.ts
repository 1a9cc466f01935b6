/**
 * Several independent test API servers, one per cluster (own port, token and objects), as several
 * Argo CD control planes watched by one tagflow, with one kubeconfig holding a context per cluster.
 *
 *   const fleet = await startKubeClusters([{ name: 'prod' }, { name: 'staging', namespace: 'argocd-staging' }]);
 *   fleet.get('prod').server.put(app);
 *   const path = await fleet.writeKubeconfig(dir, { currentContext: 'staging' });
 */
import { startKubeApiServer, type KubeApiServer, type KubeApiServerOptions } from './kube-api-server.ts';
import { kubeconfigYaml, writeKubeconfigFile, type KubeconfigEntry } from './kube-kubeconfig.ts';

export interface KubeClusterSpec {
  /** Context, cluster and user name in the kubeconfig. */
  name: string;
  /** Bearer token; default `token-<name>`; null disables authentication. */
  token?: string | null;
  /** The context's namespace. Default 'argocd'. */
  namespace?: string;
  /** Further server options (historyLimit, bookmarkIntervalMs, user, port). */
  server?: Omit<KubeApiServerOptions, 'token'>;
}

export interface KubeCluster {
  readonly name: string;
  readonly namespace: string;
  readonly server: KubeApiServer;
  readonly url: string;
  readonly token: string | null;
}

export interface KubeconfigOptions {
  /** Default: the first cluster. */
  currentContext?: string;
  /** Only these clusters (default all). */
  names?: string[];
}

export interface KubeClusters {
  readonly clusters: readonly KubeCluster[];
  /** The cluster of that name; throws for an unknown one. */
  get(name: string): KubeCluster;
  /** One kubeconfig with a context per cluster. */
  kubeconfig(options?: KubeconfigOptions): string;
  /** Writes kubeconfig() to `dir/<fileName>` (default kubeconfig.yaml) and returns the path. */
  writeKubeconfig(dir: string, options?: KubeconfigOptions & { fileName?: string }): Promise<string>;
  /** Writes one kubeconfig per cluster (`dir/<name>.kubeconfig.yaml`); returns name → path. */
  writeKubeconfigs(dir: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export async function startKubeClusters(specs: readonly KubeClusterSpec[]): Promise<KubeClusters> {
  if (specs.length === 0) throw new Error('startKubeClusters needs at least one cluster');
  const names = new Set(specs.map((s) => s.name));
  if (names.size !== specs.length) throw new Error('cluster names must be unique');
  const bad = specs.find((s) => !/^[A-Za-z0-9][-A-Za-z0-9_.]*$/.test(s.name));
  if (bad) throw new Error(`cluster name "${bad.name}" must be a simple name (letters, digits, - _ .)`);

  const started = await Promise.allSettled(
    specs.map((s) => startKubeApiServer({ ...s.server, token: s.token === undefined ? `token-${s.name}` : s.token })),
  );
  const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(servers.map((s) => s.close()));
    throw failed.reason;
  }

  const clusters: KubeCluster[] = specs.map((spec, i) => {
    const server = servers[i]!;
    return {
      name: spec.name,
      namespace: spec.namespace ?? 'argocd',
      server,
      url: server.url,
      get token() {
        return server.token;
      },
    };
  });
  const get = (name: string): KubeCluster => {
    const c = clusters.find((x) => x.name === name);
    if (!c) throw new Error(`no cluster named "${name}" (have ${clusters.map((x) => x.name).join(', ')})`);
    return c;
  };
  const entry = (c: KubeCluster): KubeconfigEntry => ({
    name: c.name,
    url: c.url,
    token: c.token,
    namespace: c.namespace,
  });
  const kubeconfig = (options: KubeconfigOptions = {}) => {
    const chosen = options.names ? options.names.map(get) : clusters;
    return kubeconfigYaml(chosen.map(entry), options.currentContext ?? chosen[0]?.name);
  };

  return {
    clusters,
    get,
    kubeconfig,
    writeKubeconfig: (dir, options = {}) =>
      writeKubeconfigFile(dir, options.fileName ?? 'kubeconfig.yaml', kubeconfig(options)),
    async writeKubeconfigs(dir) {
      const paths: Record<string, string> = {};
      for (const c of clusters)
        paths[c.name] = await writeKubeconfigFile(dir, `${c.name}.kubeconfig.yaml`, kubeconfigYaml([entry(c)]));
      return paths;
    },
    async close() {
      await Promise.allSettled(servers.map((s) => s.close()));
    },
  };
}
