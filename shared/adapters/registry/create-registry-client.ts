/**
 * Builds an OciRegistryClient for a registries.conf endpoint: TLS trust from `ca_file`/`ca_data`
 * (added to Node's root store) or from Argo CD's `/app/config/tls/<host>` convention, or no
 * verification when `insecure`. Bad PEM is a configuration error naming the field and registry.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PermanentError } from '../../errors.ts';
import type { RegistryEndpoint } from '../../domain/registry/endpoint.ts';
import { OciRegistryClient, type OciRegistryClientOptions } from './oci-registry-client.ts';
import { transportFor } from './http-transport.ts';

export const ARGOCD_TLS_CERTS_DIR = '/app/config/tls';

export type ClientSettings = Omit<OciRegistryClientOptions, 'apiUrl' | 'transport'> & {
  /** Where Argo CD mounts `argocd-tls-certs-cm` (one PEM file per host name). */
  tlsCertsDir?: string;
};

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM bundle; throws naming `field` when there is none or one is invalid. */
export function readPemCertificates(pem: string, field: string, registry: string): string[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  const bad = () =>
    new PermanentError(
      'registry.tls-config',
      `${field} of registry ${registry} does not contain a valid PEM certificate`,
    );
  if (blocks.length === 0) throw bad();
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      throw bad();
    }
  }
  return blocks;
}

function trustedPem(endpoint: RegistryEndpoint, tlsCertsDir: string): string[] {
  const pem: string[] = [];
  if (endpoint.caData) pem.push(...readPemCertificates(endpoint.caData, 'ca_data', endpoint.name));
  let caFile = endpoint.caFile;
  if (!caFile) {
    const host = URL.canParse(endpoint.apiUrl) ? new URL(endpoint.apiUrl).hostname : '';
    const conventional = host ? join(tlsCertsDir, host) : '';
    if (conventional && existsSync(conventional)) caFile = conventional;
  }
  if (caFile) {
    let text: string;
    try {
      text = readFileSync(caFile, 'utf8');
    } catch (e) {
      throw new PermanentError(
        'registry.tls-config',
        `could not read CA file ${caFile} (ca_file of registry ${endpoint.name}): ${(e as NodeJS.ErrnoException).code ?? e}`,
      );
    }
    pem.push(...readPemCertificates(text, `ca_file ${caFile}`, endpoint.name));
  }
  return pem;
}

export function createRegistryClient(endpoint: RegistryEndpoint, settings: ClientSettings = {}): OciRegistryClient {
  const { tlsCertsDir = ARGOCD_TLS_CERTS_DIR, ...options } = settings;
  const transport = endpoint.insecure
    ? transportFor({ insecure: true })
    : transportFor({ caPem: trustedPem(endpoint, tlsCertsDir) });
  return new OciRegistryClient({ ...options, apiUrl: endpoint.apiUrl, transport });
}
