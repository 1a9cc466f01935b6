import type { JobContext } from '../../shared/adapters/queue/worker-runner.ts';
import { hasImageList } from '../../shared/domain/annotations/index.ts';
import { needsMetadata, trackedImages } from '../../shared/domain/plan/tracked-images.ts';
import type { RegistryEndpoint } from '../../shared/domain/registry/index.ts';
import { describeError } from '../../shared/errors.ts';
import type { CycleReporter } from '../../shared/jobs/cycle-report.ts';
import { enqueuePolls, enqueueSelects } from '../../shared/jobs/enqueue.ts';
import { appKey, parseAppKey, type CycleJob, type PollJob } from '../../shared/jobs/payloads.ts';
import type { AppIndex } from '../../shared/ports/app-index.ts';
import type { Application, ApplicationStore } from '../../shared/ports/application-store.ts';
import type { CycleTracker } from '../../shared/ports/cycle-tracker.ts';
import type { JobSink } from '../../shared/ports/job-sink.ts';
import { nameMatcher } from './name-match.ts';

export interface CycleDeps {
  store: ApplicationStore;
  endpoints: () => readonly RegistryEndpoint[];
  apps: AppIndex;
  cycles: CycleTracker;
  sink: JobSink;
  report: CycleReporter;
  settings: { cluster: string; namespace: string; nameGlobs: readonly string[]; labelSelector?: string };
}

/**
 * One update cycle, as the scheduler runs it: list the annotated Applications, remember them,
 * and enqueue one poll per distinct repository. The cycle's apps wait on those polls; their
 * selects are released by the registry workers. The scheduler itself never polls or selects.
 */
export function handleCycle(deps: CycleDeps) {
  return async (job: CycleJob, ctx: JobContext) => {
    const cycleId = job.cycleId ?? ctx.jobId;
    try {
      return await runCycle(deps, job, ctx, cycleId);
    } catch (e) {
      // transient (API server 5xx, network) → BullMQ retries; for good → the cycle ends with an error
      const err = describeError(e);
      if (!ctx.finalAttempt && err.kind !== 'permanent') throw e;
      ctx.log.error({ cycle: cycleId, code: err.code }, `could not run the update cycle: ${err.message}`);
      await deps.report(ctx.log, [await deps.cycles.abort(cycleId, { errors: 1 })]);
      return { outcome: 'failed', code: err.code };
    }
  };
}

async function runCycle(deps: CycleDeps, job: CycleJob, ctx: JobContext, cycleId: string) {
  const { settings } = deps;
  const listed = await deps.store.list(settings.namespace, { labelSelector: settings.labelSelector });
  const nameMatches = nameMatcher(settings.nameGlobs);
  const apps = listed.filter((a) => hasImageList(a.metadata.annotations) && nameMatches(a.metadata.name));
  ctx.log.info({ cycle: cycleId, trigger: job.trigger }, `Starting image update cycle, considering ${apps.length} annotated application(s) for update`);

  const polls = new Map<string, PollJob>();
  const waits: { app: string; repos: string[] }[] = [];
  const entries: Parameters<AppIndex['putMany']>[0][number][] = [];
  for (const app of apps) {
    const key = appKey({ cluster: settings.cluster, namespace: app.metadata.namespace, name: app.metadata.name });
    const { images } = trackedImages(app.metadata.annotations, deps.endpoints());
    const repos = [...new Set(images.map((i) => i.repoKey))];
    entries.push({ app: key, application: slim(app), repos });
    waits.push({ app: key, repos });
    for (const img of images) {
      const prev = polls.get(img.repoKey);
      polls.set(img.repoKey, {
        repoKey: img.repoKey,
        endpoint: img.endpoint.prefix,
        repository: img.repository,
        credentials: img.credentials,
        metadata: (prev?.metadata ?? false) || needsMetadata([img]),
        trigger: job.trigger,
      });
    }
  }
  await deps.apps.putMany(entries);
  await deps.apps.retain(waits.map((w) => w.app));
  const ready = await deps.cycles.start(cycleId, waits);
  await enqueuePolls(deps.sink, [...polls.values()]);
  await enqueueSelects(deps.sink, ready.map(parseAppKey), job.trigger);
  if (apps.length === 0) await deps.report(ctx.log, [await emptySummary(deps, cycleId)]);
  return { applications: apps.length, repositories: polls.size };
}

async function emptySummary(deps: CycleDeps, cycleId: string) {
  const s = await deps.cycles.get(cycleId);
  return s ?? { cycleId, startedAt: Date.now(), finishedAt: Date.now(), pending: 0, applications: 0, images_considered: 0, images_skipped: 0, images_updated: 0, errors: 0 };
}

/** What select workers need of an Application; status beyond the image summary is dropped. */
function slim(app: Application): Application {
  return {
    metadata: {
      name: app.metadata.name,
      namespace: app.metadata.namespace,
      uid: app.metadata.uid,
      resourceVersion: app.metadata.resourceVersion,
      annotations: app.metadata.annotations,
      labels: app.metadata.labels,
    },
    spec: { project: app.spec.project, source: app.spec.source, sources: app.spec.sources },
    status: { sourceType: app.status?.sourceType, sourceTypes: app.status?.sourceTypes, summary: { images: app.status?.summary?.images ?? [] } },
  };
}
