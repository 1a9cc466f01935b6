/** One entry of the audit trail: why an image of an app is (not) on a tag, and what was written. */
export type AuditOutcome = 'updated' | 'noop' | 'skipped' | 'failed' | 'dry-run' | 'planned' | 'invalid' | 'warning';

export interface AuditRecord {
  id?: string;
  at: number;
  kind: 'select' | 'write-back' | 'config';
  app: string;
  image?: string;
  alias?: string;
  current?: string;
  selected?: string;
  outcome: AuditOutcome;
  reason: string;
  message: string;
  /** Selection explanation: tags found, left after filters, ranking, warnings. */
  detail?: Record<string, unknown>;
  commitSha?: string;
  /** The pull/merge request a git write-back proposed the change in. */
  pullRequest?: { number: number; url: string };
  resourceVersion?: string;
  jobId?: string;
  queue?: string;
  /** What made the check happen: interval, once, manual, app-changed. */
  trigger?: string;
  attempt?: number;
  cycles?: string[];
}

export interface AuditQuery {
  app?: string;
  image?: string;
  since?: number;
  limit?: number;
}

export interface AuditLog {
  append(record: AuditRecord): Promise<string>;
  appendMany(records: readonly AuditRecord[]): Promise<void>;
  /** Newest first. */
  query(query: AuditQuery): Promise<AuditRecord[]>;
}
