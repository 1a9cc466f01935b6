/**
 * Which Argo CD control planes a process serves: every selected context of every kubeconfig file
 * (`--kubeconfig` and `--context`, both repeatable), each named after its context; without
 * `--kubeconfig`, the file(s) kubectl would use ($KUBECONFIG merged, else ~/.kube/config), else the
 * in-cluster service account (named `in-cluster`). Names must be unique.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { PermanentError } from '../../errors.ts';

export const IN_CLUSTER = 'in-cluster';

export interface ControlPlaneConfig {
  /** The context name (or `in-cluster`): the first segment of every app key. */
  name: string;
  /** A KubeConfig whose current context is this control plane's. */
  kc: KubeConfig;
  /** The context's namespace, when it sets one. */
  contextNamespace?: string;
  /** Where it came from, for messages. */
  source: string;
}

export interface LoadControlPlanesOptions {
  kubeconfigs: readonly string[];
  contexts: readonly string[];
  env: Record<string, string | undefined>;
  homeDir?: string;
  /** Root for the in-cluster service-account files (tests only). */
  inClusterRoot?: string;
}

const SA_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const configError = (message: string, cause?: unknown) =>
  new PermanentError('k8s.config', message, cause ? { cause } : undefined);

function loadFile(path: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (e) {
    throw configError(`cannot load kubeconfig ${path}: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  return kc;
}

/** The files to read: the flags', else $KUBECONFIG (merged into one, as kubectl), else ~/.kube/config. */
function sources(o: LoadControlPlanesOptions): { source: string; kc: KubeConfig }[] | 'in-cluster' {
  if (o.kubeconfigs.length > 0) return o.kubeconfigs.map((f) => ({ source: f, kc: loadFile(f) }));
  const fromEnv = (o.env.KUBECONFIG ?? '').split(':').filter(Boolean);
  if (fromEnv.length > 0) {
    const kc = loadFile(fromEnv[0]!);
    for (const f of fromEnv.slice(1)) kc.mergeConfig(loadFile(f), true);
    return [{ source: `KUBECONFIG=${fromEnv.join(':')}`, kc }];
  }
  const home = join(o.homeDir ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return [{ source: home, kc: loadFile(home) }];
  if (o.env.KUBERNETES_SERVICE_HOST && existsSync(`${o.inClusterRoot ?? ''}${SA_TOKEN}`)) return 'in-cluster';
  throw configError(
    'no Kubernetes configuration found: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config or run in a cluster',
  );
}

function forContext(kc: KubeConfig, context: string, source: string): ControlPlaneConfig {
  const copy = new KubeConfig();
  copy.loadFromOptions({ clusters: kc.clusters, users: kc.users, contexts: kc.contexts, currentContext: context });
  const ctx = copy.getContextObject(context);
  if (!copy.getCurrentCluster()) throw configError(`context "${context}" of ${source} names no cluster`);
  const ns = ctx?.namespace?.trim();
  return { name: context, kc: copy, source, ...(ns ? { contextNamespace: ns } : {}) };
}

export function loadControlPlanes(o: LoadControlPlanesOptions): ControlPlaneConfig[] {
  const found = sources(o);
  if (found === 'in-cluster') {
    if (o.contexts.length > 0)
      throw configError(`--context ${o.contexts.join(', ')}: running in-cluster without a kubeconfig has no contexts`);
    const kc = new KubeConfig();
    kc.loadFromCluster(o.inClusterRoot);
    return [{ name: IN_CLUSTER, kc, source: 'in-cluster service account' }];
  }
  const planes: ControlPlaneConfig[] = [];
  if (o.contexts.length === 0) {
    for (const { source, kc } of found) {
      const current = kc.getCurrentContext();
      if (!current) throw configError(`${source} has no current-context: pass --context`);
      if (!kc.getContextObject(current))
        throw configError(`the current context "${current}" of ${source} does not exist`);
      planes.push(forContext(kc, current, source));
    }
  } else {
    const used = new Set<string>();
    for (const { source, kc } of found) {
      const mine = o.contexts.filter((c) => kc.getContextObject(c));
      if (mine.length === 0)
        throw configError(`${source} has none of the contexts ${o.contexts.map((c) => `"${c}"`).join(', ')}`);
      for (const c of mine) {
        used.add(c);
        planes.push(forContext(kc, c, source));
      }
    }
    const missing = o.contexts.filter((c) => !used.has(c));
    if (missing.length > 0)
      throw configError(
        `--context: context ${missing.map((c) => `"${c}"`).join(', ')} not found in ${found.map((f) => f.source).join(', ')}`,
      );
  }
  const seen = new Map<string, string>();
  for (const p of planes) {
    const other = seen.get(p.name);
    if (other !== undefined) {
      throw configError(
        `control plane names must be unique: context "${p.name}" is in both ${other} and ${p.source} (rename one of the contexts)`,
      );
    }
    seen.set(p.name, p.source);
  }
  return planes;
}
