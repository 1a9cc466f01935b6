/** The queues (counts per state, failed jobs with retry/remove), registry budgets and webhook events. */
import type { AuditRecord } from '../../../shared/ports/audit-log.ts';
import type { FailedJob } from '../../../shared/ports/queue-admin.ts';
import type { BudgetState } from '../../../shared/ports/request-budget.ts';
import { html, Html, redact, table, time } from './html.ts';

export const COUNT_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed'] as const;

function failedRow(j: FailedJob, csrf: string | undefined): Html {
  const action = (what: 'retry' | 'remove', label: string) =>
    csrf
      ? html`<form
          method="post"
          action="/dashboard/queues/${encodeURIComponent(j.queue)}/jobs/${encodeURIComponent(j.id)}/${what}"
        >
          <input type="hidden" name="csrf" value="${csrf}" /><button type="submit" name="action" value="${what}">
            ${label}
          </button>
        </form>`
      : '';
  return html`<tr class="failed-job" data-queue="${j.queue}" data-job="${j.id}">
    <td>${j.queue}</td>
    <td class="tag">${j.id}</td>
    <td>${j.name}</td>
    <td>${j.attemptsMade}</td>
    <td class="error">${redact(j.failedReason)}</td>
    <td>${time(j.failedAt)}</td>
    <td>
      <details>
        <summary>payload</summary>
        <pre>${redact(JSON.stringify(j.data, null, 2))}</pre>
      </details>
    </td>
    <td>${action('retry', 'Retry')} ${action('remove', 'Remove')}</td>
  </tr>`;
}

export function queuesBody(o: {
  counts: Record<string, Record<string, number>>;
  failed: readonly FailedJob[];
  csrf?: string;
  notice?: string;
}): Html {
  const rows = Object.entries(o.counts).map(
    ([queue, c]) =>
      html`<tr data-queue="${queue}">
        <th scope="row">${queue}</th>
        ${COUNT_STATES.map((s) => html`<td data-state="${s}">${c[s] ?? 0}</td>`)}
      </tr>`,
  );
  const failed =
    o.failed.length === 0
      ? html`<p class="empty">No failed job.</p>`
      : table(
          'failed',
          ['Queue', 'Job', 'Name', 'Attempts', 'Error', 'Failed', 'Payload', ''],
          o.failed.map((j) => failedRow(j, o.csrf)),
        );
  return html`${o.notice ? html`<p class="ok" role="status">${o.notice}</p>` : ''}
    ${table('queues', ['Queue', ...COUNT_STATES], rows)}
    <h2>Failed jobs</h2>
    ${o.csrf ? '' : html`<p class="muted">Sign in through /login to retry or remove jobs.</p>`}${failed}`;
}

export function registriesBody(states: readonly BudgetState[]): Html {
  if (states.length === 0) return html`<p class="empty">No registry was asked lately.</p>`;
  return table(
    'registries',
    ['Registry', 'Limit', 'Requests last second', 'Tokens', 'Jobs waiting', 'Registry asked'],
    states.map(
      (s) =>
        html`<tr>
          <td>${s.key}</td>
          <td>${s.configuredRate === null ? 'unlimited' : `${s.configuredRate}/s`}</td>
          <td>${s.currentRate}/s</td>
          <td>${s.tokens ?? '—'}</td>
          <td>${s.waitingJobs}</td>
          <td>
            ${
              s.blockedForMs > 0
                ? `held back ${Math.ceil(s.blockedForMs / 1000)} s`
                : s.signalledRate !== null
                  ? `${Math.round(s.signalledRate * 1000) / 1000}/s for ${Math.ceil(s.signalledForMs / 1000)} s`
                  : '—'
            }
          </td>
        </tr>`,
    ),
  );
}

/** Webhook events as the receiver records them (audit records of kind `webhook`). */
export function webhooksBody(records: readonly AuditRecord[]): Html {
  if (records.length === 0) return html`<p class="empty">No webhook event received yet.</p>`;
  return table(
    'webhooks',
    ['When', 'Type / image', 'Tag', 'Outcome', 'Why'],
    records.map(
      (r) =>
        html`<tr>
          <td>${time(r.at)}</td>
          <td>${r.image ?? r.app}</td>
          <td class="tag">${r.selected ?? r.current ?? '—'}</td>
          <td>${r.outcome}</td>
          <td>${redact(r.reason)}: ${redact(r.message)}</td>
        </tr>`,
    ),
  );
}
