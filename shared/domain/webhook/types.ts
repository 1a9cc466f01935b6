/**
 * Registry webhooks as pure data: a request as the receiver read it (headers lower-cased, the raw
 * body) goes in, the repositories it names come out. The receiver (apps/api/webhooks) does the I/O.
 */

/** One pushed repository named by a webhook. The tag is a hint: the poll asks the registry. */
export interface WebhookEvent {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export interface WebhookRequest {
  method: string;
  /** Header names lower-cased; a repeated header joined with ', '. */
  headers: Readonly<Record<string, string | undefined>>;
  query: URLSearchParams;
  /** The raw body (signatures are computed over it). */
  body: string;
}

/** Where a type's secret travels (reference section 6.8). */
export type SecretCarrier = 'query' | 'authorization' | 'hmac-sha256' | 'query-or-header';

/** Parsed: the pushes it names (none: a notification with nothing to poll, `note` says why). */
export type ParseResult = { ok: true; events: WebhookEvent[]; note?: string } | { ok: false; error: string };

export interface WebhookType {
  /** The `?type=` value. */
  readonly name: string;
  /** `<key>-webhook-secret`, `<KEY>_WEBHOOK_SECRET`, `webhook.<key>-secret`. */
  readonly secretKey: string;
  readonly carrier: SecretCarrier;
  /** Checks made before the secret (method, content type, event header): an error text, or undefined. */
  precheck?(req: WebhookRequest): string | undefined;
  parse(req: WebhookRequest): ParseResult;
}

export const ok = (events: WebhookEvent[], note?: string): ParseResult => ({
  ok: true,
  events,
  ...(note ? { note } : {}),
});
export const fail = (error: string): ParseResult => ({ ok: false, error });
