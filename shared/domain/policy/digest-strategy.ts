/** digest: follow the digest of the one tag named by the constraint. */
import type { RankFn } from './rank.ts';

export const rankDigest: RankFn = (candidates, constraint, constraintField) => {
  if (constraint.trim() === '') {
    return {
      ok: false,
      reason: 'invalid-input',
      message: `cannot use update strategy 'digest' without a version constraint: set the tag to follow in ${constraintField} (e.g. app:latest)`,
      invalid: { field: constraintField, value: constraint },
      warnings: [],
    };
  }
  const tag = candidates.find((t) => t.name === constraint);
  if (!tag) return { ok: true, ranked: [], detail: `tag "${constraint}" is not among them`, warnings: [] };
  if (!tag.digest) {
    return {
      ok: false,
      reason: 'metadata-missing',
      message: `digest strategy needs the digest of tag "${constraint}" but it is unknown`,
      warnings: [],
    };
  }
  return { ok: true, ranked: [tag], detail: `following tag "${constraint}"`, warnings: [] };
};
