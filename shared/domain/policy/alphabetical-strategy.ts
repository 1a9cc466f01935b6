/** alphabetical (alias `name`): plain byte-wise order of the tag names, greatest first. */
import { compareStrings } from '../semver/version.ts';
import type { RankFn } from './rank.ts';

export const rankAlphabetical: RankFn = (candidates) => {
  const ranked = [...candidates].sort((a, b) => compareStrings(b.name, a.name));
  return { ok: true, ranked, detail: 'ranked by name, greatest first', warnings: [] };
};
