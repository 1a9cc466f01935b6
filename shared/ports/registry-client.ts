import type { Platform } from '../domain/model/platform.ts';

/**
 * What the workers need from a container registry (Docker Registry HTTP API v2 / OCI distribution).
 * Implemented by `shared/adapters/registry/oci-registry-client.ts`. Errors are thrown as the
 * classes of `shared/errors.ts` with codes `registry.*`.
 */
export type { Platform } from '../domain/model/platform.ts';

export type { RegistryCredentials } from '../domain/model/credentials.ts';

/** A resolved manifest: a single image manifest, or an index / manifest list. */
export type ManifestInfo =
  | { kind: 'image'; digest: string; mediaType: string; configDigest: string }
  | {
      kind: 'index';
      digest: string;
      mediaType: string;
      children: { digest: string; mediaType: string; platform?: Platform }[];
    };

/** The interesting fields of an image config blob. */
export interface ImageConfigInfo {
  created?: string;
  os?: string;
  architecture?: string;
  variant?: string;
  labels: Record<string, string>;
}

export interface RegistryClient {
  /** All tags of a repository, following `Link` pagination. An empty repository gives []. */
  listTags(repository: string): Promise<string[]>;
  /** The digest of a tag or digest reference (HEAD, with the full Accept list). */
  headManifest(repository: string, reference: string): Promise<{ digest: string; mediaType: string }>;
  getManifest(repository: string, reference: string): Promise<ManifestInfo>;
  getImageConfig(repository: string, configDigest: string): Promise<ImageConfigInfo>;
}
