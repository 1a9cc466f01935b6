import { createHash } from 'node:crypto';
import type { JobContext, JobHandler } from '../../shared/jobs/job-context.ts';
import type { PollTarget } from '../../shared/domain/fleet/index-entry.ts';
import type { TagRecord, TagSnapshot } from '../../shared/domain/model/tags.ts';
import { describeError } from '../../shared/errors.ts';
import type { CycleReporter } from '../../shared/jobs/cycle-report.ts';
import { enqueueChecks, enqueueCommit } from '../../shared/jobs/enqueue.ts';
import { CommitJobSchema, type PollJob } from '../../shared/jobs/payloads.ts';
import type { CycleLedger, PollOutcome } from '../../shared/ports/cycle-ledger.ts';
import type { FleetIndex } from '../../shared/ports/fleet-index.ts';
import type { JobSink } from '../../shared/jobs/job-sink.ts';
import type { RegistryAccess } from '../../shared/ports/registry-access.ts';
import type { TagSnapshotStore } from '../../shared/ports/tag-snapshots.ts';

export interface PollDeps {
  index: Pick<FleetIndex, 'targets'>;
  registry: RegistryAccess;
  ledger: Pick<CycleLedger, 'pollDone' | 'stepResult'>;
  snapshots: Pick<TagSnapshotStore, 'get'>;
  sink: JobSink;
  report: CycleReporter;
}

type Stored = { released?: unknown; batches?: unknown };

/**
 * One batch of repositories of one registry: for each, list its tags (one request per page), add
 * manifest metadata when a strategy needs it, and record the snapshot in the cycle ledger in the
 * same step that releases the apps waiting for it (or, when the snapshot changed, every app using
 * the repository). A repository done in an earlier attempt of the job is not asked again; one that
 * fails for good gets an error snapshot (its previous tags kept) so its apps report the error.
 */
export function handlePoll(deps: PollDeps): JobHandler<PollJob> {
  const step = (ctx: JobContext, repo: string) => `poll:${ctx.jobId}:${repo}`;

  /** What a batch of polls hands on: apps to check and commit batches to enqueue. */
  interface Follow {
    released: Set<string>;
    batches: Set<string>;
  }

  async function record(ctx: JobContext, repo: string, snapshot: TagSnapshot | null, f: Follow) {
    const out: PollOutcome = await deps.ledger.pollDone(step(ctx, repo), repo, snapshot);
    for (const a of out.released) f.released.add(a);
    for (const b of out.batches) f.batches.add(b);
    await deps.report(ctx.log, out.finished);
    return out;
  }

  async function alreadyDone(ctx: JobContext, repo: string, f: Follow, known?: Map<string, Stored | null>): Promise<boolean> {
    const done = known ? known.get(repo) : await deps.ledger.stepResult<Stored>(step(ctx, repo));
    if (!done) return false;
    if (Array.isArray(done.released)) for (const a of done.released as string[]) f.released.add(a);
    if (Array.isArray(done.batches)) for (const b of done.batches as string[]) f.batches.add(b);
    return true;
  }

  async function handOn(f: Follow, trigger: PollJob['trigger']) {
    await enqueueChecks(deps.sink, [...f.released], trigger);
    for (const raw of f.batches) await enqueueCommit(deps.sink, CommitJobSchema.parse(JSON.parse(raw)));
  }

  async function errorSnapshot(repo: string, error: { code: string; message: string }): Promise<TagSnapshot> {
    const previous = await deps.snapshots.get(repo);
    return { ...(previous ?? snapshotOf(repo, [])), error: { code: error.code, message: error.message, at: Date.now() }, hash: `error:${error.code}` };
  }

  return {
    async run(job, ctx) {
      const targets = await deps.index.targets(job.repos);
      // repositories done in an earlier attempt of this job (only a retry has any)
      const earlier = ctx.resumed ? new Map(await Promise.all(job.repos.map(async (r) => [r, await deps.ledger.stepResult<Stored>(step(ctx, r))] as const))) : new Map<string, Stored | null>();
      const f: Follow = { released: new Set(), batches: new Set() };
      let retry: unknown;
      let polled = 0;
      for (const repo of job.repos) {
        if (await alreadyDone(ctx, repo, f, earlier)) continue;
        const target = targets.get(repo);
        if (!target) {
          await record(ctx, repo, null, f); // no longer tracked: its waiters are released
          continue;
        }
        let snapshot: TagSnapshot;
        try {
          snapshot = await poll(deps.registry, target);
        } catch (e) {
          const err = describeError(e);
          if (err.kind !== 'permanent' && !ctx.finalAttempt) {
            retry ??= e; // the job is retried; repositories done so far are not asked again
            continue;
          }
          ctx.log.error({ repo, code: err.code }, `could not list tags of ${repo}: ${err.message}`);
          snapshot = await errorSnapshot(repo, err);
        }
        const out = await record(ctx, repo, snapshot, f);
        polled++;
        ctx.log.debug({ repo, tags: snapshot.tags.length, changed: out.changed, released: out.released.length }, 'polled repository');
      }
      await handOn(f, job.trigger);
      if (retry) throw retry;
      return { polled, released: f.released.size };
    },

    async onFinalFailure(job, ctx, error) {
      const f: Follow = { released: new Set(), batches: new Set() };
      for (const repo of job.repos) {
        if (await alreadyDone(ctx, repo, f)) continue;
        ctx.log.error({ repo, code: error.code }, `could not list tags of ${repo}: ${error.message}`);
        await record(ctx, repo, await errorSnapshot(repo, error), f);
      }
      await handOn(f, job.trigger);
    },
  };
}

async function poll(registry: RegistryAccess, target: PollTarget): Promise<TagSnapshot> {
  const client = await registry.clientFor(target);
  const names = await client.listTags(target.repository);
  let tags: TagRecord[] = names.map((name) => ({ name }));
  if (target.metadata) tags = await registry.withMetadata(client, target.repository, tags);
  return snapshotOf(target.repoKey, tags);
}

export function snapshotOf(repoKey: string, tags: readonly TagRecord[]): TagSnapshot {
  const sorted = [...tags].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const hash = createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 32);
  return { repoKey, fetchedAt: Date.now(), tags: sorted, hash };
}
