import type { TagSnapshot } from '../domain/model/tags.ts';

export type { TagRecord, TagSnapshot } from '../domain/model/tags.ts';

/** Reads snapshots (they are written by the cycle ledger's poll step, with the release of waiting apps). */
export interface TagSnapshotStore {
  get(repoKey: string): Promise<TagSnapshot | null>;
  getMany(repoKeys: readonly string[]): Promise<Map<string, TagSnapshot>>;
  /** The hash of each stored snapshot (to tell, before sending it, whether a new one changed anything). */
  hashes(repoKeys: readonly string[]): Promise<Map<string, string>>;
}
