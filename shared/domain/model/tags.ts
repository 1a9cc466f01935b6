import type { Platform } from './platform.ts';

/** What the registry worker learned about one tag. Metadata fields are present only when fetched. */
export interface TagRecord {
  name: string;
  digest?: string;
  created?: string;
  platforms?: (Platform & { created?: string })[];
}

/** The state of one repository as last polled: written by the registry worker, read by select. */
export interface TagSnapshot {
  repoKey: string;
  fetchedAt: number;
  tags: TagRecord[];
  /** Set when the last poll failed for good; `tags` then holds the previous good list, if any. */
  error?: { code: string; message: string; at: number };
  /** Hash of the tag list and metadata: equal hashes mean nothing changed. */
  hash: string;
}
