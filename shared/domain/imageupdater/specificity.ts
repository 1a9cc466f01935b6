/**
 * The anchor's applicationRef specificity score: a literal name beats any glob, longer literal text
 * beats shorter, and a label selector (more so one with more requirements) beats none. Refs are
 * tried most specific first; equal scores keep their order in the CR (a stable sort).
 */
import type { LabelSelector } from './schema.ts';

export const EXACT_NAME_SCORE = 1_000_000;
export const SELECTOR_SCORE = 10_000;
export const REQUIREMENT_SCORE = 100;

const utf8 = new TextEncoder();

/** The literal part of a pattern: `[...]` sets, `*` and `?` removed (its length counts, in bytes as Go's len). */
function literalPart(pattern: string): string {
  return pattern.replace(/\[[^\]]*\]/g, '').replace(/[*?]/g, '');
}

export function specificity(ref: { namePattern: string; labelSelectors?: LabelSelector | undefined }): number {
  let score = /[*?[\]]/.test(ref.namePattern) ? 0 : EXACT_NAME_SCORE;
  score += utf8.encode(literalPart(ref.namePattern)).length;
  const sel = ref.labelSelectors;
  if (sel !== undefined) {
    score += SELECTOR_SCORE;
    score += REQUIREMENT_SCORE * Object.keys(sel.matchLabels ?? {}).length;
    score += REQUIREMENT_SCORE * (sel.matchExpressions ?? []).length;
  }
  return score;
}

export interface RankedRef<T> {
  ref: T;
  /** Position in spec.applicationRefs (what problems name). */
  index: number;
  score: number;
}

/** Most specific first; ties keep their CR order. */
export function rankBySpecificity<T extends { namePattern: string; labelSelectors?: LabelSelector | undefined }>(
  refs: readonly T[],
): RankedRef<T>[] {
  return refs
    .map((ref, index) => ({ ref, index, score: specificity(ref) }))
    .sort((a, b) => b.score - a.score || a.index - b.index);
}
