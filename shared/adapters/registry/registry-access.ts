/**
 * Registry clients per (control plane, endpoint, credential reference), kept for the process's
 * life so bearer tokens are reused. Credentials are read from the target's own control plane; with
 * `--credentials-context`, a Secret it lacks is read from that control plane instead. Registry-level
 * credentials are cached for `credsexpire`; an image's own pull secret is read on every poll.
 */
import type { PollTarget } from '../../domain/fleet/index-entry.ts';
import type { TagRecord } from '../../domain/model/tags.ts';
import type { Logger } from '../../logging/logger.ts';
import type { ConfigReader } from '../../ports/application-store.ts';
import type { MetadataCache } from '../../ports/metadata-cache.ts';
import type { Metrics } from '../../ports/metrics.ts';
import type { RegistryAccess } from '../../ports/registry-access.ts';
import type { RegistryClient } from '../../ports/registry-client.ts';
import type { RequestBudgets, RequestGate } from '../../ports/request-budget.ts';
import { budgetKeyOf } from './budget-key.ts';
import { createRegistryClient } from './create-registry-client.ts';
import { CredentialsResolver } from './credentials.ts';
import { fetchMetadata } from './fetch-metadata.ts';
import type { OciRegistryClient } from './oci-registry-client.ts';

export interface RegistryAccessDeps {
  /** The Secrets/ConfigMaps of a control plane by name (undefined: unknown here). */
  reader(controlPlane: string): ConfigReader | undefined;
  /** The `--credentials-context` control plane's reader, if any. */
  fallback?: ConfigReader;
  env: Record<string, string | undefined>;
  metadata: MetadataCache;
  log: Logger;
  /** Request budgets shared by every process (none: no limit is enforced, as in `tagflow test`). */
  budgets?: RequestBudgets;
  /** Requests in flight at once per registry in this process. */
  maxInFlight?: number;
  /** Requests by registry and status, budget waits (none: not recorded). */
  metrics?: Metrics;
}

/** Reads a Secret from `primary`, else (absent there) from `fallback`. */
export function withFallback(primary: ConfigReader, fallback: ConfigReader | undefined): ConfigReader {
  if (!fallback || fallback === primary) return primary;
  return {
    readSecret: async (ns, name) => (await primary.readSecret(ns, name)) ?? fallback.readSecret(ns, name),
    readConfigMap: (ns, name) => primary.readConfigMap(ns, name),
    listSecrets: (ns, selector) => primary.listSecrets(ns, selector),
  };
}

/** As the anchor's HTTP transport (at most 10 connections per host). */
export const DEFAULT_MAX_IN_FLIGHT = 10;

export function createRegistryAccess(deps: RegistryAccessDeps): RegistryAccess {
  const resolvers = new Map<string, CredentialsResolver>();
  const clients = new Map<string, OciRegistryClient>();
  const resolverFor = (cp: string) => {
    let r = resolvers.get(cp);
    if (!r) {
      const own = deps.reader(cp);
      r = new CredentialsResolver({
        configReader: own ? withFallback(own, deps.fallback) : deps.fallback,
        env: deps.env,
      });
      resolvers.set(cp, r);
    }
    return r;
  };
  // the whole endpoint: a registries.conf edit (limit, credsexpire, ca_data, …) gets a new client
  const ids = new WeakMap<PollTarget, string>();
  const idOf = (t: PollTarget) => {
    let id = ids.get(t);
    if (id === undefined) ids.set(t, (id = `${t.controlPlane}\n${JSON.stringify(t.endpoint)}\n${t.credentials ?? ''}`));
    return id;
  };
  return {
    async clientFor(t: PollTarget, job?: string): Promise<RegistryClient> {
      const id = idOf(t);
      let client = clients.get(id);
      if (!client) {
        const cacheMs = t.credentials === t.endpoint.credentials ? t.endpoint.credsExpireMs : undefined;
        const resolver = resolverFor(t.controlPlane);
        client = createRegistryClient(t.endpoint, {
          credentials: t.credentials ? resolver.provider(t.endpoint.apiUrl, t.credentials, cacheMs) : null,
          onRequest: (e) => {
            deps.log.trace({ registry: t.endpoint.prefix, ...e }, 'registry request');
            deps.metrics?.registryRequest(t.endpoint.prefix, e);
          },
          ...(deps.budgets
            ? {
                gate: metered(
                  deps.metrics,
                  t.endpoint.prefix,
                  deps.budgets.gate({
                    key: budgetKeyOf(t.endpoint, t.credentials),
                    ...(t.endpoint.limit && t.endpoint.limit > 0 ? { ratePerSec: t.endpoint.limit } : {}),
                    maxInFlight: deps.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
                  }),
                ),
              }
            : {}),
        });
        clients.set(id, client);
      }
      return job ? client.forJob(job) : client;
    },
    async prepare(targets: readonly PollTarget[]): Promise<void> {
      const id = targets[0] && idOf(targets[0]);
      const client = id && clients.get(id);
      if (client) await client.prepare(targets.filter((t) => idOf(t) === id).map((t) => t.repository));
    },
    withMetadata(client: RegistryClient, repository: string, tags: readonly TagRecord[]): Promise<TagRecord[]> {
      return fetchMetadata(client, deps.metadata, repository, tags);
    },
  };
}

/** A gate whose waits (longer than a few ms: an unlimited registry's grant is not a wait) are counted. */
function metered(metrics: Metrics | undefined, registry: string, gate: RequestGate): RequestGate {
  if (!metrics) return gate;
  return {
    observe: (status, headers) => gate.observe(status, headers),
    async acquire(job) {
      const started = Date.now();
      try {
        const release = await gate.acquire(job);
        const waited = Date.now() - started;
        if (waited > 2) metrics.budgetWait(registry, waited, 'granted');
        return release;
      } catch (e) {
        const stepped = (e as { code?: unknown }).code === 'registry.budget';
        metrics.budgetWait(registry, Date.now() - started, stepped ? 'stepped_aside' : 'failed');
        throw e;
      }
    },
  };
}
