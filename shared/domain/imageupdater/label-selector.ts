/**
 * metav1.LabelSelector matching (matchLabels AND matchExpressions with In / NotIn / Exists /
 * DoesNotExist), validated like apimachinery's LabelSelectorAsSelector: label keys are qualified
 * names, values are label values, In/NotIn need values and Exists/DoesNotExist take none. An
 * invalid selector matches nothing; an absent one (nil) matches everything, as does `{}`.
 */
import type { LabelSelector } from './schema.ts';

export interface CompiledLabelSelector {
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** Set when the selector is invalid (it then matches nothing); path is relative to the selector. */
  error?: { path: string; detail: string };
}

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
type Operator = (typeof OPERATORS)[number];

/** Why `key` is not a qualified name (`[prefix/]name`), or null. */
export function labelKeyProblem(key: string): string | null {
  const slash = key.indexOf('/');
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (slash !== -1) {
    const prefix = key.slice(0, slash);
    if (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))
      return `"${key}" is not a valid label key: the prefix must be a DNS subdomain`;
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return `"${key}" is not a valid label key: the name must be 1..63 characters, alphanumeric, '-', '_' or '.', starting and ending alphanumeric`;
  }
  return null;
}

/** Why `value` is not a label value, or null ('' is valid). */
export function labelValueProblem(value: string): string | null {
  if (value === '') return null;
  if (value.length > 63 || !NAME.test(value))
    return `"${value}" is not a valid label value: at most 63 characters, alphanumeric, '-', '_' or '.', starting and ending alphanumeric`;
  return null;
}

type Requirement = { key: string; op: Operator; values: string[] };

const matchNothing = (path: string, detail: string): CompiledLabelSelector => ({
  matches: () => false,
  error: { path, detail },
});

function check(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.op) {
    case 'In':
      return has && r.values.includes(labels[r.key]!);
    case 'NotIn':
      return !has || !r.values.includes(labels[r.key]!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

export function compileLabelSelector(selector: LabelSelector | undefined): CompiledLabelSelector {
  if (selector === undefined) return { matches: () => true };
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    const bad = labelKeyProblem(key) ?? labelValueProblem(value);
    if (bad) return matchNothing(`matchLabels.${key}`, bad);
    requirements.push({ key, op: 'In', values: [value] });
  }
  for (const [i, e] of (selector.matchExpressions ?? []).entries()) {
    const at = `matchExpressions[${i}]`;
    const keyBad = labelKeyProblem(e.key);
    if (keyBad) return matchNothing(`${at}.key`, keyBad);
    if (!(OPERATORS as readonly string[]).includes(e.operator))
      return matchNothing(
        `${at}.operator`,
        `"${e.operator}" is not a valid label selector operator (${OPERATORS.join(', ')})`,
      );
    const op = e.operator as Operator;
    const values = e.values ?? [];
    if ((op === 'In' || op === 'NotIn') && values.length === 0)
      return matchNothing(`${at}.values`, `must be non-empty for operator ${op}`);
    if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0)
      return matchNothing(`${at}.values`, `must be empty for operator ${op}`);
    for (const [j, v] of values.entries()) {
      const bad = labelValueProblem(v);
      if (bad) return matchNothing(`${at}.values[${j}]`, bad);
    }
    requirements.push({ key: e.key, op, values });
  }
  return { matches: (labels) => requirements.every((r) => check(r, labels ?? {})) };
}
