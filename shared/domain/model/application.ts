/**
 * Argo CD Applications as tagflow sees them: only the fields tagflow reads are typed; the rest passes
 * through untouched.
 */
export interface ApplicationRef {
  /** The control plane (kubeconfig context, or `in-cluster`) the Application lives in. */
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
