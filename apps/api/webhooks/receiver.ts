/**
 * POST /webhook: a registry says a repository was pushed. The request is checked in the anchor's
 * order (type, body ≤ 1 MiB, method/headers, secret), then parsed by its type's pure parser; every
 * tracked repository it names (in every control plane, every credential variant) gets one poll at
 * high priority, deduplicated per repository, and the request is answered at once. The poll asks
 * the registry (the payload's tag is only a hint); a changed tag list releases the repository's
 * apps to be checked and written, outside any cycle. Every request, accepted or refused, is one
 * audit record (never the secret, never the URL, which may carry it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  matchTargets,
  secretHint,
  verifySecret,
  webhookType,
  WEBHOOK_TYPE_NAMES,
  type WebhookEvent,
  type WebhookRequest,
} from '../../../shared/domain/webhook/index.ts';
import { PRIORITY } from '../../../shared/jobs/enqueue.ts';
import type { JobSink } from '../../../shared/jobs/job-sink.ts';
import type { Logger } from '../../../shared/logging/logger.ts';
import type { AuditLog, AuditOutcome } from '../../../shared/ports/audit-log.ts';
import type { FleetIndex } from '../../../shared/ports/fleet-index.ts';
import { readBody } from '../body.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { WebhookSecrets } from './secrets.ts';
import { WEBHOOK_AUDIT_APP } from './events.ts';

export interface ReceiverDeps {
  log: Logger;
  index: Pick<FleetIndex, 'repoKeys' | 'targets'>;
  sink: Pick<JobSink, 'addBulk'>;
  audit: Pick<AuditLog, 'append'>;
  secrets: WebhookSecrets;
  requireSecret: boolean;
  limiter?: RateLimiter;
  /** Called once per request with its type, outcome and HTTP status (metrics). */
  observe?(type: string, outcome: AuditOutcome, status: number): void;
}

interface Answer {
  status: number;
  text: string;
  outcome: AuditOutcome;
  reason: string;
  events?: readonly WebhookEvent[];
  repos?: readonly string[];
  headers?: Record<string, string>;
}

export const ACCEPTED_TEXT = 'Webhook received and processing';

function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export function webhookReceiver(d: ReceiverDeps) {
  async function decide(req: IncomingMessage, url: URL, type: string): Promise<Answer> {
    const refuse = (status: number, reason: string, text: string, extra: Partial<Answer> = {}): Answer => ({
      status,
      text,
      outcome: 'refused',
      reason,
      ...extra,
    });
    if (!type)
      return refuse(
        400,
        'missing-type',
        `missing registry type: give ?type= or the X-Registry-Type header (one of ${WEBHOOK_TYPE_NAMES.join(', ')})`,
      );
    const t = webhookType(type);
    if (!t)
      return refuse(400, 'unknown-type', `invalid registry type ${type} (one of ${WEBHOOK_TYPE_NAMES.join(', ')})`);
    const body = await readBody(req);
    if (!body.ok)
      return body.tooLarge
        ? refuse(413, 'too-large', 'request body too large (limit 1 MiB)', { headers: { connection: 'close' } })
        : refuse(400, 'unreadable', 'the request body could not be read');
    const request: WebhookRequest = {
      method: req.method ?? 'GET',
      headers: headersOf(req),
      query: url.searchParams,
      body: body.body,
    };
    const secrets = await d.secrets(t.secretKey);
    if (secrets.length === 0 && d.requireSecret)
      return refuse(401, 'no-secret-configured', `${t.name}: ${secretHint(t)}`);
    const shape = t.precheck?.(request);
    if (shape) return refuse(400, 'invalid-request', shape);
    if (secrets.length > 0) {
      const verdict = verifySecret(t, request, secrets);
      if (!verdict.ok) return refuse(401, verdict.reason, verdict.message);
    }
    if (d.limiter && !d.limiter.take()) {
      const seconds = Math.max(1, Math.ceil(d.limiter.retryAfterMs() / 1000));
      return refuse(429, 'rate-limited', 'webhook rate limit reached (--webhook-ratelimit-allowed per hour)', {
        headers: { 'retry-after': String(seconds) },
      });
    }
    const parsed = t.parse(request);
    if (!parsed.ok) return refuse(400, 'malformed', parsed.error);
    if (parsed.events.length === 0)
      return {
        status: 202,
        text: `Webhook received: ${parsed.note ?? 'nothing to poll'}`,
        outcome: 'ignored',
        reason: 'no-push',
      };
    const all = await d.index.targets(await d.index.repoKeys());
    const targets = matchTargets(parsed.events, all.values());
    const names = [...new Set(parsed.events.map((e) => `${e.registry}/${e.repository}`))].join(', ');
    if (targets.length === 0)
      return {
        status: 202,
        text: `Webhook received: no tracked image uses ${names}`,
        outcome: 'unmatched',
        reason: 'no-tracked-image',
        events: parsed.events,
      };
    await d.sink.addBulk(
      'poll',
      targets.map((target) => ({
        name: 'poll',
        data: { repos: [target.repoKey], trigger: 'webhook' as const },
        options: { dedupId: `poll:webhook:${target.repoKey}`, priority: PRIORITY.changes },
      })),
    );
    const repos = targets.map((target) => target.repoKey);
    return {
      status: 200,
      text: ACCEPTED_TEXT,
      outcome: 'accepted',
      reason: 'poll-enqueued',
      events: parsed.events,
      repos,
    };
  }

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const type = url.searchParams.get('type') || String(req.headers['x-registry-type'] ?? '');
    const a = await decide(req, url, type);
    const first = a.events?.[0];
    const log = a.status >= 400 ? d.log.warn.bind(d.log) : d.log.info.bind(d.log);
    log(
      {
        webhookType: type || undefined,
        status: a.status,
        outcome: a.outcome,
        reason: a.reason,
        ...(first ? { registry: first.registry, repository: first.repository, tag: first.tag } : {}),
        ...(a.repos ? { repos: a.repos } : {}),
      },
      a.status >= 400 ? `webhook refused: ${a.text}` : `webhook ${a.outcome}`,
    );
    try {
      await d.audit.append({
        at: Date.now(),
        kind: 'webhook',
        app: WEBHOOK_AUDIT_APP,
        ...(first
          ? { image: `${first.registry}/${first.repository}`, ...(first.tag ? { selected: first.tag } : {}) }
          : {}),
        outcome: a.outcome,
        reason: a.reason,
        message: a.text,
        trigger: 'webhook',
        detail: {
          type: type || null,
          status: a.status,
          events: (a.events ?? []).slice(0, 20),
          ...(a.repos ? { repos: a.repos } : {}),
        },
      });
    } catch (e) {
      d.log.warn({ error: (e as Error).message }, 'could not record a webhook in the audit trail');
    }
    d.observe?.(webhookType(type) ? type : 'unknown', a.outcome, a.status);
    res.writeHead(a.status, { 'content-type': 'text/plain; charset=utf-8', ...(a.headers ?? {}) }).end(`${a.text}\n`);
  };
}
