/**
 * The check for one constraint term, per operator, with Masterminds/semver v3 semantics.
 * "dirty" terms had wildcards or missing parts (`1.x`, `1.2`, `*`); their bound has zeros there.
 */
import { compareVersions, type Version } from './version.ts';

export type Op = '' | '=' | '!=' | '>' | '<' | '>=' | '=>' | '<=' | '=<' | '~' | '~>' | '^';

export interface Term {
  op: Op;
  /** The lower bound / comparison version, wildcards replaced by 0. */
  con: Version;
  /** The version text as written. */
  orig: string;
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

function notEqual(v: Version, t: Term): boolean {
  if (t.dirty) {
    if (t.con.major !== v.major) return true;
    if (t.minorDirty) return false;
    if (t.con.minor !== v.minor) return true;
    if (!t.patchDirty && t.con.patch !== v.patch) return true;
    if (t.patchDirty) {
      if (v.prerelease !== '' || t.con.prerelease !== '')
        return (
          compareVersions({ ...v, major: 0n, minor: 0n, patch: 0n }, { ...t.con, major: 0n, minor: 0n, patch: 0n }) !==
          0
        );
      return false;
    }
  }
  return compareVersions(v, t.con) !== 0;
}

function greaterThan(v: Version, t: Term): boolean {
  if (!t.dirty) return compareVersions(v, t.con) > 0;
  if (v.major !== t.con.major) return v.major > t.con.major;
  if (t.minorDirty) return false;
  if (t.patchDirty) return v.minor > t.con.minor;
  return compareVersions(v, t.con) > 0;
}

function lessThanOrEqual(v: Version, t: Term): boolean {
  if (!t.dirty) return compareVersions(v, t.con) <= 0;
  if (v.major > t.con.major) return false;
  return !(v.major === t.con.major && v.minor > t.con.minor && !t.minorDirty);
}

function tilde(v: Version, t: Term): boolean {
  if (compareVersions(v, t.con) < 0) return false;
  const { con } = t;
  if (con.major === 0n && con.minor === 0n && con.patch === 0n && !t.minorDirty && !t.patchDirty) return true;
  if (v.major !== con.major) return false;
  return v.minor === con.minor || t.minorDirty;
}

function caret(v: Version, t: Term): boolean {
  if (compareVersions(v, t.con) < 0) return false;
  const { con } = t;
  if (con.major > 0n || t.minorDirty) return v.major === con.major;
  if (v.major > 0n) return false;
  if (con.minor > 0n || t.patchDirty) return v.minor === con.minor;
  if (v.minor > 0n) return false;
  return v.patch === con.patch;
}

/** Whether `v` satisfies the term; pre-release versions only when the term's OR-group allows them. */
export function checkTerm(v: Version, t: Term, includePre: boolean): boolean {
  if (v.prerelease !== '' && !includePre) return false;
  switch (t.op) {
    case '':
    case '=':
      return t.dirty ? tilde(v, t) : compareVersions(v, t.con) === 0;
    case '!=':
      return notEqual(v, t);
    case '>':
      return greaterThan(v, t);
    case '<':
      return compareVersions(v, t.con) < 0;
    case '>=':
    case '=>':
      return compareVersions(v, t.con) >= 0;
    case '<=':
    case '=<':
      return lessThanOrEqual(v, t);
    case '~':
    case '~>':
      return tilde(v, t);
    case '^':
      return caret(v, t);
  }
}
