/**
 * Every Redis key tagflow uses beside the BullMQ queues, named in one place. Lua scripts get their
 * keys from here (as KEYS), never by building names themselves. Per-cycle and per-app state lives in
 * fields of a few fixed hashes (`<cycle>\n<app>`), so every script's keys are known before it runs.
 */
export const FIELD_SEP = '\n';

export class Keys {
  constructor(readonly prefix: string) {}

  /** A key of its own, for the stores that are not part of the fleet engine (audit, events). */
  raw(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  // The fleet index: what the control plane watchers know about every tracked Application.
  get idxApps(): string {
    return this.raw('idx', 'apps');
  }
  get idxEntries(): string {
    return this.raw('idx', 'entry');
  }
  get idxHashes(): string {
    return this.raw('idx', 'hash');
  }
  get idxAppRepos(): string {
    return this.raw('idx', 'app-repos');
  }
  get idxRepos(): string {
    return this.raw('idx', 'repos');
  }
  /** Repositories some app polls with manifest metadata. */
  get idxRepoMeta(): string {
    return this.raw('idx', 'repo-meta');
  }
  idxCpApps(cp: string): string {
    return this.raw('idx', 'cp-apps', cp);
  }
  idxRepoApps(repoKey: string): string {
    return this.raw('idx', 'repo-apps', repoKey);
  }
  /** Apps whose spec or configuration changed since their last check. */
  get dirty(): string {
    return this.raw('dirty');
  }
  /** Control plane discovery status (cp → JSON). */
  get cpStatus(): string {
    return this.raw('cp-status');
  }

  // Results of the last check of every app, and their running sums.
  get results(): string {
    return this.raw('res', 'app');
  }
  get totals(): string {
    return this.raw('res', 'totals');
  }
  get failed(): string {
    return this.raw('res', 'failed');
  }
  get evalSeq(): string {
    return this.raw('res', 'seq');
  }

  // Tag snapshots.
  snapshot(repoKey: string): string {
    return this.raw('snap', repoKey);
  }
  get snapHashes(): string {
    return this.raw('snap-hash');
  }
  get digestMeta(): string {
    return this.raw('digest-meta');
  }

  // Cycles.
  get cycles(): string {
    return this.raw('cyc');
  }
  get cycleStart(): string {
    return this.raw('cyc-start');
  }
  get cycleApps(): string {
    return this.raw('cyc-app');
  }
  get cycleRepoApps(): string {
    return this.raw('cyc-repo');
  }
  get cycleBatches(): string {
    return this.raw('cyc-batch');
  }
  get cyclesActive(): string {
    return this.raw('cyc-active');
  }
  get cyclesDone(): string {
    return this.raw('cyc-done');
  }
  get repoWaiters(): string {
    return this.raw('repo-waiters');
  }
  get appCycles(): string {
    return this.raw('app-cycles');
  }
  /** Pub/sub channel of finished cycle ids (not a key). */
  get cycleDoneChannel(): string {
    return this.raw('cycle-done');
  }
  get lastFullResync(): string {
    return this.raw('last-full-resync');
  }

  // Idempotency of multi-step jobs: a step's result, kept a day.
  get steps(): string {
    return this.raw('steps');
  }
  get stepsAt(): string {
    return this.raw('steps-at');
  }

  // Write-back plans.
  plans(group: string): string {
    return this.raw('plans', group);
  }
  get planCycles(): string {
    return this.raw('plan-cycles');
  }
  get plansWritten(): string {
    return this.raw('plans-written');
  }
  get planGroups(): string {
    return this.raw('plan-groups');
  }

  // Registry request budgets.
  budget(registry: string): string {
    return this.raw('budget', registry);
  }
  /** Per process: how many of its jobs wait for the registry's budget, until when. */
  budgetWaiting(registry: string): string {
    return this.raw('budget-waiting', registry);
  }
  /** Every registry with a budget (for `tagflow queues`). */
  get budgets(): string {
    return this.raw('budgets');
  }

  // Coordination.
  lease(name: string): string {
    return this.raw('lease', name);
  }

  // ImageUpdater status bookkeeping.
  updaterUpdates(updater: string): string {
    return this.raw('updater-updates', updater);
  }

  // Audit trail and events.
  get audit(): string {
    return this.raw('audit');
  }
  auditApp(app: string): string {
    return this.raw('audit-app', app);
  }
  eventSent(id: string): string {
    return this.raw('event-sent', id);
  }
}

/** `<a>\n<b>`: a composite hash field. */
export function field(...parts: string[]): string {
  return parts.join(FIELD_SEP);
}
