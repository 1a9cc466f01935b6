/**
 * ImageUpdater custom resources (argocd-image-updater.argoproj.io/v1alpha1): listed, watched, and
 * their `status` written through the status subresource with a merge patch (never the spec).
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { ImageUpdaterObject, ImageUpdaterStore } from '../../ports/control-plane.ts';
import { PermanentError } from '../../errors.ts';
import { classifyKubeError, isNotFound } from './kube-errors.ts';

export const IMAGE_UPDATER_RESOURCE = {
  group: 'argocd-image-updater.argoproj.io',
  version: 'v1alpha1',
  plural: 'imageupdaters',
} as const;
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The object's identity checked at the edge; the spec is validated by the domain's parser. */
export function parseImageUpdaterObject(raw: unknown): ImageUpdaterObject {
  const meta = (raw as { metadata?: { namespace?: unknown; name?: unknown } } | null)?.metadata;
  if (typeof meta?.namespace !== 'string' || typeof meta.name !== 'string' || !meta.name) {
    throw new PermanentError('k8s.invalid-imageupdater', 'ImageUpdater without metadata.namespace or metadata.name');
  }
  return raw as ImageUpdaterObject;
}

export class KubeImageUpdaterStore implements ImageUpdaterStore {
  private readonly api: CustomObjectsApi;

  constructor(
    kc: KubeConfig,
    private readonly controlPlane: string,
  ) {
    this.api = kc.makeApiClient(CustomObjectsApi);
  }

  async list(namespace: string): Promise<ImageUpdaterObject[]> {
    try {
      const list = (
        namespace
          ? await this.api.listNamespacedCustomObject({ ...IMAGE_UPDATER_RESOURCE, namespace })
          : await this.api.listClusterCustomObject(IMAGE_UPDATER_RESOURCE)
      ) as { items?: unknown[] };
      return (list.items ?? []).map(parseImageUpdaterObject);
    } catch (e) {
      if (isNotFound(e)) return []; // the CRD is not installed: no ImageUpdaters
      throw classifyKubeError(
        e,
        `control plane ${this.controlPlane}: list ImageUpdaters in ${namespace || 'all namespaces'}`,
      );
    }
  }

  async patchStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<void> {
    try {
      await this.api.patchNamespacedCustomObjectStatus(
        { ...IMAGE_UPDATER_RESOURCE, namespace, name, body: { status } },
        MERGE_PATCH,
      );
    } catch (e) {
      throw classifyKubeError(e, `control plane ${this.controlPlane}: patch ImageUpdater ${namespace}/${name} status`);
    }
  }
}
