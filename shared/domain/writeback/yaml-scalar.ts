/**
 * How Go's YAML encoder (go-yaml v3, used by the anchor) writes a string scalar: plain when it reads
 * back as a string and the emitter allows it, else single-quoted, else double-quoted; literal block
 * for multi-line strings. Used to make tagflow's files byte-identical to the anchor's.
 */

export type ScalarStyle = 'plain' | 'single' | 'double' | 'literal';

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const BOOLS = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE']);
const SPECIAL_FLOATS = new Set([
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
]);
/** YAML 1.1 booleans go-yaml still quotes (and Helm, on YAML 1.1, reads as booleans). */
const OLD_BOOLS = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'on',
  'On',
  'ON',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'off',
  'Off',
  'OFF',
]);

const GO_INT = /^[+-]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))|(?: \d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?))?$/;

function isTimestamp(s: string): boolean {
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** go-yaml v3's implicit resolution of a plain scalar: does it read back as something else than a string? */
export function resolvesAsNonString(s: string): boolean {
  if (NULLS.has(s) || BOOLS.has(s) || SPECIAL_FLOATS.has(s) || s === '<<') return true;
  const c = s[0]!;
  if (c === '.') return YAML_FLOAT.test(s);
  if (!/[0-9+-]/.test(c)) return false;
  if (/^[0-9]/.test(s) && isTimestamp(s)) return true;
  const plain = s.replace(/_/g, '');
  if (GO_INT.test(plain) || YAML_FLOAT.test(plain)) return true;
  return /^-?0[bB][01]+$/.test(plain) || /^-?0[oO][0-7]+$/.test(plain);
}

export function isOldBool(s: string): boolean {
  return OLD_BOOLS.has(s);
}

const isBreak = (c: string) => c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isBlankOrEnd = (c: string | undefined) => c === undefined || c === ' ' || c === '\t' || isBreak(c);

function isPrintable(c: string): boolean {
  const cp = c.codePointAt(0)!;
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    cp === 0x85 ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** The emitter's analysis (libyaml analyze_scalar) for block context. */
function analyze(s: string): { blockPlain: boolean; single: boolean; block: boolean } {
  if (s === '') return { blockPlain: true, single: true, block: false };
  let blockInd = s.startsWith('---') || s.startsWith('...');
  let lineBreaks = false,
    special = false;
  let leadingSpace = false,
    leadingBreak = false,
    trailingSpace = false,
    trailingBreak = false;
  let breakSpace = false,
    spaceBreak = false,
    prevSpace = false,
    prevBreak = false;
  let precededByWs = true;
  const chars = [...s];
  chars.forEach((c, i) => {
    const first = i === 0;
    const last = i === chars.length - 1;
    const followedByWs = isBlankOrEnd(chars[i + 1]);
    if (first) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockInd = true;
      if ((c === '?' || c === ':' || c === '-') && followedByWs) blockInd = true;
    } else if ((c === ':' && followedByWs) || (c === '#' && precededByWs)) {
      blockInd = true;
    }
    if (!isPrintable(c)) special = true;
    if (isBreak(c)) lineBreaks = true;
    if (c === ' ') {
      if (first) leadingSpace = true;
      if (last) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreak(c)) {
      if (first) leadingBreak = true;
      if (last) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevBreak = true;
      prevSpace = false;
    } else {
      prevSpace = prevBreak = false;
    }
    precededByWs = isBlankOrEnd(c);
  });
  let blockPlain = !(
    leadingSpace ||
    leadingBreak ||
    trailingSpace ||
    trailingBreak ||
    breakSpace ||
    lineBreaks ||
    blockInd
  );
  let single = !breakSpace;
  let block = !trailingSpace;
  if (spaceBreak || special) blockPlain = single = block = false;
  return { blockPlain, single, block };
}

/** The style go-yaml v3 picks for a string mapping value in block context. */
export function goYamlScalarStyle(s: string): ScalarStyle {
  const a = analyze(s);
  if (s.includes('\n')) return a.block ? 'literal' : 'double';
  if (resolvesAsNonString(s) || BASE60_FLOAT.test(s) || isOldBool(s)) return 'double';
  if (a.blockPlain) return 'plain';
  return a.single ? 'single' : 'double';
}

function doubleQuote(s: string): string {
  let out = '"';
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    const esc: Record<string, string> = {
      '\0': '\\0',
      '\x07': '\\a',
      '\b': '\\b',
      '\t': '\\t',
      '\n': '\\n',
      '\v': '\\v',
      '\f': '\\f',
      '\r': '\\r',
      '\x1b': '\\e',
      '"': '\\"',
      '\\': '\\\\',
      '\u0085': '\\N',
      '\u00a0': '\\_',
      '\u2028': '\\L',
      '\u2029': '\\P',
    };
    if (esc[c] !== undefined) out += esc[c];
    else if (isPrintable(c) && cp !== 0xfeff) out += c;
    else if (cp <= 0xff) out += `\\x${cp.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).toUpperCase().padStart(8, '0')}`;
  }
  return out + '"';
}

/** A single-line rendering of a string value as go-yaml writes it (multi-line strings are double-quoted here). */
export function formatGoYamlScalar(s: string): string {
  const style = goYamlScalarStyle(s);
  if (style === 'plain') return s;
  if (style === 'single') return `'${s.replace(/'/g, "''")}'`;
  return doubleQuote(s);
}
