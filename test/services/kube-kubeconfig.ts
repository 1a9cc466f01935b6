/**
 * Kubeconfig files for test API servers: one cluster, user and context entry per server (all named
 * after it), loadable by client-node, kubectl and tagflow's `--kubeconfig`/`--context`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigEntry {
  /** Name of the context, cluster and user entries. */
  name: string;
  url: string;
  /** Bearer token; null = no credentials. */
  token: string | null;
  /** The context's default namespace. */
  namespace?: string;
}

export function kubeconfigYaml(entries: readonly KubeconfigEntry[], currentContext = entries[0]?.name): string {
  if (entries.length === 0) throw new Error('a kubeconfig needs at least one cluster');
  if (!entries.some((e) => e.name === currentContext))
    throw new Error(`current context "${currentContext}" is not one of the clusters`);
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node 1.x refuses plain http:// unless TLS verification is explicitly skipped.
    clusters: entries.map((e) => ({ name: e.name, cluster: { server: e.url, 'insecure-skip-tls-verify': true } })),
    users: entries.map((e) => ({ name: e.name, user: e.token === null ? {} : { token: e.token } })),
    contexts: entries.map((e) => ({
      name: e.name,
      context: { cluster: e.name, user: e.name, namespace: e.namespace ?? 'default' },
    })),
    'current-context': currentContext,
    preferences: {},
  });
}

/** Writes `dir/fileName` (mode 0600, as kubectl does) and returns its path. */
export async function writeKubeconfigFile(dir: string, fileName: string, yaml: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, fileName);
  await writeFile(path, yaml, { mode: 0o600 });
  return path;
}
