/**
 * URL → resource addressing for the Kubernetes REST layout:
 *   /api/v1[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]
 *   /apis/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]
 */
export type Route =
  | { kind: 'discovery'; doc: 'version' | 'api' | 'apis' | 'health' }
  | { kind: 'group'; group: string }
  | { kind: 'groupVersion'; group: string; version: string }
  | {
      kind: 'resource';
      group: string;
      version: string;
      namespace?: string; // undefined = all namespaces (or a cluster-scoped resource)
      plural: string;
      name?: string;
      subresource?: string;
    }
  | { kind: 'unknown' };

export function route(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 1 && parts[0] === 'version') return { kind: 'discovery', doc: 'version' };
  if (parts.length === 1 && ['healthz', 'readyz', 'livez'].includes(parts[0]!))
    return { kind: 'discovery', doc: 'health' };
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length === 1) return { kind: 'discovery', doc: 'api' };
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length === 1) return { kind: 'discovery', doc: 'apis' };
    if (parts.length === 2) return { kind: 'group', group: parts[1]! };
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else return { kind: 'unknown' };
  if (rest.length === 0) return { kind: 'groupVersion', group, version };
  // /api/v1/namespaces and /api/v1/namespaces/{name}[/status|/finalize] address Namespace objects themselves.
  if (
    rest[0] === 'namespaces' &&
    rest.length === 3 &&
    group === '' &&
    (rest[2] === 'status' || rest[2] === 'finalize')
  ) {
    return { kind: 'resource', group, version, plural: 'namespaces', name: rest[1], subresource: rest[2] };
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const [, namespace, plural, name, subresource] = rest;
    if (rest.length > 5) return { kind: 'unknown' };
    return { kind: 'resource', group, version, namespace, plural: plural!, name, subresource };
  }
  if (rest.length > 3) return { kind: 'unknown' };
  const [plural, name, subresource] = rest;
  return { kind: 'resource', group, version, plural: plural!, name, subresource };
}
