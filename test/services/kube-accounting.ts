/**
 * The requests a test API server received, and their summary per verb and resource, so a test or
 * a benchmark can assert on traffic ("no list of Applications in the steady state").
 */
import type { KubeVerb } from './kube-request-info.ts';

export interface KubeRequestRecord {
  method: string;
  path: string;
  query: string;
  contentType: string | undefined;
  /** Date.now() when the request arrived. */
  at: number;
  /** RBAC verb (list, watch, get, …) or the lower-cased method of a non-resource request. */
  verb: string;
  /** Qualified resource (`applications.argoproj.io`, `secrets`, `leases.coordination.k8s.io/…`); undefined outside the resource API. */
  resource?: string;
  namespace?: string;
  name?: string;
  /** HTTP status once answered (a watch: when its stream ends); 0 = connection destroyed. */
  status?: number;
}

export type VerbCounts = Partial<Record<KubeVerb, number>>;

export interface KubeRequestCounts {
  total: number;
  byVerb: VerbCounts;
  /** Qualified resource (subresources as `plural.group/status`) → verb → count. */
  byResource: Record<string, VerbCounts>;
  /** Discovery, /version and health requests. */
  nonResource: number;
  /** Answered with a status >= 400, or with a destroyed connection. */
  failed: number;
}

export interface CountFilter {
  /** Only requests that arrived at or after this Date.now() value. */
  since?: number;
}

export function countRequests(records: readonly KubeRequestRecord[], filter: CountFilter = {}): KubeRequestCounts {
  const counts: KubeRequestCounts = { total: 0, byVerb: {}, byResource: {}, nonResource: 0, failed: 0 };
  for (const r of records) {
    if (filter.since !== undefined && r.at < filter.since) continue;
    counts.total++;
    if (r.status !== undefined && (r.status === 0 || r.status >= 400)) counts.failed++;
    if (r.resource === undefined) {
      counts.nonResource++;
      continue;
    }
    const verb = r.verb as KubeVerb;
    counts.byVerb[verb] = (counts.byVerb[verb] ?? 0) + 1;
    const perResource = (counts.byResource[r.resource] ??= {});
    perResource[verb] = (perResource[verb] ?? 0) + 1;
  }
  return counts;
}

/** One cell of a summary: `countOf(c, 'list', 'applications.argoproj.io')`, 0 when absent. */
export function countOf(counts: KubeRequestCounts, verb: KubeVerb, resource?: string): number {
  if (resource === undefined) return counts.byVerb[verb] ?? 0;
  return counts.byResource[resource]?.[verb] ?? 0;
}
