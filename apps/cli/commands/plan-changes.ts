/**
 * What `tagflow plan` reports: the changes the dry-run cycle decided (its `dry-run` audit records),
 * each with the write-back it would take (method and target, planned from the app's index entry
 * and the snapshots the cycle stored, as the select worker plans it), and the errors it met.
 */
import { evaluateApp } from '../../../shared/domain/plan/evaluate-app.ts';
import { planWriteBack } from '../../../shared/domain/plan/plan-write-back.ts';
import type { WriteBackPlan } from '../../../shared/domain/plan/write-back-plan.ts';
import type { IndexEntry } from '../../../shared/domain/fleet/index-entry.ts';
import { resolveWriteBackTarget } from '../../../shared/domain/writeback/target.ts';
import type { AuditLog } from '../../../shared/ports/audit-log.ts';
import type { ControlPlanes } from '../../../shared/ports/control-plane.ts';
import type { FleetIndex } from '../../../shared/ports/fleet-index.ts';
import type { TagSnapshotStore } from '../../../shared/ports/tag-snapshots.ts';

export interface PlannedChange {
  /** `<control plane>/<namespace>/<name>`. */
  app: string;
  image: string;
  current: string;
  selected: string;
  method: 'git' | 'argocd';
  /** `<repository> <branch>:<file>` for git, `Application spec` for argocd. */
  target: string;
}

export interface PlanError {
  app: string;
  image?: string;
  message: string;
}

export interface PlanDeps {
  audit: Pick<AuditLog, 'query'>;
  index: Pick<FleetIndex, 'getMany'>;
  snapshots: Pick<TagSnapshotStore, 'getMany'>;
  controlPlanes: Pick<ControlPlanes, 'names' | 'get'>;
  defaultPlatforms: readonly string[];
}

export const APPLICATION_SPEC = 'Application spec';

/** The changes and errors recorded since `since` (the plan's private audit trail holds only its own cycle). */
export async function collectPlan(
  d: PlanDeps,
  since: number,
): Promise<{ changes: PlannedChange[]; errors: PlanError[] }> {
  const records = (await d.audit.query({ since, limit: Number.MAX_SAFE_INTEGER })).reverse();
  const dry = records.filter((r) => r.kind === 'select' && r.outcome === 'dry-run');
  const errors: PlanError[] = records
    .filter((r) => r.outcome === 'failed' || r.outcome === 'invalid')
    .map((r) => ({ app: r.app, ...(r.image ? { image: r.image } : {}), message: r.message }));
  const apps = [...new Set(dry.map((r) => r.app))];
  const entries = await d.index.getMany(apps);
  const tracked = [...entries.values()].filter((e): e is IndexEntry => !('corrupt' in e));
  const snapshots = await d.snapshots.getMany([...new Set(tracked.flatMap((e) => e.tracked.map((t) => t.repoKey)))]);
  const plans = new Map<string, WriteBackPlan | null>();
  for (const e of tracked) {
    const ev = evaluateApp({
      application: e.app,
      images: e.tracked,
      problems: e.problems,
      snapshots,
      defaultPlatforms: d.defaultPlatforms,
    });
    const config = e.writeBack.config;
    plans.set(
      e.key,
      config && ev.changes.length > 0
        ? planWriteBack(e.app, e.ref, ev, config, e.updater, e.writeBack.pullRequest)
        : null,
    );
  }
  const changes: PlannedChange[] = [];
  for (const r of dry) {
    const plan = plans.get(r.app);
    // no plan: the check counted an error for it (no write-back configuration or source to write to)
    if (!plan) continue;
    changes.push({
      app: r.app,
      image: r.image ?? r.alias ?? '',
      current: r.current ?? '',
      selected: r.selected ?? '',
      method: plan.method,
      target: targetOf(plan, d.controlPlanes),
    });
  }
  changes.sort((a, b) => a.app.localeCompare(b.app, 'en', { numeric: true }) || a.image.localeCompare(b.image));
  return { changes, errors: dedupeErrors(errors) };
}

/** Where the write goes: the repository, the branch pushed to and the file, or the Application itself. */
export function targetOf(plan: WriteBackPlan, planes: Pick<ControlPlanes, 'names' | 'get'>): string {
  if (plan.method === 'argocd') return APPLICATION_SPEC;
  const g = plan.git;
  const base = g.branch || 'HEAD';
  const branch = g.pullRequest
    ? `${g.writeBranch ?? base} (pull request into ${base})`
    : g.writeBranch
      ? `${g.writeBranch} (from ${base})`
      : base;
  const namespace = planes.names.includes(plan.app.cluster) ? planes.get(plan.app.cluster).argocdNamespace : 'argocd';
  let file: string;
  try {
    const t = resolveWriteBackTarget({
      target: g.target,
      sourcePath: g.path,
      appName: plan.app.name,
      appNamespace: plan.app.namespace,
      controllerNamespace: namespace,
    });
    file = t.kind === 'kustomization' ? `${t.dir}/kustomization` : t.path;
  } catch (e) {
    file = `? (${e instanceof Error ? e.message : String(e)})`;
  }
  return `${withoutUserInfo(g.repoUrl)} ${branch}:${file}`;
}

/** A repository URL never shows credentials embedded in it (an http(s) user name may be a token). */
function withoutUserInfo(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  try {
    const u = new URL(url);
    const http = u.protocol === 'http:' || u.protocol === 'https:';
    if (!u.password && !(http && u.username)) return url;
    u.password = '';
    if (http) u.username = '';
    return u.toString();
  } catch {
    return url;
  }
}

function dedupeErrors(errors: readonly PlanError[]): PlanError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.app}\n${e.image ?? ''}\n${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
