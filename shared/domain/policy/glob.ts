import { memoize } from '../model/memo.ts';
/**
 * Go `path/filepath.Match` patterns (`*`, `?`, `[...]` with `^` negation and ranges, `\` escapes),
 * compiled to an RE2 expression so matching is linear. Malformed patterns throw.
 */
import { RE2JS } from 're2js';

const hex = (c: string): string => `\\x{${(c.codePointAt(0) ?? 0).toString(16)}}`;

/** Read one class character (escape-aware); returns it and the rest. */
function classChar(s: string, pattern: string): [string, string] {
  let rest = s;
  if (rest === '' || rest[0] === '-' || rest[0] === ']') throw new Error(`malformed glob ${JSON.stringify(pattern)}`);
  if (rest[0] === '\\') {
    rest = rest.slice(1);
    if (rest === '') throw new Error(`malformed glob ${JSON.stringify(pattern)}: trailing backslash`);
  }
  const c = String.fromCodePoint(rest.codePointAt(0) ?? 0);
  rest = rest.slice(c.length);
  if (rest === '') throw new Error(`malformed glob ${JSON.stringify(pattern)}: unterminated [`);
  return [c, rest];
}

/** Translate `[...]` (without the opening bracket); returns the RE2 class and the rest of the pattern. */
function translateClass(s: string, pattern: string): [string, string] {
  let rest = s;
  const negated = rest[0] === '^';
  if (negated) rest = rest.slice(1);
  const ranges: string[] = [];
  let count = 0;
  while (!(rest[0] === ']' && count > 0)) {
    const [lo, afterLo] = classChar(rest, pattern);
    rest = afterLo;
    let hi = lo;
    if (rest[0] === '-') [hi, rest] = classChar(rest.slice(1), pattern);
    count++;
    if ((lo.codePointAt(0) ?? 0) <= (hi.codePointAt(0) ?? 0))
      ranges.push(lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`);
  }
  rest = rest.slice(1);
  if (ranges.length === 0) return [negated ? '[\\x{0}-\\x{10ffff}]' : '[^\\x{0}-\\x{10ffff}]', rest];
  return [`[${negated ? '^' : ''}${ranges.join('')}]`, rest];
}

/** Compile a glob to a full-match predicate. Throws Error on a malformed pattern. */
const globMemo = memoize((pattern: string) => {
  try {
    return { ok: compileGlobUncached(pattern) } as const;
  } catch (e) {
    return { error: e } as const;
  }
}, 2048);

/** Compiles a Go filepath.Match glob (memoized); a malformed one throws the same error each time. */
export function compileGlob(pattern: string): (s: string) => boolean {
  const r = globMemo(pattern);
  if ('error' in r) throw r.error;
  return r.ok;
}

function compileGlobUncached(pattern: string): (s: string) => boolean {
  let re = '';
  let rest = pattern;
  while (rest !== '') {
    const c = String.fromCodePoint(rest.codePointAt(0) ?? 0);
    rest = rest.slice(c.length);
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const [cls, after] = translateClass(rest, pattern);
      re += cls;
      rest = after;
    } else if (c === '\\') {
      if (rest === '') throw new Error(`malformed glob ${JSON.stringify(pattern)}: trailing backslash`);
      const e = String.fromCodePoint(rest.codePointAt(0) ?? 0);
      rest = rest.slice(e.length);
      re += hex(e);
    } else re += hex(c);
  }
  const compiled = RE2JS.compile(re);
  return (s) => compiled.matches(s);
}
