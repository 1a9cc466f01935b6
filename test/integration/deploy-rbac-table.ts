/**
 * Every Kubernetes API call tagflow makes (a client-node method in a file that imports client-node)
 * and the RBAC permission it needs. test/integration/deploy-manifests.test.ts checks both ways: the
 * calls found in the code are exactly these, and the RBAC of deploy/kustomize grants exactly these
 * permissions. A new call fails the test until it is listed here and granted in rbac.yaml.
 *
 * scope: 'cluster' = a ClusterRole (Applications in any namespace, Events next to them);
 * 'argocd' = a Role in the Argo CD namespace (its ConfigMaps and Secrets).
 */
export interface Permission {
  scope: 'cluster' | 'argocd';
  group: string;
  resource: string;
  verb: string;
}

export interface KubeCall {
  /** File under shared/adapters/k8s/. */
  file: string;
  /** The client-node method called (`watch`: a Watch of the list-watch paths). */
  call: string;
  needs: Permission[];
}

const app = (verb: string): Permission => ({ scope: 'cluster', group: 'argoproj.io', resource: 'applications', verb });
const updaters = (verb: string, resource = 'imageupdaters'): Permission => ({
  scope: 'cluster',
  group: 'argocd-image-updater.argoproj.io',
  resource,
  verb,
});
const core = (resource: string, verb: string, scope: Permission['scope'] = 'argocd'): Permission => ({
  scope,
  group: '',
  resource,
  verb,
});

export const KUBE_CALLS: KubeCall[] = [
  { file: 'kube-application-store.ts', call: 'listNamespacedCustomObject', needs: [app('list')] },
  { file: 'kube-application-store.ts', call: 'listClusterCustomObject', needs: [app('list')] },
  { file: 'kube-application-store.ts', call: 'getNamespacedCustomObject', needs: [app('get')] },
  { file: 'kube-application-store.ts', call: 'patchNamespacedCustomObject', needs: [app('patch')] },
  { file: 'kube-image-updater-store.ts', call: 'listNamespacedCustomObject', needs: [updaters('list')] },
  { file: 'kube-image-updater-store.ts', call: 'listClusterCustomObject', needs: [updaters('list')] },
  {
    file: 'kube-image-updater-store.ts',
    call: 'patchNamespacedCustomObjectStatus',
    needs: [updaters('patch', 'imageupdaters/status')],
  },
  { file: 'kube-config-reader.ts', call: 'readNamespacedSecret', needs: [core('secrets', 'get')] },
  { file: 'kube-config-reader.ts', call: 'listNamespacedSecret', needs: [core('secrets', 'list')] },
  { file: 'kube-config-reader.ts', call: 'readNamespacedConfigMap', needs: [core('configmaps', 'get')] },
  { file: 'kube-events.ts', call: 'createNamespacedEvent', needs: [core('events', 'create', 'cluster')] },
  // list + watch (list-watch.ts) of Applications, ImageUpdaters and argocd-image-updater-config
  { file: 'list-watch.ts', call: 'listNamespacedConfigMap', needs: [core('configmaps', 'list')] },
  { file: 'list-watch.ts', call: 'listConfigMapForAllNamespaces', needs: [core('configmaps', 'list')] },
  { file: 'list-watch.ts', call: 'listNamespacedCustomObject', needs: [app('list'), updaters('list')] },
  { file: 'list-watch.ts', call: 'listClusterCustomObject', needs: [app('list'), updaters('list')] },
  { file: 'list-watch.ts', call: 'watch', needs: [app('watch'), updaters('watch'), core('configmaps', 'watch')] },
];

/** Methods of client-node's API classes and of Watch, as they appear in a call. */
export const KUBE_CALL_PATTERN =
  /\.((?:list|read|get|patch|create|replace|delete)(?:Namespaced|Cluster)[A-Za-z]*|(?:list|delete)[A-Za-z]*ForAllNamespaces|watch)\(/g;
