/**
 * allow-tags and ignore-tags. Both use linear-time engines (re2js for `regexp:`, globs compiled to RE2),
 * so a hostile pattern cannot stall selection. An invalid value matches nothing, like the anchor, but the
 * matcher also carries a PolicyError so callers can report it.
 */
import { RE2JS } from 're2js';
import { compileGlob } from './glob.ts';
import { memoize } from '../model/memo.ts';
import { PolicyError } from '../model/policy-error.ts';

export interface TagMatcher {
  match(tag: string): boolean;
  /** Set when the value was invalid; match() then rejects every tag. */
  error?: PolicyError;
}

const matchAll: TagMatcher = { match: () => true };

const allowMemo = memoize((key: string) => {
  const nl = key.indexOf('\n');
  return allowTagsMatcherUncached(key.slice(nl + 1), key.slice(0, nl));
}, 2048);

/** `regexp:<RE2>` (prefix case-insensitive, unanchored), `any`, or unset/empty = every tag (memoized). */
export function allowTagsMatcher(value: string | undefined, field = 'allow-tags'): TagMatcher {
  return allowMemo(`${field}\n${value ?? ''}`);
}

function allowTagsMatcherUncached(value: string | undefined, field: string): TagMatcher {
  const v = (value ?? '').trim();
  if (v === '' || v.toLowerCase() === 'any') return matchAll;
  const fail = (detail: string): TagMatcher => ({ match: () => false, error: new PolicyError(field, v, detail) });
  const colon = v.indexOf(':');
  if (colon === -1) return fail('expected "regexp:<expression>" or "any"');
  const fn = v.slice(0, colon).toLowerCase();
  if (fn !== 'regexp')
    return fail(`unknown match function "${v.slice(0, colon)}" (expected "regexp:<expression>" or "any")`);
  try {
    const re = RE2JS.compile(v.slice(colon + 1));
    return { match: (tag) => re.test(tag) };
  } catch (e) {
    return fail(`not a valid RE2 regular expression: ${(e as Error).message}`);
  }
}

/** Split a comma-separated ignore-tags value into trimmed, non-empty globs. */
export function splitIgnoreTags(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export interface IgnoreMatcher {
  isIgnored(tag: string): boolean;
  /** The first malformed glob; malformed globs ignore nothing (the anchor's behaviour). */
  error?: PolicyError;
}

/** Glob patterns (Go filepath.Match syntax); a tag matching any of them is ignored. */
export function ignoreTagsMatcher(globs: readonly string[], field = 'ignore-tags'): IgnoreMatcher {
  const matchers: ((s: string) => boolean)[] = [];
  let error: PolicyError | undefined;
  for (const glob of globs) {
    try {
      matchers.push(compileGlob(glob));
    } catch (e) {
      error ??= new PolicyError(field, glob, (e as Error).message);
    }
  }
  return { isIgnored: (tag) => matchers.some((m) => m(tag)), ...(error ? { error } : {}) };
}
