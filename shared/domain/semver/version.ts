import { memoize } from '../model/memo.ts';
/**
 * Versions as Masterminds/semver v3 parses them (its default, coercing NewVersion): an optional `v`,
 * one to three numeric parts (missing ones are 0, leading zeros allowed), an optional pre-release and
 * build metadata. Pre-release precedence is delegated to the `semver` package.
 */
import { parse, type SemVer } from 'semver';

export interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  /** Dot-separated pre-release identifiers without the leading '-'; '' for a release. */
  prerelease: string;
  build: string;
  /** The string the version was parsed from (a tag keeps its `v` prefix). */
  original: string;
  /** `0.0.0-<prerelease>` as a semver-package object, used to compare pre-releases. */
  readonly pre: SemVer | null;
}

const VERSION_RE =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;
const MAX_UINT64 = (1n << 64n) - 1n;

function part(s: string | undefined): bigint | null {
  if (s === undefined) return 0n;
  const n = BigInt(s.startsWith('.') ? s.slice(1) : s);
  return n > MAX_UINT64 ? null : n;
}

/** Numeric pre-release identifiers may not have leading zeros. */
function validPrerelease(pre: string): boolean {
  return pre.split('.').every((id) => !/^[0-9]+$/.test(id) || id === '0' || !id.startsWith('0'));
}

/** Parse a tag as a version; null when it is not one (such tags are silently skipped by the semver strategy). */
const parseVersionMemo = memoize(parseVersionUncached, 16_384);

/** A version of Masterminds semver's grammar, or null (memoized: tag names repeat across a fleet). */
export function parseVersion(s: string): Version | null {
  return parseVersionMemo(s);
}

function parseVersionUncached(s: string): Version | null {
  const m = VERSION_RE.exec(s);
  if (!m) return null;
  const major = part(m[1]);
  const minor = part(m[2]);
  const patch = part(m[3]);
  if (major === null || minor === null || patch === null) return null;
  const prerelease = m[4] ?? '';
  if (prerelease && !validPrerelease(prerelease)) return null;
  const pre = prerelease ? parse(`0.0.0-${prerelease}`) : null;
  if (prerelease && !pre) return null;
  return { major, minor, patch, prerelease, build: m[5] ?? '', original: s, pre };
}

/** A version built from a normalised string known to be valid (used for constraint bounds). */
export function mustParseVersion(s: string): Version {
  const v = parseVersion(s);
  if (!v) throw new Error(`not a version: ${s}`);
  return v;
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compare two pre-release strings ('' = release, which sorts higher). */
export function comparePrerelease(a: SemVer | null, b: SemVer | null): number {
  if (!a && !b) return 0;
  if (!a) return 1;
  if (!b) return -1;
  return a.comparePre(b);
}

/** Semver precedence: numeric parts, then release > pre-release, then pre-release identifiers. Build metadata is ignored. */
export function compareVersions(a: Version, b: Version): number {
  return cmp(a.major, b.major) || cmp(a.minor, b.minor) || cmp(a.patch, b.patch) || comparePrerelease(a.pre, b.pre);
}

/** Byte-wise string order (Go's `<` on strings), by code point. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const d = (x.value.codePointAt(0) ?? 0) - (y.value.codePointAt(0) ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
}

/** Ascending by precedence; equal precedence (`1.2` vs `1.2.0`, `v1` vs `1`) ordered by the original string. */
export function compareVersionsForSort(a: Version, b: Version): number {
  return compareVersions(a, b) || compareStrings(a.original, b.original);
}
