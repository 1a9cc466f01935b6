/** One entry of the audit trail: why an image of an app is (not) on a tag, and what was written. */
export type AuditOutcome =
  | 'updated'
  | 'noop'
  | 'skipped'
  | 'failed'
  | 'dry-run'
  | 'planned'
  | 'invalid'
  | 'warning'
  // registry webhooks: polls enqueued, no tracked image, nothing to poll, refused (bad secret, body, type, rate)
  | 'accepted'
  | 'unmatched'
  | 'ignored'
  | 'refused';

/** Where a dry run's change would be written (`detail.writeBack` of its `dry-run` select records). */
export type PlannedWriteBack =
  | { method: 'argocd' }
  | {
      method: 'git';
      repoUrl: string;
      branch: string;
      writeBranch?: string;
      path: string;
      target?: string;
      pullRequest?: 'github' | 'gitlab';
    };

export interface AuditRecord {
  id?: string;
  at: number;
  /** `webhook`: one registry webhook request (app `webhooks`; detail: type, registry, repository, tag, repos). */
  kind: 'select' | 'write-back' | 'config' | 'webhook';
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
  /** Records at or before this time (ms since the epoch). */
  until?: number;
  /** Records older than this record id (a page's cursor). */
  before?: string;
  outcome?: string;
  kind?: string;
  /** Only apps of this control plane (the first segment of the app key). */
  controlPlane?: string;
  limit?: number;
}

export interface AuditLog {
  append(record: AuditRecord): Promise<string>;
  appendMany(records: readonly AuditRecord[]): Promise<void>;
  /** Newest first. */
  query(query: AuditQuery): Promise<AuditRecord[]>;
}
