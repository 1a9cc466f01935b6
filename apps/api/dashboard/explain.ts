/** Sentences answering "why is this app (not) on that tag?" from audit records. */
import type { AuditRecord } from '../../../shared/ports/audit-log.ts';

interface SelectDetail {
  tagsFound?: number;
  afterFilters?: number;
  afterPlatforms?: number;
  ranking?: string[];
  warnings?: string[];
}

/** The funnel of a check: tags found → after filters → after platforms → ranking. */
export function funnel(r: AuditRecord): string | undefined {
  const d = r.detail as SelectDetail | undefined;
  if (!d || d.tagsFound === undefined) return undefined;
  const parts = [`${d.tagsFound} tags found`, `${d.afterFilters ?? 0} left after the tag filters`];
  if (d.afterPlatforms !== undefined && d.afterPlatforms !== d.afterFilters)
    parts.push(`${d.afterPlatforms} for the wanted platforms`);
  if (d.ranking && d.ranking.length > 0) parts.push(`ranked: ${d.ranking.join(' > ')}`);
  return parts.join(' → ');
}

export function warnings(r: AuditRecord): string[] {
  return (r.detail as SelectDetail | undefined)?.warnings ?? [];
}

/** Where a write-back went. */
export function written(r: AuditRecord): string | undefined {
  if (r.commitSha) return `commit ${r.commitSha}${r.pullRequest ? ` in pull request #${r.pullRequest.number}` : ''}`;
  if (r.pullRequest) return `pull request #${r.pullRequest.number} (${r.pullRequest.url})`;
  if (r.resourceVersion) return `Application patched (resourceVersion ${r.resourceVersion})`;
  return undefined;
}

/** One sentence on where an image stands after its newest check and write-back. */
export function verdict(check: AuditRecord | undefined, write: AuditRecord | undefined): string {
  if (!check) return 'not checked yet';
  const to = check.selected ?? check.current ?? '∅';
  switch (check.outcome) {
    case 'noop':
      return `on ${check.current ?? '∅'}: it is the newest allowed tag (${check.reason})`;
    case 'planned':
    case 'updated':
      return write && write.at >= check.at
        ? `${write.outcome === 'updated' ? 'moved' : write.outcome} to ${write.selected ?? to}: ${write.message}`
        : `${check.current ?? '∅'} → ${to} chosen, write-back pending`;
    case 'dry-run':
      return `would move ${check.current ?? '∅'} → ${to} (dry run: nothing written)`;
    case 'skipped':
      return `skipped: ${check.message}`;
    default:
      return `not updated (${check.outcome}, ${check.reason}): ${check.message}`;
  }
}
