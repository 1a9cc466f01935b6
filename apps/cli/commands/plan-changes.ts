/**
 * What `tagflow plan` reports: the changes the dry-run cycle decided (its `dry-run` audit records,
 * each with where the select worker would write it, `detail.writeBack`), and the errors it met.
 */
import { resolveWriteBackTarget } from '../../../shared/domain/writeback/target.ts';
import { parseAppKey } from '../../../shared/jobs/payloads.ts';
import type { AuditLog, PlannedWriteBack } from '../../../shared/ports/audit-log.ts';
import type { ControlPlanes } from '../../../shared/ports/control-plane.ts';

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
  controlPlanes: Pick<ControlPlanes, 'names' | 'get'>;
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
  const changes: PlannedChange[] = [];
  for (const r of dry) {
    const where = r.detail?.writeBack as PlannedWriteBack | undefined;
    // none: the check counted an error for it (no write-back configuration or source to write to)
    if (!where) continue;
    changes.push({
      app: r.app,
      image: r.image ?? r.alias ?? '',
      current: r.current ?? '',
      selected: r.selected ?? '',
      method: where.method,
      target: targetOf(r.app, where, d.controlPlanes),
    });
  }
  changes.sort((a, b) => a.app.localeCompare(b.app, 'en', { numeric: true }) || a.image.localeCompare(b.image));
  return { changes, errors: dedupeErrors(errors) };
}

/** Where the write goes: the repository, the branch pushed to and the file, or the Application itself. */
export function targetOf(app: string, g: PlannedWriteBack, planes: Pick<ControlPlanes, 'names' | 'get'>): string {
  if (g.method === 'argocd') return APPLICATION_SPEC;
  const ref = parseAppKey(app);
  const base = g.branch || 'HEAD';
  const branch = g.pullRequest
    ? `${g.writeBranch ?? base} (pull request into ${base})`
    : g.writeBranch
      ? `${g.writeBranch} (from ${base})`
      : base;
  const namespace = planes.names.includes(ref.cluster) ? planes.get(ref.cluster).argocdNamespace : 'argocd';
  let file: string;
  try {
    const t = resolveWriteBackTarget({
      target: g.target,
      sourcePath: g.path,
      appName: ref.name,
      appNamespace: ref.namespace,
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
