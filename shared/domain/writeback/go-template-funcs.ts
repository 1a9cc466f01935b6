/**
 * Values and builtin functions of the Go `text/template` subset (and, or, not, len, index, slice,
 * eq, ne, lt, le, gt, ge, print, printf, println), following Go's semantics for the value kinds
 * tagflow passes in (strings, numbers, booleans, slices, string maps, structs).
 */

export class TemplateExecError extends Error {}

/** Go's "invalid value" (e.g. a missing map key): prints as `<no value>`, is false. */
export const NO_VALUE = undefined;

type Value = unknown;

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function fail(msg: string): never {
  throw new TemplateExecError(msg);
}

export function isTrue(v: Value): boolean {
  if (v === null || v === NO_VALUE || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

/** fmt `%v` formatting of a template value. */
export function formatValue(v: Value): string {
  if (v === NO_VALUE) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`;
  if (v instanceof Map)
    return `map[${[...v.keys()]
      .sort()
      .map((k) => `${formatValue(k)}:${formatValue(v.get(k))}`)
      .join(' ')}]`;
  return `{${Object.values(v as object)
    .map(formatValue)
    .join(' ')}}`;
}

function arity(name: string, args: Value[], min: number, max = min): void {
  if (args.length < min || args.length > max)
    fail(`wrong number of args for ${name}: want ${min === max ? min : `${min}-${max}`} got ${args.length}`);
}

function basicKind(v: Value): 'string' | 'number' | 'boolean' | 'nil' {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    return typeof v as 'string' | 'number' | 'boolean';
  if (v === null) return 'nil';
  return fail(`invalid type for comparison: ${formatValue(v)}`);
}

function equal(a: Value, b: Value): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) fail('incompatible types for comparison');
  return a === b;
}

function less(name: string, a: Value, b: Value): boolean {
  const ka = basicKind(a);
  if (ka !== basicKind(b) || (ka !== 'string' && ka !== 'number')) fail(`invalid types for ${name}`);
  return (a as string | number) < (b as string | number);
}

function toIndex(v: Value, len: number, allowEnd = false): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(`cannot index slice/array with type ${typeof v}`);
  if (v < 0 || v > len || (!allowEnd && v === len)) fail(`index out of range: ${v}`);
  return v;
}

function index(item: Value, ...keys: Value[]): Value {
  let cur = item;
  for (const k of keys) {
    if (cur === null || cur === NO_VALUE) fail('index of untyped nil');
    if (Array.isArray(cur)) cur = cur[toIndex(k, cur.length)];
    else if (typeof cur === 'string') cur = utf8(cur)[toIndex(k, utf8(cur).length)];
    else if (cur instanceof Map) cur = cur.has(k) ? cur.get(k) : '';
    else fail(`can't index item of type ${typeof cur}`);
  }
  return cur;
}

function slice(item: Value, ...bounds: Value[]): Value {
  if (bounds.length > 2) fail('too many slice indexes');
  if (typeof item !== 'string' && !Array.isArray(item)) fail(`can't slice item of type ${typeof item}`);
  const len = item.length;
  const from = bounds[0] === undefined ? 0 : toIndex(bounds[0], len, true);
  const to = bounds[1] === undefined ? len : toIndex(bounds[1], len, true);
  if (from > to) fail(`invalid slice index: ${from} > ${to}`);
  return item.slice(from, to);
}

function sprint(args: Value[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a);
  });
  return out;
}

function sprintf(format: Value, args: Value[]): string {
  if (typeof format !== 'string') fail('printf: format must be a string');
  let n = 0;
  const out = format.replace(
    /%([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])/g,
    (_m, flags: string, width: string, prec: string | undefined, verb: string) => {
      if (verb === '%') return '%';
      if (n >= args.length) return `%!${verb}(MISSING)`;
      const a = args[n++];
      let s: string;
      switch (verb) {
        case 'v':
        case 's':
          s = formatValue(a);
          break;
        case 'd':
          s = typeof a === 'number' ? String(Math.trunc(a)) : `%!d(${formatValue(a)})`;
          break;
        case 'q':
          s = JSON.stringify(formatValue(a));
          break;
        case 't':
          s = typeof a === 'boolean' ? String(a) : `%!t(${formatValue(a)})`;
          break;
        case 'x':
        case 'X': {
          s =
            typeof a === 'number'
              ? a.toString(16)
              : Array.from(utf8(formatValue(a)), (b) => b.toString(16).padStart(2, '0')).join('');
          if (verb === 'X') s = s.toUpperCase();
          break;
        }
        default:
          s = `%!${verb}(${formatValue(a)})`;
      }
      if (prec !== undefined && (verb === 's' || verb === 'v')) s = s.slice(0, Number(prec));
      const w = Number(width || 0);
      if (s.length < w)
        s = flags.includes('-') ? s.padEnd(w) : s.padStart(w, flags.includes('0') && verb === 'd' ? '0' : ' ');
      return s;
    },
  );
  return n < args.length ? `${out}%!(EXTRA ${args.slice(n).map(formatValue).join(', ')})` : out;
}

export function callFunction(name: string, args: Value[]): Value {
  switch (name) {
    case 'and':
      arity(name, args, 1, Infinity);
      return args.find((a) => !isTrue(a)) ?? args[args.length - 1];
    case 'or':
      arity(name, args, 1, Infinity);
      return args.find((a) => isTrue(a)) ?? args[args.length - 1];
    case 'not':
      arity(name, args, 1);
      return !isTrue(args[0]);
    case 'len': {
      arity(name, args, 1);
      const a = args[0];
      if (typeof a === 'string') return utf8(a).length;
      if (Array.isArray(a)) return a.length;
      if (a instanceof Map) return a.size;
      return fail(`len of type ${typeof a}`);
    }
    case 'index':
      arity(name, args, 1, Infinity);
      return index(args[0], ...args.slice(1));
    case 'slice':
      arity(name, args, 1, 3);
      return slice(args[0], ...args.slice(1));
    case 'eq':
      arity(name, args, 2, Infinity);
      return args.slice(1).some((b) => equal(args[0], b));
    case 'ne':
      arity(name, args, 2);
      return !equal(args[0], args[1]);
    case 'lt':
      arity(name, args, 2);
      return less(name, args[0], args[1]);
    case 'le':
      arity(name, args, 2);
      return less(name, args[0], args[1]) || equal(args[0], args[1]);
    case 'gt':
      arity(name, args, 2);
      return !less(name, args[0], args[1]) && !equal(args[0], args[1]);
    case 'ge':
      arity(name, args, 2);
      return !less(name, args[0], args[1]);
    case 'print':
      return sprint(args);
    case 'println':
      return args.map(formatValue).join(' ') + '\n';
    case 'printf':
      arity(name, args, 1, Infinity);
      return sprintf(args[0], args.slice(1));
    default:
      return fail(`function "${name}" not defined`);
  }
}
