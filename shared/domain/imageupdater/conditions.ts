/**
 * metav1.Condition bookkeeping as apimachinery's meta.SetStatusCondition does it: a new condition
 * is appended; an existing one takes the new reason, message and observedGeneration, and its
 * lastTransitionTime changes only when its status changes. Order is kept.
 */
import type { Condition } from './status-schema.ts';

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

export function setCondition(conditions: readonly Condition[], next: ConditionInput, now: string): Condition[] {
  const i = conditions.findIndex((c) => c.type === next.type);
  if (i === -1) return [...conditions, { ...next, lastTransitionTime: now }];
  const old = conditions[i]!;
  const updated: Condition = { ...next, lastTransitionTime: old.status === next.status ? old.lastTransitionTime : now };
  return conditions.map((c, j) => (j === i ? updated : c));
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
