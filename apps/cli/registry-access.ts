import type { Redis } from 'ioredis';
import { createRegistryClient, CredentialsResolver } from '../../shared/adapters/registry/index.ts';
import { RedisMetadataCache } from '../../shared/adapters/redis/metadata-cache.ts';
import type { Keyspace } from '../../shared/adapters/redis/connection.ts';
import { DOCKER_HUB_ENDPOINT, inferEndpoint, type RegistryEndpoint } from '../../shared/domain/registry/index.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import type { ConfigReader } from '../../shared/ports/application-store.ts';
import type { RegistryClient } from '../../shared/ports/registry-client.ts';
import type { TagRecord } from '../../shared/ports/tag-snapshots.ts';
import { fetchMetadata } from '../../workers/registry/fetch-metadata.ts';

export interface RegistryAccessDeps {
  endpoints: readonly RegistryEndpoint[];
  reader?: ConfigReader;
  env: Record<string, string | undefined>;
  redis?: Redis;
  key?: Keyspace;
  log: Logger;
}

/** The endpoint a poll job names by its prefix (configured, built-in Docker Hub, or inferred from the host). */
export function endpointByPrefix(endpoints: readonly RegistryEndpoint[], prefix: string): RegistryEndpoint {
  return endpoints.find((e) => e.prefix === prefix) ?? (prefix === DOCKER_HUB_ENDPOINT.prefix ? DOCKER_HUB_ENDPOINT : inferEndpoint(prefix));
}

/**
 * Registry clients per endpoint and credential reference, kept for the process's life so bearer
 * tokens are reused. Registry-level credentials are cached for `credsexpire`; an image's own
 * pull secret is read again on every poll, as the anchor does.
 */
export function createRegistryAccess(deps: RegistryAccessDeps) {
  const resolver = new CredentialsResolver({ configReader: deps.reader, env: deps.env });
  const clients = new Map<string, RegistryClient>();
  const cache = deps.redis && deps.key ? new RedisMetadataCache(deps.redis, deps.key) : undefined;

  async function clientFor(prefix: string, _repository: string, credentials: string | undefined): Promise<RegistryClient> {
    const endpoint = endpointByPrefix(deps.endpoints, prefix);
    const id = `${endpoint.apiUrl}\n${credentials ?? ''}`;
    let client = clients.get(id);
    if (!client) {
      const cacheMs = credentials === endpoint.credentials ? endpoint.credsExpireMs : undefined;
      client = createRegistryClient(endpoint, {
        credentials: credentials ? resolver.provider(endpoint.apiUrl, credentials, cacheMs) : null,
        onRequest: (e) => deps.log.trace({ registry: endpoint.prefix, ...e }, 'registry request'),
      });
      clients.set(id, client);
    }
    return client;
  }

  async function withMetadata(client: RegistryClient, repository: string, tags: TagRecord[]): Promise<TagRecord[]> {
    if (!cache) return tags;
    return fetchMetadata(client, cache, repository, tags);
  }

  return { clientFor, withMetadata, resolver };
}
