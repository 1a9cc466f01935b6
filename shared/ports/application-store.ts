import type { Application, ApplicationRef } from '../domain/model/application.ts';

export type { Application, ApplicationRef, ApplicationSource, HelmParameter } from '../domain/model/application.ts';

/** Argo CD Applications of one control plane. Implemented over `@kubernetes/client-node` in `shared/adapters/k8s/`. */
export interface ApplicationStore {
  /** Applications of a namespace, optionally filtered by a label selector (`a=b,c!=d`). */
  list(namespace: string, options?: { labelSelector?: string }): Promise<Application[]>;
  get(ref: Omit<ApplicationRef, 'cluster'>): Promise<Application | null>;
  /**
   * RFC 7386 merge patch. When `resourceVersion` is given it is sent in the patch so that a stale
   * write fails with ConflictError (409). Returns the new resourceVersion.
   */
  mergePatch(
    ref: Omit<ApplicationRef, 'cluster'>,
    patch: object,
    resourceVersion?: string,
  ): Promise<{ resourceVersion: string }>;
  /**
   * RFC 6902 JSON patch: addresses one element of a list (`/spec/sources/1/helm`), which a merge
   * patch cannot. When `resourceVersion` is given the patch first sets `/metadata/resourceVersion`
   * to it, which the API server takes as a precondition (a stale one fails with ConflictError);
   * a failing `test` operation is a PermanentError (HTTP 422).
   */
  jsonPatch(
    ref: Omit<ApplicationRef, 'cluster'>,
    operations: JsonPatchOperation[],
    resourceVersion?: string,
  ): Promise<{ resourceVersion: string }>;
}

export type JsonPatchOperation =
  { op: 'add' | 'replace' | 'test'; path: string; value: unknown } | { op: 'remove'; path: string };

/** Secrets and ConfigMaps, decoded to strings. `null` when absent. */
export interface ConfigReader {
  readSecret(namespace: string, name: string): Promise<Record<string, string> | null>;
  readConfigMap(namespace: string, name: string): Promise<Record<string, string> | null>;
  /** Secrets of a namespace carrying a label selector (Argo CD repository secrets). */
  listSecrets(namespace: string, labelSelector: string): Promise<{ name: string; data: Record<string, string> }[]>;
}
