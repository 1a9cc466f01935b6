/**
 * Builds a client-node KubeConfig the way kubectl finds one: an explicit `--kubeconfig` path, else
 * `$KUBECONFIG` (colon-separated, merged), else `~/.kube/config`, else the in-cluster service account.
 * No silent fallback to localhost:8080 (client-node's last resort): that is a PermanentError.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { PermanentError } from '../../errors.ts';

export interface KubeConfigOptions {
  /** `--kubeconfig`: a kubeconfig file. */
  kubeconfigPath?: string;
  /** `--context`: a context name inside the kubeconfig (default: its current-context). */
  context?: string;
  /** The environment to read KUBECONFIG / KUBERNETES_SERVICE_HOST from (main.ts passes process.env). */
  env?: Record<string, string | undefined>;
  /** Home directory for `~/.kube/config` (default os.homedir()). */
  homeDir?: string;
  /** Root for the in-cluster service-account files (tests only; default ''). */
  inClusterRoot?: string;
}

const SA_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function loadKubeConfig(options: KubeConfigOptions = {}): KubeConfig {
  const env = options.env ?? {};
  const kc = new KubeConfig();
  try {
    if (options.kubeconfigPath) {
      kc.loadFromFile(options.kubeconfigPath);
    } else if (env.KUBECONFIG) {
      const files = env.KUBECONFIG.split(':').filter(Boolean);
      kc.loadFromFile(files[0]!);
      for (const file of files.slice(1)) {
        const more = new KubeConfig();
        more.loadFromFile(file);
        kc.mergeConfig(more, true);
      }
    } else if (existsSync(join(options.homeDir ?? homedir(), '.kube', 'config'))) {
      kc.loadFromFile(join(options.homeDir ?? homedir(), '.kube', 'config'));
    } else if (env.KUBERNETES_SERVICE_HOST && existsSync(`${options.inClusterRoot ?? ''}${SA_TOKEN}`)) {
      kc.loadFromCluster(options.inClusterRoot);
    } else {
      throw new PermanentError(
        'k8s.config',
        'no Kubernetes configuration found: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config or run in a cluster',
      );
    }
  } catch (e) {
    if (e instanceof PermanentError) throw e;
    throw new PermanentError(
      'k8s.config',
      `cannot load Kubernetes configuration: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      throw new PermanentError(
        'k8s.config',
        `--context: context "${options.context}" not found in the Kubernetes configuration`,
      );
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new PermanentError('k8s.config', `the current context "${kc.getCurrentContext()}" names no cluster`);
  }
  return kc;
}

/** The namespace of the current context ('default' when unset), as kubectl uses it. */
export function contextNamespace(kc: KubeConfig): string {
  const ns = kc.getContextObject(kc.getCurrentContext())?.namespace?.trim();
  return ns ? ns : 'default';
}
