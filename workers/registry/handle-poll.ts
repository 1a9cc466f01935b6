import { createHash } from 'node:crypto';
import type { JobContext, JobHandler } from '../../shared/jobs/job-context.ts';
import { interestFilter, type PollTarget } from '../../shared/domain/fleet/index-entry.ts';
import { listPositionCreated } from '../../shared/domain/policy/created-time.ts';
import type { TagRecord, TagSnapshot } from '../../shared/domain/model/tags.ts';
import { describeError } from '../../shared/errors.ts';
import type { CycleReporter } from '../../shared/jobs/cycle-report.ts';
import { enqueueChecks, enqueueCommit } from '../../shared/jobs/enqueue.ts';
import { CommitJobSchema, type PollJob } from '../../shared/jobs/payloads.ts';
import type { CycleLedger } from '../../shared/ports/cycle-ledger.ts';
import type { FleetIndex } from '../../shared/ports/fleet-index.ts';
import type { JobSink } from '../../shared/jobs/job-sink.ts';
import type { RegistryAccess } from '../../shared/ports/registry-access.ts';
import type { TagSnapshotStore } from '../../shared/ports/tag-snapshots.ts';

export interface PollDeps {
  index: Pick<FleetIndex, 'targets'>;
  registry: RegistryAccess;
  ledger: Pick<CycleLedger, 'pollsDone' | 'stepResult'>;
  snapshots: Pick<TagSnapshotStore, 'get' | 'hashes'>;
  sink: JobSink;
  report: CycleReporter;
}

type Stored = { released?: unknown; batches?: unknown; repos?: unknown };

/**
 * One batch of repositories of one registry: for each, list its tags (one request per page) and
 * add manifest metadata when a strategy needs it. A changed snapshot is recorded in the ledger at
 * once, in the step that releases the apps using it; the unchanged ones are recorded together
 * when the batch is done (one step: nothing waits on them but the cycle's count of polls). A
 * repository done in an earlier attempt of the job is not asked again; one that fails for good
 * gets an error snapshot (its previous tags kept) so its apps report the error.
 */
export function handlePoll(deps: PollDeps): JobHandler<PollJob> {
  const step = (ctx: JobContext, repo: string) => `poll:${ctx.jobId}:${repo}`;
  const restStep = (ctx: JobContext) => `poll:${ctx.jobId}:unchanged`;

  /** What a batch of polls hands on: apps to check and commit batches to enqueue. */
  interface Follow {
    released: Set<string>;
    batches: Set<string>;
  }

  const take = (f: Follow, done: Stored) => {
    if (Array.isArray(done.released)) for (const a of done.released as string[]) f.released.add(a);
    if (Array.isArray(done.batches)) for (const b of done.batches as string[]) f.batches.add(b);
  };

  async function record(
    ctx: JobContext,
    stepId: string,
    polls: { repoKey: string; snapshot: TagSnapshot | null }[],
    f: Follow,
  ) {
    if (polls.length === 0) return;
    const out = await deps.ledger.pollsDone(stepId, polls);
    take(f, out);
    await deps.report(ctx.log, out.finished);
  }

  /** Repositories recorded by an earlier attempt of this job (a retry, a resumed or delayed job). */
  async function earlierSteps(ctx: JobContext, repos: readonly string[], f: Follow): Promise<Set<string>> {
    const done = new Set<string>();
    if (!ctx.resumed) return done;
    const rest = await deps.ledger.stepResult<Stored>(restStep(ctx));
    if (rest) {
      take(f, rest);
      for (const r of Array.isArray(rest.repos) ? (rest.repos as string[]) : []) done.add(r);
    }
    for (const r of repos) {
      const own = await deps.ledger.stepResult<Stored>(step(ctx, r));
      if (own) (take(f, own), done.add(r));
    }
    return done;
  }

  async function handOn(f: Follow, trigger: PollJob['trigger']) {
    await enqueueChecks(deps.sink, [...f.released], trigger);
    for (const raw of f.batches) await enqueueCommit(deps.sink, CommitJobSchema.parse(JSON.parse(raw)));
  }

  async function errorSnapshot(repo: string, error: { code: string; message: string }): Promise<TagSnapshot> {
    const previous = await deps.snapshots.get(repo);
    return {
      ...(previous ?? snapshotOf(repo, [])),
      error: { code: error.code, message: error.message, at: Date.now() },
      hash: `error:${error.code}`,
    };
  }

  return {
    async run(job, ctx) {
      const f: Follow = { released: new Set(), batches: new Set() };
      const [targets, hashes, done] = await Promise.all([
        deps.index.targets(job.repos),
        deps.snapshots.hashes(job.repos),
        earlierSteps(ctx, job.repos, f),
      ]);
      const unchanged: { repoKey: string; snapshot: null }[] = [];
      let retry: unknown;
      let polled = 0;
      const ahead = job.repos.filter((r) => !done.has(r) && targets.has(r)).map((r) => targets.get(r)!);
      for (const repo of job.repos) {
        if (done.has(repo)) continue;
        const target = targets.get(repo);
        if (!target) {
          unchanged.push({ repoKey: repo, snapshot: null }); // no longer tracked: its waiters are released
          continue;
        }
        let snapshot: TagSnapshot;
        try {
          await deps.registry.prepare?.(ahead.slice(ahead.indexOf(target)));
          snapshot = await poll(deps.registry, target, ctx.jobId);
        } catch (e) {
          const err = describeError(e);
          if (err.kind === 'rate-limited') {
            retry ??= e; // delayed without spending an attempt: the rest waits for the registry
            break;
          }
          if (err.kind !== 'permanent' && !ctx.finalAttempt) {
            retry ??= e; // the job is retried; repositories done so far are not asked again
            continue;
          }
          ctx.log.error({ repo, code: err.code }, `could not list tags of ${repo}: ${err.message}`);
          snapshot = await errorSnapshot(repo, err);
        }
        polled++;
        const changed = snapshot.hash !== hashes.get(repo);
        ctx.log.debug({ repo, tags: snapshot.tags.length, changed }, 'polled repository');
        // a changed tag list releases its apps now; an unchanged one is not even sent again
        if (changed) await record(ctx, step(ctx, repo), [{ repoKey: repo, snapshot }], f);
        else unchanged.push({ repoKey: repo, snapshot: null });
      }
      if (!retry) await record(ctx, restStep(ctx), unchanged, f);
      else for (const u of unchanged) await record(ctx, step(ctx, u.repoKey), [u], f);
      await handOn(f, job.trigger);
      if (retry) throw retry;
      return { polled, released: f.released.size };
    },

    async onFinalFailure(job, ctx, error) {
      const f: Follow = { released: new Set(), batches: new Set() };
      const done = await earlierSteps({ ...ctx, resumed: true }, job.repos, f);
      for (const repo of job.repos.filter((r) => !done.has(r))) {
        ctx.log.error({ repo, code: error.code }, `could not list tags of ${repo}: ${error.message}`);
        await record(ctx, step(ctx, repo), [{ repoKey: repo, snapshot: await errorSnapshot(repo, error) }], f);
      }
      await handOn(f, job.trigger);
    },
  };
}

/**
 * One repository's tags: the tag list, and manifest metadata for the tags some app's interests
 * match (one HEAD per such tag, a manifest and config blob only for a digest never seen). On a
 * time-sorted endpoint (`tagsortmode`) every tag gets its list position as build date, so
 * newest-build needs no manifests; a digest fetched there (digest strategy) keeps that date.
 */
export async function poll(registry: RegistryAccess, target: PollTarget, job?: string): Promise<TagSnapshot> {
  const client = await registry.clientFor(target, job);
  const names = await client.listTags(target.repository);
  const mode = target.endpoint.tagSortMode;
  const sorted = mode === 'latest-first' || mode === 'latest-last' ? mode : null;
  let tags: TagRecord[] = names.map((name, i) =>
    sorted ? { name, created: listPositionCreated(sorted, i, names.length) } : { name },
  );
  if (target.metadata) {
    const wanted = interestFilter(target.interests);
    const asked = [...new Set(names.filter(wanted))].map((name) => ({ name }));
    const described = new Map(
      asked.length > 0
        ? (await registry.withMetadata(client, target.repository, asked)).map((t) => [t.name, t] as const)
        : [],
    );
    tags = tags.map((t) => {
      const d = described.get(t.name);
      if (!d) return t;
      if (!sorted) return d;
      const platforms = d.platforms?.map(({ created: _c, ...p }) => p);
      return { ...d, created: t.created, ...(platforms ? { platforms } : {}) };
    });
  }
  return snapshotOf(target.repoKey, tags);
}

export function snapshotOf(repoKey: string, tags: readonly TagRecord[]): TagSnapshot {
  const sorted = [...tags].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const hash = createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 32);
  return { repoKey, fetchedAt: Date.now(), tags: sorted, hash };
}
