/**
 * Version constraints with Masterminds/semver v3 semantics (not node-semver's): `||` separates
 * OR-groups; inside a group `,` or whitespace means AND; operators = != > < >= => <= =< ~ ~> ^ or none;
 * x/X/* wildcards; hyphen ranges; a `v` prefix; partial versions. A pre-release version only satisfies
 * an OR-group that itself mentions a pre-release. The grammar is matched with re2js (Go's regexp
 * semantics, linear time), so a hostile constraint cannot stall the parser.
 */
import { RE2JS } from 're2js';
import { memoize } from '../model/memo.ts';
import { PolicyError } from '../model/policy-error.ts';
import { checkTerm, type Op, type Term } from './constraint-ops.ts';
import { mustParseVersion, type Version } from './version.ts';

export interface Constraint {
  /** Whether the version satisfies any OR-group. */
  check(v: Version): boolean;
  /** The constraint as written ('' was normalised to '*'). */
  readonly source: string;
}

const CV = String.raw`v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?`;
const OPS = String.raw`=||!=|>|<|>=|=>|<=|=<|~|~>|\^`;
const TERM_RE = RE2JS.compile(String.raw`^\s*(${OPS})\s*(${CV})\s*$`);
const RANGE_RE = RE2JS.compile(String.raw`\s*(${CV})\s+-\s+(${CV})\s*`);
const FIND_RE = RE2JS.compile(String.raw`(${OPS})\s*(${CV})`);
const GROUP_RE = RE2JS.compile(String.raw`^(\s*(${OPS})\s*(${CV})\s*)((?:\s+|,\s*)(${OPS})\s*(${CV})\s*)*$`);
const MAX_LENGTH = 1024;

function findAll(re: RE2JS, s: string): string[][] {
  const out: string[][] = [];
  const m = re.matcher(s);
  while (m.find()) {
    const groups: string[] = [];
    for (let i = 0; i <= m.groupCount(); i++) groups.push(m.group(i) ?? '');
    out.push(groups);
  }
  return out;
}

/** `1.2 - 3` → `>= 1.2, <= 3 ` (the library's textual rewrite). */
function rewriteRanges(s: string): string {
  let out = s;
  for (const g of findAll(RANGE_RE, s)) {
    out = out.replace(g[0] ?? '', () => `>= ${g[1]}, <= ${g[11]} `);
  }
  return out;
}

const isX = (s: string): boolean => s === 'x' || s === 'X' || s === '*';

function parseTerm(text: string, fail: (detail: string) => never): Term {
  const m = TERM_RE.matcher(text);
  if (!m.find()) fail(`improper constraint: ${text}`);
  const g = (i: number): string => m.group(i) ?? '';
  const [op, major, minor, patch, pre] = [g(1) as Op, g(3), g(4), g(5), g(6)];
  let bound = g(2);
  let dirty = false;
  let minorDirty = false;
  let patchDirty = false;
  if (isX(major)) {
    bound = `0.0.0${pre}`;
    dirty = true;
  } else if (minor === '' || isX(minor.slice(1))) {
    bound = `${major}.0.0${pre}`;
    dirty = minorDirty = true;
  } else if (patch === '' || isX(patch.slice(1))) {
    bound = `${major}${minor}.0${pre}`;
    dirty = patchDirty = true;
  }
  let con: Version;
  try {
    con = mustParseVersion(bound);
  } catch {
    fail(`improper constraint: ${text}`);
  }
  return { op, con, orig: g(2), dirty, minorDirty, patchDirty };
}

/**
 * Parse a constraint. '' (or only whitespace) means `*`: any release, no pre-releases.
 * Throws PolicyError (field `constraint` unless another is given) on invalid input.
 */
const constraintMemo = memoize((key: string) => {
  const nl = key.indexOf('\n');
  try {
    return { ok: parseConstraintUncached(key.slice(nl + 1), key.slice(0, nl)) } as const;
  } catch (e) {
    return { error: e } as const;
  }
}, 2048);

/** Parses a constraint (memoized per text and field; a bad one throws the same PolicyError each time). */
export function parseConstraint(input: string, field = 'constraint'): Constraint {
  const r = constraintMemo(`${field}\n${input}`);
  if ('error' in r) throw r.error;
  return r.ok;
}

function parseConstraintUncached(input: string, field: string): Constraint {
  const fail = (detail: string): never => {
    throw new PolicyError(field, input, detail);
  };
  if (input.length > MAX_LENGTH) fail(`longer than ${MAX_LENGTH} characters`);
  const source = input.trim() === '' ? '*' : input;
  const groups: Term[][] = [];
  for (const group of rewriteRanges(source).split('||')) {
    if (!GROUP_RE.test(group)) fail(`improper constraint: ${group.trim() || '(empty)'}`);
    const texts = findAll(FIND_RE, group).map((g) => g[0] ?? '');
    groups.push((texts.length > 0 ? texts : [group]).map((t) => parseTerm(t, fail)));
  }
  const includePre = groups.map((terms) => terms.some((t) => t.con.prerelease !== ''));
  return {
    source,
    check: (v) => groups.some((terms, i) => terms.every((t) => checkTerm(v, t, includePre[i] ?? false))),
  };
}

/** A constraint that accepts every release (what an empty constraint means). */
export const ANY_RELEASE: Constraint = parseConstraint('*');
