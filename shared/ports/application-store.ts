/**
 * Argo CD Applications as tagflow sees them. Implemented over `@kubernetes/client-node` in
 * `shared/adapters/k8s/`. Only the fields tagflow reads are typed; the rest passes through.
 */
export interface ApplicationRef {
  /** Name of the cluster context the Application lives in ('' = the default cluster). */
  cluster: string;
  namespace: string;
  name: string;
}

export interface HelmParameter {
  name: string;
  value: string;
  forceString?: boolean;
}

export interface ApplicationSource {
  repoURL: string;
  path?: string;
  targetRevision?: string;
  chart?: string;
  helm?: { parameters?: HelmParameter[]; valueFiles?: string[]; [k: string]: unknown };
  kustomize?: { images?: string[]; [k: string]: unknown };
  plugin?: { env?: { name: string; value: string }[]; [k: string]: unknown };
  [k: string]: unknown;
}

export interface Application {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  spec: {
    project?: string;
    source?: ApplicationSource;
    sources?: ApplicationSource[];
    [k: string]: unknown;
  };
  status?: {
    sourceType?: string;
    sourceTypes?: string[];
    summary?: { images?: string[] };
    [k: string]: unknown;
  };
}

export interface ApplicationStore {
  /** Applications of a namespace, optionally filtered by a label selector (`a=b,c!=d`). */
  list(namespace: string, options?: { labelSelector?: string }): Promise<Application[]>;
  get(ref: Omit<ApplicationRef, 'cluster'>): Promise<Application | null>;
  /**
   * RFC 7386 merge patch. When `resourceVersion` is given it is sent in the patch so that a stale
   * write fails with ConflictError (409). Returns the new resourceVersion.
   */
  mergePatch(ref: Omit<ApplicationRef, 'cluster'>, patch: object, resourceVersion?: string): Promise<{ resourceVersion: string }>;
}

/** Secrets and ConfigMaps, decoded to strings. `null` when absent. */
export interface ConfigReader {
  readSecret(namespace: string, name: string): Promise<Record<string, string> | null>;
  readConfigMap(namespace: string, name: string): Promise<Record<string, string> | null>;
  /** Secrets of a namespace carrying a label selector (Argo CD repository secrets). */
  listSecrets(namespace: string, labelSelector: string): Promise<{ name: string; data: Record<string, string> }[]>;
}
