/**
 * Choose the tag an image should run, the way argocd-image-updater does (filter → platforms → strategy),
 * and explain the decision. Never throws for bad user input: it answers `invalid-input` naming the field.
 */
import { rankAlphabetical } from './alphabetical-strategy.ts';
import { rankDigest } from './digest-strategy.ts';
import { rankNewestBuild } from './newest-build-strategy.ts';
import { createdForPlatforms, DEFAULT_PLATFORMS, parsePlatform, tagWantsPlatform } from './platform.ts';
import { PolicyError } from '../model/policy-error.ts';
import type { RankFn } from './rank.ts';
import { rankSemver } from './semver-strategy.ts';
import { STRATEGY_FLAGS, type StrategyName } from './strategy.ts';
import { allowTagsMatcher, ignoreTagsMatcher } from './tag-filters.ts';
import type { SelectionInput, SelectionResult, TagCandidate } from './types.ts';

const STRATEGIES: Record<StrategyName, RankFn> = {
  semver: rankSemver,
  'newest-build': rankNewestBuild,
  alphabetical: rankAlphabetical,
  digest: rankDigest,
};

const RANKING_SIZE = 5;

/** Drop repeated tag names (the first occurrence wins), as the anchor's tag list does. */
export function dedupeTags(tags: readonly TagCandidate[]): TagCandidate[] {
  const seen = new Set<string>();
  return tags.filter((t) => !seen.has(t.name) && (seen.add(t.name), true));
}

export function selectTag(input: SelectionInput): SelectionResult {
  const names = {
    constraint: 'constraint',
    allowTags: 'allow-tags',
    ignoreTags: 'ignore-tags',
    platforms: 'platforms',
    ...input.fieldNames,
  };
  const flags = STRATEGY_FLAGS[input.strategy];
  const warnings: string[] = [];
  const tags = dedupeTags(input.tags);
  const counts = { tagsFound: tags.length, afterFilters: 0, afterPlatforms: 0, eligible: 0 };
  const result = (r: Pick<SelectionResult, 'reason' | 'message'> & Partial<SelectionResult>): SelectionResult => ({
    selected: null,
    ranking: [],
    ...counts,
    warnings,
    ...r,
  });
  const invalid = (e: PolicyError): SelectionResult =>
    result({ reason: 'invalid-input', message: e.message, invalid: { field: e.field, value: e.value } });

  const allow = allowTagsMatcher(input.allowTags, names.allowTags);
  if (allow.error) return invalid(allow.error);
  const ignore = ignoreTagsMatcher(input.ignoreTags, names.ignoreTags);
  if (ignore.error) return invalid(ignore.error);
  let wanted: readonly string[] =
    input.platforms.length > 0 ? input.platforms : (input.defaultPlatforms ?? DEFAULT_PLATFORMS);
  try {
    wanted = wanted.map((p) => p.trim());
    for (const p of wanted) parsePlatform(p, names.platforms);
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    if (flags.readsManifests) return invalid(e);
    warnings.push(`${e.message} (ignored: strategy ${input.strategy} does not read manifests)`);
  }

  const rank = STRATEGIES[input.strategy];
  // A dry run on no candidates surfaces an invalid constraint even when the registry has no tags.
  const precheck = rank([], input.constraint, names.constraint);
  if (!precheck.ok && precheck.reason === 'invalid-input') {
    return result({
      reason: 'invalid-input',
      message: precheck.message,
      ...(precheck.invalid ? { invalid: precheck.invalid } : {}),
    });
  }
  if (tags.length === 0) return result({ reason: 'no-tags', message: 'no tags found for the image in the registry' });
  const filtered = tags.filter((t) => allow.match(t.name) && !ignore.isIgnored(t.name));
  counts.afterFilters = filtered.length;
  const onPlatform = flags.readsManifests ? filtered.filter((t) => tagWantsPlatform(wanted, t.platforms)) : filtered;
  counts.afterPlatforms = onPlatform.length;
  // newest-build ranks an index by its wanted children's dates only
  const candidates = flags.needsMetadata ? onPlatform.map((t) => withWantedDate(wanted, t)) : onPlatform;

  const outcome = rank(candidates, input.constraint, names.constraint);
  warnings.push(...outcome.warnings);
  if (!outcome.ok) {
    return result({
      reason: outcome.reason,
      message: outcome.message,
      ...(outcome.invalid ? { invalid: outcome.invalid } : {}),
    });
  }
  counts.eligible = outcome.ranked.length;
  const ranking = outcome.ranked.slice(0, RANKING_SIZE).map((t) => t.name);
  const funnel = `${counts.tagsFound} tag(s) found, ${counts.afterFilters} left after allow/ignore filters${
    flags.readsManifests ? `, ${counts.afterPlatforms} for platform(s) ${wanted.join(',')}` : ''
  }`;
  const best = outcome.ranked[0];
  if (!best) return result({ reason: 'no-match', message: `no tag qualifies: ${funnel}; ${outcome.detail}`, ranking });
  return result({
    reason: 'selected',
    selected: best,
    ranking,
    message: `selected "${best.name}" by ${input.strategy}: ${funnel}; ${outcome.detail}`,
  });
}

function withWantedDate(wanted: readonly string[], tag: TagCandidate): TagCandidate {
  const created = createdForPlatforms(wanted, tag);
  if (created === tag.created) return tag;
  const { created: _dropped, ...rest } = tag;
  return created === undefined ? rest : { ...rest, created };
}
