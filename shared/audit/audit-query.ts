/**
 * Reading the audit trail with filters and pages: one implementation for `tagflow audit` and the
 * api role's `GET /api/v1/audit` (and the dashboard's timelines), so both show the same records.
 */
import { parseGoDuration } from '../domain/registry/go-duration.ts';
import type { AuditLog, AuditRecord } from '../ports/audit-log.ts';
import type { FleetIndex } from '../ports/fleet-index.ts';

export interface AuditFilters {
  controlPlane?: string;
  /** `name`, `namespace/name` or the full `<control plane>/namespace/name` key. */
  app?: string;
  image?: string;
  outcome?: string;
  kind?: string;
  since?: number;
  until?: number;
  limit: number;
  /** The `next` of the previous page. */
  cursor?: string;
}

export interface AuditPage {
  records: AuditRecord[];
  /** Pass as `cursor` for the next (older) page; absent on the last page. */
  next?: string;
}

/** Accepts `name`, `namespace/name` or the full `<control plane>/namespace/name` key. */
export async function resolveAppKey(index: Pick<FleetIndex, 'keys'>, app: string, cp?: string): Promise<string> {
  const known = await index.keys(cp);
  if (known.includes(app)) return app;
  const hit = known.find((k) => k.endsWith(`/${app}`) && (app.includes('/') || k.split('/').pop() === app));
  return hit ?? app;
}

/** One page of records, newest first. */
export async function queryAudit(
  deps: { audit: AuditLog; index: Pick<FleetIndex, 'keys'> },
  f: AuditFilters,
): Promise<AuditPage> {
  const limit = Number.isFinite(f.limit) ? Math.max(1, Math.floor(f.limit)) : 50;
  const app = f.app ? await resolveAppKey(deps.index, f.app, f.controlPlane) : undefined;
  const records = await deps.audit.query({
    ...(app ? { app } : {}),
    ...(f.image ? { image: f.image } : {}),
    ...(f.outcome ? { outcome: f.outcome } : {}),
    ...(f.kind ? { kind: f.kind } : {}),
    ...(f.controlPlane ? { controlPlane: f.controlPlane } : {}),
    ...(f.since !== undefined ? { since: f.since } : {}),
    ...(f.until !== undefined ? { until: f.until } : {}),
    ...(f.cursor ? { before: f.cursor } : {}),
    limit: limit + 1,
  });
  const page = records.slice(0, limit);
  return records.length > limit ? { records: page, next: page[page.length - 1]!.id } : { records: page };
}

/**
 * A point in time as a user writes it: an ISO date, milliseconds since the epoch, or a duration
 * meaning that long ago (`90m`, `2h`). Null when it is none of these.
 */
export function parseTime(text: string, now = Date.now()): number | null {
  const v = text.trim();
  if (/^\d{10,}$/.test(v)) return Number(v);
  const ago = /^\d/.test(v) && /[a-zµ]$/i.test(v) ? parseGoDuration(v) : null;
  if (ago !== null) return now - Math.round(ago);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : at;
}

/** A stream id as cursor: `<ms>-<seq>`. */
export function isCursor(text: string): boolean {
  return /^\d{1,20}-\d{1,20}$/.test(text);
}
