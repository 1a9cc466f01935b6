import type { JobHandler } from '../../shared/jobs/job-context.ts';
import { applyImageWrites } from '../../shared/domain/writeback/apply-to-source.ts';
import type { WriteBackPlan } from '../../shared/domain/plan/write-back-plan.ts';
import { ConflictError, PermanentError } from '../../shared/errors.ts';
import { settleWriteBack, type SettleDeps } from '../../shared/jobs/settle-write-back.ts';
import { patchGroup } from '../../shared/jobs/enqueue.ts';
import type { PatchJob } from '../../shared/jobs/payloads.ts';
import type { ApplicationSource, ApplicationStore } from '../../shared/ports/application-store.ts';

export interface PatchDeps extends SettleDeps {
  /** The Applications of a control plane. */
  store(controlPlane: string): ApplicationStore;
  maxConflictRetries?: number;
}

/**
 * The argocd write-back: merge-patch the Application's source with the plan, guarded by the
 * resourceVersion it was computed from; on a conflict re-read and re-apply. A failure is retried
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
    const source = app.spec.source;
    if (!source)
      throw new PermanentError(
        'k8s.no-source',
        `application ${plan.app.name} has no spec.source (multi-source apps need git write-back)`,
      );
    const next = applyImageWrites(source, plan.sourceType, plan.writes);
    const patch = sourcePatch(source, next);
    if (!patch) return { changed: false, resourceVersion: app.metadata.resourceVersion };
    try {
      const { resourceVersion } = await store.mergePatch(
        plan.app,
        { spec: { source: patch } },
        app.metadata.resourceVersion,
      );
      return { changed: true, resourceVersion };
    } catch (e) {
      if (!(e instanceof ConflictError) || i >= retries) throw e;
    }
  }
}

/** The merge patch that turns `before` into `after` for the blocks tagflow owns (arrays are replaced whole). */
function sourcePatch(before: ApplicationSource, after: ApplicationSource): ApplicationSource | null {
  const patch: Record<string, unknown> = {};
  for (const block of ['helm', 'kustomize', 'plugin'] as const) {
    if (JSON.stringify(before[block]) !== JSON.stringify(after[block])) patch[block] = after[block];
  }
  return Object.keys(patch).length > 0 ? (patch as ApplicationSource) : null;
}
