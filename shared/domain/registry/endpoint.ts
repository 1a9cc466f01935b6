/**
 * Registry endpoints (the anchor's RegistryEndpoint) and how an image finds its endpoint:
 * the default endpoint for images without a registry host, an exact host match, the longest
 * string prefix of `<registry>/<name>`, or an endpoint inferred from the host.
 */

export type TagSortMode = 'unsorted' | 'latest-first' | 'latest-last';

export interface RegistryEndpoint {
  /** Informational name. */
  name: string;
  /** Base URL without trailing '/'; API calls append `/v2/...`. */
  apiUrl: string;
  /** Lookup key: a host, or a host plus path (`gcr.io/my-project`); '' for the prefix-less entry. */
  prefix: string;
  /** Credential source (`env:VAR`, `secret:ns/name#field`, `pullsecret:ns/name`, `ext:/path`). */
  credentials?: string;
  /** How long registry-level credentials are cached; 0 = forever. */
  credsExpireMs: number;
  tagSortMode: TagSortMode;
  /** Skip TLS certificate verification. */
  insecure: boolean;
  caFile?: string;
  caData?: string;
  /** Namespace prepended to single-component repository names (`nginx` → `library/nginx`). */
  defaultNs?: string;
  /** Requests per second; undefined = unlimited. */
  limit?: number;
  isDefault: boolean;
  /** Parsed for compatibility; unused. */
  ping?: boolean;
}

/** The built-in Docker Hub endpoint (default for images without a registry host). */
export const DOCKER_HUB_ENDPOINT: Readonly<RegistryEndpoint> = Object.freeze({
  name: 'Docker Hub',
  apiUrl: 'https://registry-1.docker.io',
  prefix: 'docker.io',
  credsExpireMs: 0,
  tagSortMode: 'unsorted',
  insecure: false,
  defaultNs: 'library',
  limit: 10,
  isDefault: true,
  ping: true,
});

/** The anchor's TagListSortFromString: case-insensitive; 'none' and '' mean unsorted. */
export function parseTagSortMode(value: string): TagSortMode | 'unknown' {
  switch (value.toLowerCase()) {
    case 'latest-first':
      return 'latest-first';
    case 'latest-last':
      return 'latest-last';
    case 'none':
    case '':
      return 'unsorted';
    default:
      return 'unknown';
  }
}

/** An endpoint for a host nobody configured: https://<host>, 20 req/s, no credentials. */
export function inferEndpoint(host: string): RegistryEndpoint {
  return {
    name: host,
    apiUrl: `https://${host}`,
    prefix: host,
    credsExpireMs: 0,
    tagSortMode: 'unsorted',
    insecure: false,
    limit: 20,
    isDefault: false,
  };
}

/**
 * The endpoint serving image `registry/name`. `endpoints` are the configured ones (from
 * registries.conf); the built-in Docker Hub endpoint is always present unless replaced by a
 * configured entry with prefix `docker.io`. Unlike the anchor, an inferred endpoint is not
 * remembered, so the result never depends on the order of earlier lookups.
 */
export function findEndpoint(endpoints: readonly RegistryEndpoint[], registry: string, name: string): RegistryEndpoint {
  const byPrefix = new Map<string, RegistryEndpoint>([[DOCKER_HUB_ENDPOINT.prefix, DOCKER_HUB_ENDPOINT]]);
  for (const ep of endpoints) byPrefix.set(ep.prefix, ep);
  if (registry === '') {
    return endpoints.find((ep) => ep.isDefault) ?? DOCKER_HUB_ENDPOINT;
  }
  const exact = byPrefix.get(registry);
  if (exact) return exact;
  const full = `${registry}/${name}`;
  let best: RegistryEndpoint | undefined;
  for (const ep of byPrefix.values()) {
    if (full.startsWith(ep.prefix) && (!best || ep.prefix.length > best.prefix.length)) best = ep;
  }
  return best ?? inferEndpoint(registry);
}

/** The repository path to use in API calls: defaultns is prepended to one-component names. */
export function repositoryPath(endpoint: Pick<RegistryEndpoint, 'defaultNs'>, name: string): string {
  return endpoint.defaultNs && !name.includes('/') ? `${endpoint.defaultNs}/${name}` : name;
}

/** Time-sorted tag lists need no manifest metadata: list position stands in for the build date. */
export function isTimeSorted(mode: TagSortMode): boolean {
  return mode === 'latest-first' || mode === 'latest-last';
}
