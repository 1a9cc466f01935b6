/** semver: tags that parse as versions and satisfy the constraint, highest precedence first. */
import { parseConstraint, type Constraint } from '../semver/constraint.ts';
import { compareVersionsForSort, parseVersion, type Version } from '../semver/version.ts';
import { PolicyError } from '../model/policy-error.ts';
import type { RankFn } from './rank.ts';
import type { TagCandidate } from './types.ts';

export const rankSemver: RankFn = (candidates, constraint, constraintField) => {
  let c: Constraint;
  try {
    c = parseConstraint(constraint, constraintField);
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    return {
      ok: false,
      reason: 'invalid-input',
      message: e.message,
      invalid: { field: e.field, value: e.value },
      warnings: [],
    };
  }
  const versions: { tag: TagCandidate; v: Version }[] = [];
  for (const tag of candidates) {
    const v = parseVersion(tag.name);
    if (v) versions.push({ tag, v });
  }
  const eligible = versions.filter(({ v }) => c.check(v));
  eligible.sort((a, b) => compareVersionsForSort(b.v, a.v));
  return {
    ok: true,
    ranked: eligible.map(({ tag }) => tag),
    detail: `${versions.length} of them are semantic versions, ${eligible.length} satisfy constraint "${c.source}"`,
    warnings: [],
  };
};
