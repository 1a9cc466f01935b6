import type { TagSnapshot } from '../domain/model/tags.ts';

export type { TagRecord, TagSnapshot } from '../domain/model/tags.ts';

export interface TagSnapshotStore {
  get(repoKey: string): Promise<TagSnapshot | null>;
  getMany(repoKeys: readonly string[]): Promise<Map<string, TagSnapshot>>;
  /** Stores the snapshot; returns whether it differs from the previous one. */
  put(snapshot: TagSnapshot): Promise<{ changed: boolean }>;
}
