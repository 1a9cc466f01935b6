import { parseAppKey } from '../../../shared/jobs/payloads.ts';
import type { PlanError, PlannedChange } from './plan-changes.ts';
import { textTable } from './queues-action.ts';

export interface PlanResult {
  changes: PlannedChange[];
  applications: number;
  errors: number;
}

/** `--output json`: exactly this object, nothing else on stdout. */
export function planJson(r: PlanResult): string {
  return JSON.stringify({ changes: r.changes, applications: r.applications, errors: r.errors }, null, 2);
}

/** The table of changes, a summary line, and the errors met (one line each). */
export function planText(r: PlanResult, errors: readonly PlanError[]): string {
  const lines: string[] = [];
  if (r.changes.length === 0) lines.push('No changes: every application runs its newest allowed tag.');
  else {
    const rows = r.changes.map((c) => {
      const ref = split(c.app);
      return [ref.cluster, `${ref.namespace}/${ref.name}`, c.image, `${c.current} → ${c.selected}`, c.method, c.target];
    });
    lines.push(textTable(['CONTROL PLANE', 'APPLICATION', 'IMAGE', 'CURRENT → NEW', 'METHOD', 'TARGET'], rows));
  }
  const apps = new Set(r.changes.map((c) => c.app)).size;
  lines.push(
    '',
    `${r.changes.length} change(s) in ${apps} of ${r.applications} application(s), ${r.errors} error(s); nothing was written.`,
  );
  if (errors.length > 0) {
    lines.push('', 'Errors:');
    for (const e of errors) lines.push(`  ${e.app}${e.image ? ` ${e.image}` : ''}: ${e.message}`);
  }
  return lines.join('\n');
}

function split(app: string): { cluster: string; namespace: string; name: string } {
  try {
    return parseAppKey(app);
  } catch {
    return { cluster: '-', namespace: '-', name: app };
  }
}
