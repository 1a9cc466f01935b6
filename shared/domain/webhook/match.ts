/**
 * Which tracked repositories a webhook names. Registry hosts are compared normalised (lower case, no
 * scheme or path, Docker Hub's spellings as docker.io), repositories lower-cased with Docker Hub's
 * `library/` for one-segment names: `nginx`, `docker.io/nginx` and `index.docker.io/library/nginx`
 * are one repository. A poll target matches by its registries.conf prefix or its API host.
 */
import type { PollTarget } from '../fleet/index-entry.ts';
import type { WebhookEvent } from './types.ts';

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

export function normalizeRegistry(host: string): string {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .split('/')[0]!
    .replace(/:443$/, '');
  return DOCKER_HUB.has(h) ? 'docker.io' : h;
}

export function normalizeRepository(registry: string, repository: string): string {
  const r = repository
    .trim()
    .toLowerCase()
    .replace(/^\/+|\/+$/g, '');
  return normalizeRegistry(registry) === 'docker.io' && !r.includes('/') ? `library/${r}` : r;
}

/** The registry hosts a poll target answers to. */
function targetHosts(t: PollTarget): string[] {
  const hosts = [normalizeRegistry(t.endpoint.prefix.split('/')[0] ?? '')];
  try {
    hosts.push(normalizeRegistry(new URL(t.endpoint.apiUrl).host));
  } catch {
    // an unparsable api_url matches by prefix only
  }
  return hosts.filter(Boolean);
}

/** The targets (every control plane and credential variant) of the repositories the events name. */
export function matchTargets(events: readonly WebhookEvent[], targets: Iterable<PollTarget>): PollTarget[] {
  const wanted = new Set(
    events.map((e) => `${normalizeRegistry(e.registry)}/${normalizeRepository(e.registry, e.repository)}`),
  );
  const out: PollTarget[] = [];
  for (const t of targets) {
    const hosts = targetHosts(t);
    if (hosts.some((h) => wanted.has(`${h}/${normalizeRepository(h, t.repository)}`))) out.push(t);
  }
  return out;
}
