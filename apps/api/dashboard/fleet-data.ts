/**
 * The fleet as the dashboard and `GET /api/v1/apps` show it, one page at a time. Per app: the index
 * entry (images, problems), the ledger's last check counters and the newest records of the app's
 * own audit stream (current tag, newest allowed tag, last check, last change). Apps are ordered by
 * key; a page reads the keys (one set) and then only as many apps as it shows, unless a filter
 * needs more (a search by image reads entries, an outcome or time filter reads audit records, both
 * in chunks and only until the page is full).
 */
import type { IndexEntry } from '../../../shared/domain/fleet/index-entry.ts';
import type { AuditLog, AuditRecord } from '../../../shared/ports/audit-log.ts';
import type { CycleLedger } from '../../../shared/ports/cycle-ledger.ts';
import type { CorruptEntry, FleetIndex } from '../../../shared/ports/fleet-index.ts';

export interface FleetDeps {
  index: Pick<FleetIndex, 'keys' | 'getMany'>;
  ledger: Pick<CycleLedger, 'results'>;
  audit: Pick<AuditLog, 'query'>;
}

export interface FleetFilters {
  controlPlane?: string;
  /** Substring of the app key or of an image name. */
  search?: string;
  app?: string;
  image?: string;
  /** Outcome of the app's last record (`updated`, `noop`, `failed`, ...) or `errors`: apps with errors. */
  outcome?: string;
  /** Last check within [since, until]. */
  since?: number;
  until?: number;
  limit: number;
  /** The key of the last app of the previous page. */
  cursor?: string;
}

export interface ImageState {
  image: string;
  alias?: string;
  current?: string;
  /** The newest tag the app's filters and strategy allow (the last check's choice). */
  newest?: string;
  outcome?: string;
  message?: string;
}

export interface FleetRow {
  key: string;
  controlPlane: string;
  namespace: string;
  name: string;
  images: ImageState[];
  lastCheck?: number;
  lastChange?: number;
  /** Outcome of the app's newest audit record. */
  outcome?: string;
  errors: number;
  problems: string[];
}

export interface FleetPage {
  rows: FleetRow[];
  /** Apps in the control plane filter (or all), before the other filters. */
  total: number;
  next?: string;
}

const RECENT = 30;
const CHUNK = 100;

const lower = (s: string | undefined) => s?.toLowerCase() ?? '';

function imagesOf(entry: IndexEntry | CorruptEntry | undefined): { image: string; alias?: string }[] {
  if (!entry || 'corrupt' in entry) return [];
  return entry.tracked.map((t) => ({ image: t.spec.imageName, alias: t.spec.alias }));
}

/** The running tags of an Application's status (`image:tag` → tag by image). */
function runningTags(entry: IndexEntry | CorruptEntry | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!entry || 'corrupt' in entry) return out;
  const images = (entry.app.status as { summary?: { images?: string[] } } | undefined)?.summary?.images ?? [];
  for (const ref of images) {
    const i = ref.lastIndexOf(':');
    if (i > ref.lastIndexOf('/')) out.set(ref.slice(0, i), ref.slice(i + 1));
  }
  return out;
}

/** One app's state from its entry, counters and newest records (newest first). */
export function fleetRow(
  key: string,
  entry: IndexEntry | CorruptEntry | undefined,
  counters: { errors: number } | undefined,
  records: readonly AuditRecord[],
): FleetRow {
  const [controlPlane = '', namespace = '', ...rest] = key.split('/');
  const running = runningTags(entry);
  const images = imagesOf(entry).map(({ image, alias }): ImageState => {
    const mine = (r: AuditRecord) => r.image === image || (alias !== undefined && r.alias === alias);
    const check = records.find((r) => r.kind === 'select' && mine(r));
    const written = records.find((r) => r.kind === 'write-back' && r.outcome === 'updated' && mine(r));
    const current =
      written && (!check || written.at >= check.at) ? written.selected : (check?.current ?? running.get(image));
    const newest =
      check && ['noop', 'planned', 'dry-run', 'updated', 'skipped'].includes(check.outcome)
        ? (check.selected ?? check.current)
        : undefined;
    return {
      image,
      ...(alias ? { alias } : {}),
      ...(current ? { current } : {}),
      ...(newest ? { newest } : {}),
      ...(check ? { outcome: check.outcome, message: check.message } : {}),
    };
  });
  const problems =
    entry && 'corrupt' in entry
      ? [entry.corrupt]
      : [...(entry?.problems ?? []), ...(entry?.writeBack.problems ?? [])].map((p) => p.message);
  const lastCheck = records.find((r) => r.kind === 'select')?.at;
  const lastChange = records.find((r) => r.kind === 'write-back' && r.outcome === 'updated')?.at;
  return {
    key,
    controlPlane,
    namespace,
    name: rest.join('/'),
    images,
    ...(lastCheck ? { lastCheck } : {}),
    ...(lastChange ? { lastChange } : {}),
    ...(records[0] ? { outcome: records[0].outcome } : {}),
    errors: counters?.errors ?? 0,
    problems,
  };
}

function matchesDeep(row: FleetRow, f: FleetFilters): boolean {
  if (f.outcome) {
    const bad = row.errors > 0 || row.problems.length > 0 || row.outcome === 'failed' || row.outcome === 'invalid';
    const ok =
      f.outcome === 'errors' ? bad : row.outcome === f.outcome || row.images.some((i) => i.outcome === f.outcome);
    if (!ok) return false;
  }
  if (f.since !== undefined && (row.lastCheck ?? 0) < f.since) return false;
  if (f.until !== undefined && (row.lastCheck === undefined || row.lastCheck > f.until)) return false;
  return true;
}

/** Rows of `keys` (read in one go: entries, counters, each app's newest records). */
async function loadRows(d: FleetDeps, keys: readonly string[], entries?: Map<string, IndexEntry | CorruptEntry>) {
  const [es, counters, records] = await Promise.all([
    entries ?? d.index.getMany(keys),
    d.ledger.results(keys),
    Promise.all(keys.map((app) => d.audit.query({ app, limit: RECENT }))),
  ]);
  return keys.map((k, i) => fleetRow(k, es.get(k), counters.get(k), records[i]!));
}

export async function fleetPage(d: FleetDeps, f: FleetFilters): Promise<FleetPage> {
  const all = (await d.index.keys(f.controlPlane || undefined)).sort();
  const app = lower(f.app);
  const search = lower(f.search);
  const image = lower(f.image);
  let keys = all.filter((k) => (!f.cursor || k > f.cursor) && (!app || lower(k).includes(app)));
  const byImage = (e: IndexEntry | CorruptEntry | undefined, text: string) =>
    imagesOf(e).some((i) => lower(i.image).includes(text) || lower(i.alias).includes(text));
  const rows: FleetRow[] = [];
  const deep = Boolean(f.outcome || f.since !== undefined || f.until !== undefined);
  const needEntries = Boolean(image || search);
  let scanned = 0;
  while (rows.length <= f.limit && scanned < keys.length) {
    const size = deep || needEntries ? CHUNK : f.limit + 1 - rows.length;
    const chunk = keys.slice(scanned, scanned + size);
    scanned += chunk.length;
    let candidates = chunk;
    let entries: Map<string, IndexEntry | CorruptEntry> | undefined;
    if (needEntries) {
      entries = await d.index.getMany(chunk);
      candidates = chunk.filter(
        (k) =>
          (!search || lower(k).includes(search) || byImage(entries!.get(k), search)) &&
          (!image || byImage(entries!.get(k), image)),
      );
    }
    if (candidates.length === 0) continue;
    for (const row of await loadRows(d, candidates, entries)) if (matchesDeep(row, f)) rows.push(row);
  }
  const page = rows.slice(0, f.limit);
  return rows.length > f.limit
    ? { rows: page, total: all.length, next: page[page.length - 1]!.key }
    : { rows: page, total: all.length };
}
