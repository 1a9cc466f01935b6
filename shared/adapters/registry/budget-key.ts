/**
 * Which budget a registry's requests draw from: its API host, and for registries that limit per
 * account (Docker Hub counts pulls per user, or per address when anonymous) also the credential
 * reference (a name like `pullsecret:ns/name`, hashed; never a secret value).
 */
import { createHash } from 'node:crypto';
import type { RegistryEndpoint } from '../../domain/registry/endpoint.ts';

const PER_ACCOUNT_HOSTS = new Set(['registry-1.docker.io', 'index.docker.io']);

export function budgetKeyOf(endpoint: Pick<RegistryEndpoint, 'apiUrl'>, credentials: string | undefined): string {
  const host = URL.canParse(endpoint.apiUrl) ? new URL(endpoint.apiUrl).host : endpoint.apiUrl.slice(0, 255);
  if (!PER_ACCOUNT_HOSTS.has(host)) return host;
  const account = credentials ? createHash('sha256').update(credentials).digest('hex').slice(0, 12) : 'anonymous';
  return `${host}#${account}`;
}
