/**
 * What a request asks for, in the terms of the apiserver's RequestInfo (k8s.io/apiserver
 * endpoints/request): the RBAC verb, the resource and its scope. Authorization (kube-access.ts)
 * and request accounting (kube-accounting.ts) both work on this.
 */
import { route } from './kube-routes.ts';
import { qualifiedResource } from './kube-status.ts';

export type KubeVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface KubeRequestInfo {
  /** False for discovery, /version and health paths. */
  resourceRequest: boolean;
  /** The RBAC verb for resource requests; the lower-cased HTTP method otherwise. */
  verb: KubeVerb | string;
  group: string;
  version: string;
  /** Plural, without the subresource. */
  resource: string;
  subresource?: string;
  /** undefined = cluster scope (all namespaces, or a cluster-scoped type). */
  namespace?: string;
  name?: string;
}

const BOOL_TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);

export function requestInfo(method: string, url: URL): KubeRequestInfo {
  const lower = method.toLowerCase();
  const r = route(url.pathname);
  if (r.kind !== 'resource') return { resourceRequest: false, verb: lower, group: '', version: '', resource: '' };
  const watch = BOOL_TRUE.has(url.searchParams.get('watch') ?? '');
  let verb: KubeVerb | string = lower;
  let name = r.name;
  if (method === 'GET' || method === 'HEAD') {
    verb = r.name !== undefined ? 'get' : watch ? 'watch' : 'list';
    // A list/watch narrowed to one name by field selector is authorised for that name.
    if (r.name === undefined)
      name = /^metadata\.name==?([^,]+)$/.exec(url.searchParams.get('fieldSelector')?.trim() ?? '')?.[1];
  } else if (method === 'POST') verb = 'create';
  else if (method === 'PUT') verb = 'update';
  else if (method === 'PATCH') verb = 'patch';
  else if (method === 'DELETE') verb = r.name === undefined ? 'deletecollection' : 'delete';
  // RequestInfo puts a Namespace object's name in the namespace too ("... in the namespace \"foo\"").
  const namespace = r.plural === 'namespaces' && r.group === '' ? r.name : r.namespace;
  return {
    resourceRequest: true,
    verb,
    group: r.group,
    version: r.version,
    resource: r.plural,
    subresource: r.subresource,
    namespace,
    name,
  };
}

/** `applications.argoproj.io`, `secrets`, `imageupdaters.argocd-image-updater.argoproj.io/status`. */
export function resourceKeyOf(info: KubeRequestInfo): string | undefined {
  if (!info.resourceRequest) return undefined;
  const base = qualifiedResource(info.group, info.resource);
  return info.subresource ? `${base}/${info.subresource}` : base;
}
