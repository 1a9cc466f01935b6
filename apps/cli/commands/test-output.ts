import type { SelectionResult } from '../../../shared/domain/policy/index.ts';

/** `tagflow test --output json`: one object, the contract of DESIGN §5 plus the explanation. */
export interface TestJson {
  image: string;
  tags_found: number;
  selected: { tag: string; digest: string } | null;
  /** `selected`, or why nothing was: no-tags, no-match, metadata-missing. */
  reason: string;
  message: string;
  strategy: string;
  constraint: string;
  tags_after_filters: number;
  tags_after_platforms: number;
  ranking: string[];
  warnings: string[];
}

export interface TestAnswer {
  image: string;
  strategy: string;
  constraint: string;
  selection: SelectionResult;
  json: TestJson;
}

export function jsonAnswer(image: string, strategy: string, constraint: string, s: SelectionResult): TestJson {
  return {
    image,
    tags_found: s.tagsFound,
    selected: s.selected ? { tag: s.selected.name, digest: s.selected.digest ?? '' } : null,
    reason: s.selected ? 'selected' : s.reason,
    message: s.message,
    strategy,
    constraint,
    tags_after_filters: s.afterFilters,
    tags_after_platforms: s.afterPlatforms,
    ranking: s.ranking,
    warnings: s.warnings,
  };
}

/**
 * The text answer: the anchor's two lines, then the explanation. As in the anchor, only the digest
 * strategy's answer carries the digest (JSON always has it when known).
 */
export function formatSelection(a: TestAnswer): string {
  const s = a.selection;
  const lines = [`Found ${s.tagsFound} tags in registry`];
  if (s.selected) {
    const digest = a.strategy === 'digest' && s.selected.digest ? `@${s.selected.digest}` : '';
    lines.push(`latest image according to constraint is ${a.image}:${s.selected.name}${digest}`);
  } else lines.push('no newer version of image found');
  lines.push(`strategy: ${a.strategy}${a.constraint ? `, constraint ${a.constraint}` : ''}`);
  lines.push(`tags left after allow/ignore filters: ${s.afterFilters}, after platform checks: ${s.afterPlatforms}`);
  if (s.ranking.length > 0) lines.push(`ranking (best first): ${s.ranking.join(', ')}`);
  lines.push(`reason: ${s.selected ? 'selected' : s.reason} — ${s.message}`);
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
