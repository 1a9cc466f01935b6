import { createHash } from 'node:crypto';
import type { JobContext } from '../../shared/adapters/queue/worker-runner.ts';
import { describeError } from '../../shared/errors.ts';
import { enqueueSelects } from '../../shared/jobs/enqueue.ts';
import { parseAppKey, type PollJob } from '../../shared/jobs/payloads.ts';
import type { AppIndex } from '../../shared/ports/app-index.ts';
import type { CycleTracker } from '../../shared/ports/cycle-tracker.ts';
import type { JobSink } from '../../shared/ports/job-sink.ts';
import type { RegistryClient } from '../../shared/ports/registry-client.ts';
import type { TagRecord, TagSnapshot, TagSnapshotStore } from '../../shared/ports/tag-snapshots.ts';

export interface PollDeps {
  /** A client for the registry endpoint with this prefix, authenticated with this credential reference. */
  clientFor(endpoint: string, repository: string, credentials: string | undefined): Promise<RegistryClient>;
  /** Adds digests, platforms and creation dates to the tags (cached per digest). */
  withMetadata(client: RegistryClient, repository: string, tags: TagRecord[]): Promise<TagRecord[]>;
  snapshots: TagSnapshotStore;
  cycles: CycleTracker;
  apps: AppIndex;
  sink: JobSink;
}

/**
 * One poll of one repository: list its tags (one request per page), store the snapshot, then
 * release the select jobs of every app whose repositories are all polled now.
 */
export function handlePoll(deps: PollDeps) {
  return async (job: PollJob, ctx: JobContext) => {
    let changed = false;
    try {
      const client = await deps.clientFor(job.endpoint, job.repository, job.credentials);
      const names = await client.listTags(job.repository);
      let tags: TagRecord[] = names.map((name) => ({ name }));
      if (job.metadata) tags = await deps.withMetadata(client, job.repository, tags);
      ({ changed } = await deps.snapshots.put(snapshotOf(job.repoKey, tags)));
      ctx.log.debug({ repo: job.repoKey, tags: tags.length, changed }, 'polled repository');
    } catch (e) {
      const err = describeError(e);
      if (!ctx.finalAttempt && err.kind !== 'permanent') throw e;
      const previous = await deps.snapshots.get(job.repoKey);
      await deps.snapshots.put({
        ...(previous ?? snapshotOf(job.repoKey, [])),
        error: { code: err.code, message: err.message, at: Date.now() },
        hash: `error:${err.code}`,
      });
      ctx.log.error({ repo: job.repoKey, code: err.code }, `could not list tags of ${job.repoKey}: ${err.message}`);
    }
    const ready = await deps.cycles.repoPolled(job.repoKey);
    const waiting = new Set(ready.map((r) => r.app));
    if (changed && job.trigger === 'webhook') {
      for (const app of await deps.apps.appsForRepo(job.repoKey)) waiting.add(app);
    }
    await enqueueSelects(deps.sink, [...waiting].map(parseAppKey), job.trigger);
    return { changed, released: waiting.size };
  };
}

export function snapshotOf(repoKey: string, tags: TagRecord[]): TagSnapshot {
  const sorted = [...tags].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const hash = createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 32);
  return { repoKey, fetchedAt: Date.now(), tags: sorted, hash };
}
