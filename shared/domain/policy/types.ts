import type { Platform } from '../model/platform.ts';
import type { StrategyName } from './strategy.ts';

/** One tag of a repository as the registry worker saw it. */
export interface TagCandidate {
  name: string;
  /** Manifest (or index) digest; needed by the digest strategy. */
  digest?: string;
  /** Build date (RFC 3339); needed by newest-build. */
  created?: string;
  /**
   * Platforms the tag offers (one for an image manifest, the children of an index). Unknown = not checked.
   * An index child may carry its own build date: newest-build then uses only the wanted children's dates.
   */
  platforms?: (Platform & { created?: string })[];
}

export interface SelectionInput {
  tags: readonly TagCandidate[];
  strategy: StrategyName;
  /** The image-list "tag": a semver constraint, the tag to follow (digest), or ignored. */
  constraint: string;
  allowTags?: string;
  ignoreTags: readonly string[];
  /** Wanted `os/arch[/variant]`; empty = defaultPlatforms. Only used by strategies that read manifests. */
  platforms: readonly string[];
  /** Defaults to ['linux/amd64']. */
  defaultPlatforms?: readonly string[];
  /** Names to use for each field in messages (e.g. the annotation keys the values came from). */
  fieldNames?: Partial<Record<'constraint' | 'allowTags' | 'ignoreTags' | 'platforms', string>>;
}

export type SelectionReason = 'selected' | 'no-tags' | 'no-match' | 'metadata-missing' | 'invalid-input';

export interface SelectionResult {
  selected: TagCandidate | null;
  reason: SelectionReason;
  /** One sentence explaining the outcome, for logs and the audit trail. */
  message: string;
  /** Distinct tag names received. */
  tagsFound: number;
  /** Left after allow-tags and ignore-tags. */
  afterFilters: number;
  /** Left after the platform check (equals afterFilters for strategies that do not read manifests). */
  afterPlatforms: number;
  /** Left after the strategy's own eligibility rules (semver parse + constraint, dates, the followed tag). */
  eligible: number;
  /** The strategy's best candidates, best first, at most 5. */
  ranking: string[];
  warnings: string[];
  /** For invalid-input: which field and value were rejected. */
  invalid?: { field: string; value: string };
}
