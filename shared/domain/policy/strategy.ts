/** Update strategies, their annotation spellings and what each needs from the registry. */

import type { StrategyName } from '../model/strategy-name.ts';

export type { StrategyName };

export const STRATEGY_NAMES: readonly StrategyName[] = ['semver', 'newest-build', 'alphabetical', 'digest'];

export interface StrategyFlags {
  /** Needs per-tag metadata (build date) from manifests and config blobs. */
  needsMetadata: boolean;
  /** Cannot work without a constraint in the image-list entry. */
  needsVersionConstraint: boolean;
  /** Only the tag equal to the constraint is a candidate. */
  wantsOnlyConstraintTag: boolean;
  /** Registry metadata for this strategy may be cached (digest follows a mutable tag, so it may not). */
  cacheable: boolean;
  /** Fetches manifests (for dates or digests), so platform filtering applies. */
  readsManifests: boolean;
}

/** The anchor's strategy predicates (vectors strategy-flags), plus readsManifests. */
export const STRATEGY_FLAGS: Record<StrategyName, StrategyFlags> = {
  semver: {
    needsMetadata: false,
    needsVersionConstraint: false,
    wantsOnlyConstraintTag: false,
    cacheable: true,
    readsManifests: false,
  },
  'newest-build': {
    needsMetadata: true,
    needsVersionConstraint: false,
    wantsOnlyConstraintTag: false,
    cacheable: true,
    readsManifests: true,
  },
  alphabetical: {
    needsMetadata: false,
    needsVersionConstraint: false,
    wantsOnlyConstraintTag: false,
    cacheable: true,
    readsManifests: false,
  },
  digest: {
    needsMetadata: false,
    needsVersionConstraint: true,
    wantsOnlyConstraintTag: true,
    cacheable: false,
    readsManifests: true,
  },
};

const DEPRECATED: Record<string, StrategyName> = { latest: 'newest-build', name: 'alphabetical' };

/**
 * Read an update-strategy value: case-insensitive, surrounding whitespace ignored; `latest` and `name`
 * are deprecated spellings (warning); unset/empty means semver; anything else is semver with a warning.
 */
export function parseStrategy(value: string | undefined): { strategy: StrategyName; warning?: string } {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return { strategy: 'semver' };
  if ((STRATEGY_NAMES as readonly string[]).includes(v)) return { strategy: v as StrategyName };
  const renamed = DEPRECATED[v];
  if (renamed) return { strategy: renamed, warning: `update strategy "${v}" is deprecated, use "${renamed}"` };
  return { strategy: 'semver', warning: `unknown update strategy ${JSON.stringify(value)} -- using semver` };
}
