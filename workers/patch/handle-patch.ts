import type { JobHandler } from '../../shared/jobs/job-context.ts';
import { applyImageWrites } from '../../shared/domain/writeback/apply-to-source.ts';
import type { WriteBackPlan } from '../../shared/domain/plan/write-back-plan.ts';
import { ConflictError, PermanentError } from '../../shared/errors.ts';
import { settleWriteBack, type SettleDeps } from '../../shared/jobs/settle-write-back.ts';
import { patchGroup } from '../../shared/jobs/enqueue.ts';
import type { PatchJob } from '../../shared/jobs/payloads.ts';
import { selectSource, type ChosenSource } from '../../shared/domain/plan/source-type.ts';
import type {
  Application,
  ApplicationSource,
  ApplicationStore,
  JsonPatchOperation,
} from '../../shared/ports/application-store.ts';

export interface PatchDeps extends SettleDeps {
  /** The Applications of a control plane. */
  store(controlPlane: string): ApplicationStore;
  maxConflictRetries?: number;
}

/**
 * The argocd write-back: patch the Application's source with the plan (`spec.source`, or the
 * planned element of `spec.sources`), guarded by the resourceVersion it was computed from; on a
 * conflict re-read and re-apply. A failure is retried
 * with the job; once the job fails for good, the plan is settled as failed.
 */
export function handlePatch(deps: PatchDeps): JobHandler<PatchJob> {
  return {
    async run(job, ctx) {
      const group = patchGroup(job.app);
      const pending = await deps.plans.list(group);
      const log = ctx.log.child({
        application: job.app.name,
        namespace: job.app.namespace,
        controlPlane: job.app.cluster,
      });
      for (const p of pending) {
        const result = await apply(deps, p.plan);
        if (result.changed && result.resourceVersion)
          await deps.plans.markWritten(group, p.app, p.id, result.resourceVersion);
        // a plan patched on an earlier attempt of this job (crash before it was settled) counts as written
        const written = result.changed || p.written !== undefined;
        if (written) log.info({ application: job.app.name }, 'Successfully updated the live application spec');
        else
          log.info({ application: job.app.name }, 'images already set in the live application spec, nothing to patch');
        const resourceVersion = result.changed ? result.resourceVersion : (p.written ?? result.resourceVersion);
        await settleWriteBack(
          deps,
          ctx,
          group,
          p,
          written ? { kind: 'written', resourceVersion } : { kind: 'unchanged', resourceVersion },
        );
      }
      return { plans: pending.length };
    },
    async onFinalFailure(job, ctx, error) {
      const group = patchGroup(job.app);
      for (const p of await deps.plans.list(group)) {
        if (p.written) await settleWriteBack(deps, ctx, group, p, { kind: 'written', resourceVersion: p.written });
        else {
          ctx.log.error(
            { application: job.app.name, code: error.code },
            `could not update application spec: ${error.message}`,
          );
          await settleWriteBack(deps, ctx, group, p, { kind: 'failed', code: error.code, message: error.message });
        }
      }
    },
  };
}

async function apply(deps: PatchDeps, plan: WriteBackPlan): Promise<{ changed: boolean; resourceVersion?: string }> {
  const store = deps.store(plan.app.cluster);
  if (plan.method !== 'argocd')
    throw new PermanentError('writeback.method', `plan of ${plan.app.name} is for the ${plan.method} method`);
  const retries = deps.maxConflictRetries ?? 5;
  for (let i = 0; ; i++) {
    const app = await store.get(plan.app);
    if (!app)
      throw new PermanentError('k8s.not-found', `application ${plan.app.namespace}/${plan.app.name} no longer exists`);
    if (plan.appUid && app.metadata.uid && plan.appUid !== app.metadata.uid) {
      throw new PermanentError(
        'k8s.replaced',
        `application ${plan.app.name} was deleted and re-created since the plan was made`,
      );
    }
    const target = liveSource(app, plan);
    const next = applyImageWrites(target.source, plan.sourceType, plan.writes);
    const blocks = BLOCKS.filter((b) => JSON.stringify(target.source[b]) !== JSON.stringify(next[b]));
    if (blocks.length === 0) return { changed: false, resourceVersion: app.metadata.resourceVersion };
    const rv = app.metadata.resourceVersion;
    try {
      const { resourceVersion } =
        target.index === undefined
          ? await store.mergePatch(plan.app, { spec: { source: mergeBlocks(next, blocks) } }, rv)
          : await store.jsonPatch(plan.app, elementOps(target.index, next, blocks), rv);
      return { changed: true, resourceVersion };
    } catch (e) {
      if (!(e instanceof ConflictError) || i >= retries) throw e;
    }
  }
}

const BLOCKS = ['helm', 'kustomize', 'plugin'] as const;
type Block = (typeof BLOCKS)[number];

/**
 * The source the plan was made for, in the Application as it is now, chosen by the same rules. When
 * the rules now choose a different source (its repoURL/path/chart edited, or another source takes
 * precedence) the plan is refused: the edit made the app dirty, so its next check plans again.
 */
function liveSource(app: Application, plan: WriteBackPlan): ChosenSource {
  const who = `application ${plan.app.namespace}/${plan.app.name}`;
  const chosen = selectSource(app, plan.sourceType);
  if (!chosen) throw new PermanentError('k8s.no-source', `${who} has no source`);
  // the index may differ from plan.sourceIndex (sources reordered): the same source is patched where it is now
  if (!IDENTITY.every((k) => (chosen.source[k] ?? '') === (plan.source[k] ?? ''))) {
    throw new PermanentError(
      'writeback.source-changed',
      `${who}: the source to update is now ${describeSource(chosen)}, not ${describeSource({ source: plan.source, index: plan.sourceIndex })} as planned; it is planned again at its next check`,
    );
  }
  return chosen;
}

const IDENTITY = ['repoURL', 'path', 'chart'] as const;

/** `spec.sources[1] (https://git.example.com/app.git path charts/app)`, without any user:password of the URL. */
function describeSource(c: ChosenSource): string {
  const where = c.index === undefined ? 'spec.source' : `spec.sources[${c.index}]`;
  const repo = c.source.repoURL.replace(/\/\/[^/@]*@/, '//');
  return `${where} (${repo}${c.source.chart ? ` chart ${c.source.chart}` : ` path ${c.source.path ?? '.'}`})`;
}

/** Single source: a merge patch of the blocks tagflow owns (their arrays are replaced whole). */
function mergeBlocks(after: ApplicationSource, blocks: readonly Block[]): Record<string, unknown> {
  return Object.fromEntries(blocks.map((b) => [b, after[b] ?? null]));
}

/**
 * One element of `spec.sources`: a merge patch can only replace the whole list, which would write
 * every other source back as tagflow parsed it. A JSON patch names the element and `add`s (creates
 * or replaces) / `remove`s only the changed blocks. The element is pinned by the resourceVersion the
 * store puts first (any concurrent edit, a reordering included, is a 409: re-read, choose again),
 * not by a `test` of its repoURL: the API server applies the operations before it compares the
 * resourceVersion, so a failed `test` would be a 422 failing the write for good instead of a retry.
 */
function elementOps(index: number, after: ApplicationSource, blocks: readonly Block[]): JsonPatchOperation[] {
  const base = `/spec/sources/${index}`;
  return blocks.map((b): JsonPatchOperation =>
    after[b] === undefined
      ? { op: 'remove', path: `${base}/${b}` }
      : { op: 'add', path: `${base}/${b}`, value: after[b] },
  );
}
