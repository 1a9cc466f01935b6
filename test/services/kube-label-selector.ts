/**
 * Label and field selectors with the grammar of k8s.io/apimachinery `labels.Parse`:
 * `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`, `a>1`, `a<1`, comma-separated (AND).
 */
import { badRequest } from './kube-status.ts';

type Op = 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';
export interface Requirement {
  key: string;
  op: Op;
  values: string[];
}
export type Selector = (labels: Record<string, string> | undefined) => boolean;

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return NAME.test(key);
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && PREFIX.test(prefix) && NAME.test(key.slice(slash + 1));
}

function validValue(v: string): boolean {
  return v === '' || NAME.test(v);
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function parseRequirement(raw: string, selector: string): Requirement {
  const text = raw.trim();
  const fail = () => badRequest(`unable to parse requirement: invalid label selector "${selector}"`);
  let m = /^!\s*(\S+)$/.exec(text);
  if (m) return check({ key: m[1]!, op: '!exists', values: [] }, fail);
  m = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(text);
  if (m) {
    const values = m[3]!.split(',').map((v) => v.trim());
    return check({ key: m[1]!, op: m[2] as Op, values }, fail);
  }
  m = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*([^=!<>\s]*)$/.exec(text);
  if (m) {
    const op: Op = m[2] === '!=' ? '!=' : m[2] === '>' ? 'gt' : m[2] === '<' ? 'lt' : '=';
    return check({ key: m[1]!, op, values: [m[3]!] }, fail);
  }
  m = /^([^=!<>\s(),]+)$/.exec(text);
  if (m) return check({ key: m[1]!, op: 'exists', values: [] }, fail);
  throw fail();
}

function check(r: Requirement, fail: () => Error): Requirement {
  if (!validKey(r.key) || !r.values.every(validValue)) throw fail();
  if ((r.op === 'gt' || r.op === 'lt') && !/^-?\d+$/.test(r.values[0] ?? '')) throw fail();
  return r;
}

export function parseLabelSelector(selector: string | null | undefined): Requirement[] {
  if (!selector || selector.trim() === '') return [];
  return splitTopLevel(selector).map((part) => parseRequirement(part, selector));
}

export function matches(requirements: readonly Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return requirements.every(({ key, op, values }) => {
    const has = Object.hasOwn(l, key);
    const v = l[key];
    switch (op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case '=':
      case 'in':
        return has && values.includes(v!);
      case '!=':
      case 'notin':
        return !has || !values.includes(v!);
      case 'gt':
        return has && /^-?\d+$/.test(v!) && Number(v) > Number(values[0]);
      case 'lt':
        return has && /^-?\d+$/.test(v!) && Number(v) < Number(values[0]);
    }
  });
}

export function labelSelector(selector: string | null | undefined): Selector {
  const reqs = parseLabelSelector(selector);
  return (labels) => matches(reqs, labels);
}

/**
 * Field selectors: `metadata.name` and `metadata.namespace` for every type (all a custom resource
 * has), plus the type's own `extra` fields (see kube-fields.ts).
 */
export function fieldSelector<T extends { metadata: { name?: string; namespace?: string } }>(
  selector: string | null | undefined,
  extra: Record<string, (obj: T) => string | undefined> = {},
): (obj: T) => boolean {
  if (!selector || selector.trim() === '') return () => true;
  const reqs = selector.split(',').map((part) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(\S*)\s*$/.exec(part);
    if (!m) throw badRequest(`invalid field selector: "${selector}"`);
    const field = m[1]!;
    const get: ((obj: T) => string | undefined) | undefined =
      field === 'metadata.name'
        ? (o) => o.metadata.name
        : field === 'metadata.namespace'
          ? (o) => o.metadata.namespace
          : extra[field];
    if (!get) throw badRequest(`field label not supported: ${field}`);
    return { get, negate: m[2] === '!=', value: m[3]! };
  });
  return (obj) => reqs.every(({ get, negate, value }) => ((get(obj) ?? '') === value) !== negate);
}
