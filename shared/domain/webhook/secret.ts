/**
 * Checks the secret a webhook carries against the configured ones, in constant time (sameSecret).
 */
import { createHmac } from 'node:crypto';
import { sameSecret } from '../same-secret.ts';
import type { WebhookRequest, WebhookType } from './types.ts';

export type SecretVerdict = { ok: true } | { ok: false; reason: 'missing-secret' | 'bad-secret'; message: string };

/** GitHub's signature: `sha256=` + hex HMAC-SHA256 of the raw body. */
export function hubSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** What the request carries where its type puts the secret. */
function carried(t: WebhookType, req: WebhookRequest): string | undefined {
  const value = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? undefined : v);
  switch (t.carrier) {
    case 'query':
      return value(req.query.get('secret'));
    case 'query-or-header':
      return value(req.query.get('secret')) ?? value(req.headers['x-webhook-secret']);
    case 'authorization':
      return value(req.headers.authorization);
    case 'hmac-sha256':
      return value(req.headers['x-hub-signature-256']);
  }
}

const WHERE: Record<WebhookType['carrier'], string> = {
  query: 'the ?secret= parameter',
  'query-or-header': 'the ?secret= parameter or the X-Webhook-Secret header',
  authorization: 'the Authorization header',
  'hmac-sha256': 'the X-Hub-Signature-256 header',
};

/**
 * Whether the request carries one of `secrets` (several: the same type configured in several
 * control planes). An Authorization header matches as the secret itself or as `Bearer <secret>`.
 */
export function verifySecret(t: WebhookType, req: WebhookRequest, secrets: readonly string[]): SecretVerdict {
  const given = carried(t, req);
  if (given === undefined)
    return { ok: false, reason: 'missing-secret', message: `${t.name}: ${WHERE[t.carrier]} is missing` };
  let match = false;
  for (const s of secrets) {
    if (t.carrier === 'hmac-sha256') match = sameSecret(given, hubSignature(s, req.body)) || match;
    else if (t.carrier === 'authorization') match = sameSecret(given, s) || sameSecret(given, `Bearer ${s}`) || match;
    else match = sameSecret(given, s) || match;
  }
  if (match) return { ok: true };
  const what = t.carrier === 'hmac-sha256' ? 'signature' : 'secret';
  return { ok: false, reason: 'bad-secret', message: `${t.name}: invalid webhook ${what} in ${WHERE[t.carrier]}` };
}
