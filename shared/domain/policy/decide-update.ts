/**
 * The whole per-image decision of one cycle (reference §4.2): is the image live, which tag is best,
 * and does the application need to change? Returns one reason code and the full explanation.
 */
import { withTag, type ImageRef } from '../image/image-ref.ts';
import { findLiveImage, needsUpdate, reselectLiveForDigest } from '../image/live-image.ts';
import { selectTag } from './select-tag.ts';
import type { StrategyName } from './strategy.ts';
import type { SelectionInput, SelectionResult, TagCandidate } from './types.ts';

export type UpdateReason =
  'updated' | 'already-newest' | 'not-live' | 'no-tags' | 'no-match' | 'metadata-missing' | 'invalid-input';

export interface UpdateDecisionInput {
  /** The image-list entry; its tag is the constraint. */
  configured: ImageRef;
  strategy: StrategyName;
  allowTags?: string;
  ignoreTags: readonly string[];
  platforms: readonly string[];
  defaultPlatforms?: readonly string[];
  forceUpdate: boolean;
  kustomizeImageName?: string;
  /** Application status.summary.images. */
  liveImages: readonly string[];
  tags: readonly TagCandidate[];
  fieldNames?: SelectionInput['fieldNames'];
}

export interface UpdateDecision {
  reason: UpdateReason;
  message: string;
  /** The running image the decision compared against (the configured one, untagged, for force-update). */
  live: ImageRef | null;
  /** What to write: the configured repository with the chosen tag (and digest for the digest strategy). */
  target: ImageRef | null;
  selection: SelectionResult | null;
}

/** Whether the image is live (or forced); callers can use this before asking the registry. */
export function resolveLive(
  input: Pick<UpdateDecisionInput, 'configured' | 'liveImages' | 'kustomizeImageName' | 'forceUpdate'>,
): ImageRef | null {
  const live = findLiveImage(input.configured, input.liveImages, input.kustomizeImageName);
  if (live) return live;
  return input.forceUpdate ? withTag(input.configured, null) : null;
}

/**
 * Apps that track the same repository with the same settings get the same selection: it is made
 * once per tag list (the snapshot's, by identity) and settings, not once per app. Results are
 * shared: callers must not modify them.
 */
const shared = new WeakMap<readonly object[], Map<string, SelectionResult>>();

function selectShared(input: SelectionInput): SelectionResult {
  const key = JSON.stringify([
    input.strategy,
    input.constraint,
    input.allowTags ?? null,
    input.ignoreTags,
    input.platforms,
    input.defaultPlatforms ?? null,
    input.fieldNames ?? null,
  ]);
  let byKey = shared.get(input.tags);
  if (!byKey) shared.set(input.tags, (byKey = new Map()));
  let result = byKey.get(key);
  if (!result) byKey.set(key, (result = selectTag(input)));
  return result;
}

export function decideUpdate(input: UpdateDecisionInput): UpdateDecision {
  let live = resolveLive(input);
  if (!live) {
    return {
      reason: 'not-live',
      message:
        'the image is not running in this application (not in status.summary.images); set force-update to update it anyway',
      live: null,
      target: null,
      selection: null,
    };
  }
  const constraint = input.configured.tag ?? '';
  const selection = selectShared({
    tags: input.tags,
    strategy: input.strategy,
    constraint,
    ignoreTags: input.ignoreTags,
    platforms: input.platforms,
    ...(input.allowTags !== undefined ? { allowTags: input.allowTags } : {}),
    ...(input.defaultPlatforms ? { defaultPlatforms: input.defaultPlatforms } : {}),
    ...(input.fieldNames ? { fieldNames: input.fieldNames } : {}),
  });
  const chosen = selection.selected;
  if (!chosen)
    return { reason: selection.reason as UpdateReason, message: selection.message, live, target: null, selection };

  const digest = input.strategy === 'digest' ? (chosen.digest ?? '') : '';
  if (input.strategy === 'digest')
    live = reselectLiveForDigest(input.configured, input.liveImages, digest, input.kustomizeImageName) ?? live;
  const target = withTag(input.configured, chosen.name, digest);
  const shown = digest ? `${chosen.name}@${digest}` : chosen.name;
  const current = live.digest ? `${live.tag ?? ''}@${live.digest}` : (live.tag ?? '(no tag)');
  const options = {
    configured: input.configured,
    ...(input.kustomizeImageName ? { kustomizeImageName: input.kustomizeImageName } : {}),
  };
  if (!needsUpdate(live, { tag: chosen.name, digest }, input.strategy, options)) {
    return {
      reason: 'already-newest',
      message: `already running ${current}, the best allowed tag; ${selection.message}`,
      live,
      target,
      selection,
    };
  }
  return { reason: 'updated', message: `update ${current} → ${shown}; ${selection.message}`, live, target, selection };
}
