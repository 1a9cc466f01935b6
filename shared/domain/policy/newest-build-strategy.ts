/** newest-build (alias `latest`): most recent build date first; equal dates → greatest tag name first. */
import { compareStrings } from '../semver/version.ts';
import { parseCreated } from './created-time.ts';
import type { RankFn } from './rank.ts';
import type { TagCandidate } from './types.ts';

export const rankNewestBuild: RankFn = (candidates) => {
  const dated: { tag: TagCandidate; at: bigint }[] = [];
  const undated: string[] = [];
  for (const tag of candidates) {
    const at = tag.created === undefined ? null : parseCreated(tag.created);
    if (at === null) undated.push(tag.name);
    else dated.push({ tag, at });
  }
  const warnings =
    undated.length > 0 && dated.length > 0
      ? [
          `${undated.length} tag(s) without a usable build date were skipped: ${undated.slice(0, 5).join(', ')}${undated.length > 5 ? ', …' : ''}`,
        ]
      : [];
  if (dated.length === 0 && undated.length > 0) {
    return {
      ok: false,
      reason: 'metadata-missing',
      message: `newest-build needs build dates but none of the ${undated.length} candidate tag(s) has one`,
      warnings,
    };
  }
  dated.sort((a, b) => (a.at === b.at ? compareStrings(b.tag.name, a.tag.name) : a.at < b.at ? 1 : -1));
  const newest = dated[0] ? `, newest build ${dated[0].tag.created} ("${dated[0].tag.name}")` : '';
  return {
    ok: true,
    ranked: dated.map(({ tag }) => tag),
    detail: `${dated.length} of them have build dates${newest}`,
    warnings,
  };
};
