import type { PollTarget } from '../domain/fleet/index-entry.ts';
import type { TagRecord } from '../domain/model/tags.ts';
import type { RegistryClient } from './registry-client.ts';

/** Registry clients for poll targets, authenticated with their control plane's credentials. */
export interface RegistryAccess {
  /** The target's client; with `job`, its requests are that job's (a long budget wait steps aside). */
  clientFor(target: PollTarget, job?: string): Promise<RegistryClient>;
  /**
   * A hint that these targets are polled next (the first one now): on a token registry, the
   * tokens of those served by the first one's client come from one token request. Never throws.
   */
  prepare?(targets: readonly PollTarget[]): Promise<void>;
  /**
   * Adds digests, platforms and creation dates to the given tags: one HEAD per tag, a manifest and
   * config blob(s) only for a digest never described before (cached forever). The caller passes
   * only the tags some app wants described (its poll target's interests).
   */
  withMetadata(client: RegistryClient, repository: string, tags: readonly TagRecord[]): Promise<TagRecord[]>;
}
