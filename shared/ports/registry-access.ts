import type { PollTarget } from '../domain/fleet/index-entry.ts';
import type { TagRecord } from '../domain/model/tags.ts';
import type { RegistryClient } from './registry-client.ts';

/** Registry clients for poll targets, authenticated with their control plane's credentials. */
export interface RegistryAccess {
  clientFor(target: PollTarget): Promise<RegistryClient>;
  /** Adds digests, platforms and creation dates to the tags (each digest described once ever). */
  withMetadata(client: RegistryClient, repository: string, tags: readonly TagRecord[]): Promise<TagRecord[]>;
}
