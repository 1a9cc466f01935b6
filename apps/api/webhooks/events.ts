/**
 * Recent registry webhooks, for the dashboard: every request is an audit record of kind `webhook`
 * kept in the audit stream of the pseudo-app `webhooks` (and the fleet stream), newest first.
 */
import type { AuditLog, AuditRecord } from '../../../shared/ports/audit-log.ts';

export const WEBHOOK_AUDIT_APP = 'webhooks';

export interface WebhookEventRecord {
  at: number;
  /** The `?type=` given (null: none). */
  type: string | null;
  status: number;
  outcome: AuditRecord['outcome'];
  reason: string;
  message: string;
  registry?: string;
  repository?: string;
  tag?: string;
  /** The repositories whose poll was enqueued. */
  repos: string[];
}

export async function recentWebhookEvents(audit: Pick<AuditLog, 'query'>, limit = 50): Promise<WebhookEventRecord[]> {
  const records = await audit.query({ app: WEBHOOK_AUDIT_APP, limit });
  return records
    .filter((r) => r.kind === 'webhook')
    .map((r) => {
      const detail = (r.detail ?? {}) as {
        type?: string | null;
        status?: number;
        events?: { registry?: string; repository?: string; tag?: string }[];
        repos?: string[];
      };
      const first = detail.events?.[0];
      return {
        at: r.at,
        type: detail.type ?? null,
        status: detail.status ?? 0,
        outcome: r.outcome,
        reason: r.reason,
        message: r.message,
        ...(first?.registry ? { registry: first.registry } : {}),
        ...(first?.repository ? { repository: first.repository } : {}),
        ...(first?.tag ? { tag: first.tag } : {}),
        repos: detail.repos ?? [],
      };
    });
}
