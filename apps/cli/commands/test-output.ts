import type { SelectionResult } from '../../../shared/domain/policy/index.ts';

export interface TestAnswer {
  image: string;
  strategy: string;
  constraint: string;
  selection: SelectionResult;
  /** Set when the question itself was invalid (bad constraint, regexp, platform). */
  error?: string;
  json: {
    image: string;
    tags_found: number;
    selected: { tag: string; digest: string } | null;
    reason: string;
    message: string;
    tags_after_filters: number;
    tags_after_platforms: number;
    ranking: string[];
    warnings: string[];
  };
}

/** The text answer: the anchor's two lines, then the explanation. */
export function formatSelection(a: TestAnswer): string {
  const s = a.selection;
  const lines = [`Found ${s.tagsFound} tags in registry`];
  if (s.selected) {
    const digest = s.selected.digest ? `@${s.selected.digest}` : '';
    lines.push(`latest image according to constraint is ${a.image}:${s.selected.name}${digest}`);
  } else lines.push('no newer version of image found');
  lines.push(`strategy: ${a.strategy}${a.constraint ? `, constraint ${a.constraint}` : ''}`);
  lines.push(`tags left after allow/ignore filters: ${s.afterFilters}, after platform checks: ${s.afterPlatforms}`);
  if (s.ranking.length > 0) lines.push(`ranking (best first): ${s.ranking.join(', ')}`);
  lines.push(`reason: ${s.selected ? 'selected' : s.reason} — ${s.message}`);
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
