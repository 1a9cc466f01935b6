export { PolicyError } from '../model/policy-error.ts';
export { STRATEGY_FLAGS, STRATEGY_NAMES, parseStrategy, type StrategyFlags, type StrategyName } from './strategy.ts';
export type { SelectionInput, SelectionReason, SelectionResult, TagCandidate } from './types.ts';
export { selectTag, dedupeTags } from './select-tag.ts';
export {
  allowTagsMatcher,
  ignoreTagsMatcher,
  splitIgnoreTags,
  type IgnoreMatcher,
  type TagMatcher,
} from './tag-filters.ts';
export { DEFAULT_PLATFORMS, parsePlatform, platformKey, tagWantsPlatform, wantsPlatform } from './platform.ts';
export { compileGlob } from './glob.ts';
export { parseCreated } from './created-time.ts';
export {
  decideUpdate,
  resolveLive,
  type UpdateDecision,
  type UpdateDecisionInput,
  type UpdateReason,
} from './decide-update.ts';
