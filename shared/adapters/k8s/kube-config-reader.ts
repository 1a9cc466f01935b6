/**
 * ConfigReader over client-node: Secrets (base64 `data` decoded to UTF-8 strings) and ConfigMaps
 * (`data`, plus `binaryData` decoded). Absent objects are `null`; values are never logged here.
 */
import { CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import type { ConfigReader } from '../../ports/application-store.ts';
import { classifyKubeError, isNotFound } from './kube-errors.ts';

function decode(data: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  return out;
}

function secretData(secret: V1Secret): Record<string, string> {
  // stringData is write-only on a real server; a client-side object may still carry it.
  return { ...decode(secret.data), ...(secret.stringData ?? {}) };
}

export class KubeConfigReader implements ConfigReader {
  private readonly api: CoreV1Api;

  constructor(
    kc: KubeConfig,
    private readonly controlPlane?: string,
  ) {
    this.api = kc.makeApiClient(CoreV1Api);
  }

  private what(op: string): string {
    return this.controlPlane ? `control plane ${this.controlPlane}: ${op}` : op;
  }

  async readSecret(namespace: string, name: string): Promise<Record<string, string> | null> {
    try {
      return secretData(await this.api.readNamespacedSecret({ namespace, name }));
    } catch (e) {
      if (isNotFound(e)) return null;
      throw classifyKubeError(e, this.what(`read Secret ${namespace}/${name}`));
    }
  }

  async readConfigMap(namespace: string, name: string): Promise<Record<string, string> | null> {
    try {
      const cm = await this.api.readNamespacedConfigMap({ namespace, name });
      return { ...decode(cm.binaryData), ...(cm.data ?? {}) };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw classifyKubeError(e, this.what(`read ConfigMap ${namespace}/${name}`));
    }
  }

  async listSecrets(
    namespace: string,
    labelSelector: string,
  ): Promise<{ name: string; data: Record<string, string> }[]> {
    try {
      const list = await this.api.listNamespacedSecret({ namespace, labelSelector: labelSelector || undefined });
      return list.items.map((s) => ({ name: s.metadata?.name ?? '', data: secretData(s) }));
    } catch (e) {
      throw classifyKubeError(e, this.what(`list Secrets in ${namespace} (${labelSelector})`));
    }
  }
}
