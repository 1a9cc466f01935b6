/**
 * The ImageUpdater status after a cycle (reference §2.4): counts, lastCheckedAt always,
 * lastUpdatedAt and recentUpdates only when something was updated (else the previous ones stay),
 * and the Ready / Reconciling / Error conditions with the anchor's reasons and messages.
 */
import { setCondition, type ConditionInput } from './conditions.ts';
import type { Condition, ImageUpdaterStatus, RecentUpdate } from './status-schema.ts';

export interface CycleUpdate {
  /** The image alias (or the image name for un-aliased images). */
  alias: string;
  /** registry/repo without tag. */
  image: string;
  oldVersion: string;
  newVersion: string;
  at: Date;
}

export interface CycleOutcome {
  observedGeneration: number;
  now: Date;
  applicationsMatched: number;
  imagesManaged: number;
  errors: number;
  /** Set when the whole reconcile failed. */
  fatalError: string | null;
  updates: readonly CycleUpdate[];
}

/** metav1.Time: RFC 3339, UTC, whole seconds. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Updates of one cycle grouped by (alias, newVersion), in order of first appearance. */
export function aggregateUpdates(updates: readonly CycleUpdate[]): RecentUpdate[] {
  const groups = new Map<string, { first: CycleUpdate; count: number; latest: Date }>();
  for (const u of updates) {
    const key = JSON.stringify([u.alias, u.newVersion]);
    const g = groups.get(key);
    if (!g) groups.set(key, { first: u, count: 1, latest: u.at });
    else {
      g.count++;
      if (u.at.getTime() > g.latest.getTime()) g.latest = u.at;
    }
  }
  return [...groups.values()].map(({ first, count, latest }) => ({
    alias: first.alias,
    image: first.image,
    newVersion: first.newVersion,
    applicationsUpdated: count,
    updatedAt: formatTime(latest),
    message: `Updated from ${first.oldVersion} to ${first.newVersion}.`,
  }));
}

function outcomeConditions(o: CycleOutcome): ConditionInput[] {
  const g = { observedGeneration: o.observedGeneration };
  const u = o.updates.length;
  const reconciling: ConditionInput = {
    type: 'Reconciling',
    status: 'False',
    reason: 'Idle',
    message: 'Last check completed. Awaiting next cycle.',
    ...g,
  };
  if (o.fatalError !== null) {
    return [
      reconciling,
      { type: 'Error', status: 'True', reason: 'ReconcileError', message: o.fatalError, ...g },
      {
        type: 'Ready',
        status: 'False',
        reason: 'ReconcileFailed',
        message: `Reconciliation failed: ${o.fatalError}`,
        ...g,
      },
    ];
  }
  if (o.errors > 0) {
    return [
      reconciling,
      {
        type: 'Error',
        status: 'True',
        reason: 'PartialErrors',
        message: `${o.errors} error(s) occurred during image update checks.`,
        ...g,
      },
      {
        type: 'Ready',
        status: 'True',
        reason: 'ReconcileCompletedWithErrors',
        message: `Reconciled ${o.applicationsMatched} applications with ${o.errors} errors, ${u} images updated.`,
        ...g,
      },
    ];
  }
  return [
    reconciling,
    { type: 'Error', status: 'False', reason: 'NoErrors', message: 'No errors during last reconciliation.', ...g },
    {
      type: 'Ready',
      status: 'True',
      reason: 'ReconcileSucceeded',
      message: `Reconciled ${o.applicationsMatched} applications, ${u} images updated.`,
      ...g,
    },
  ];
}

/** The status to write when a cycle starts: Reconciling=True, everything else as it was. */
export function reconcilingStatus(
  previous: ImageUpdaterStatus | undefined,
  observedGeneration: number,
  now: Date,
): ImageUpdaterStatus {
  const conditions = setCondition(
    previous?.conditions ?? [],
    {
      type: 'Reconciling',
      status: 'True',
      reason: 'Reconciling',
      message: 'Image update check in progress.',
      observedGeneration,
    },
    formatTime(now),
  );
  return { ...previous, conditions };
}

/** The status to write when a cycle ends. */
export function nextStatus(previous: ImageUpdaterStatus | undefined, outcome: CycleOutcome): ImageUpdaterStatus {
  const now = formatTime(outcome.now);
  let conditions: Condition[] = previous?.conditions ?? [];
  for (const c of outcomeConditions(outcome)) conditions = setCondition(conditions, c, now);
  const updated = outcome.updates.length > 0;
  const lastUpdatedAt = updated ? now : previous?.lastUpdatedAt;
  const recentUpdates = updated ? aggregateUpdates(outcome.updates) : previous?.recentUpdates;
  return {
    observedGeneration: outcome.observedGeneration,
    lastCheckedAt: now,
    ...(lastUpdatedAt !== undefined ? { lastUpdatedAt } : {}),
    applicationsMatched: outcome.applicationsMatched,
    imagesManaged: outcome.imagesManaged,
    ...(recentUpdates !== undefined ? { recentUpdates } : {}),
    conditions,
  };
}
