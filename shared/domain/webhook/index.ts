/** Every webhook type tagflow accepts, by its `?type=` / `X-Registry-Type` name. */
import { azureAcr } from './acr.ts';
import { aliyunAcr } from './aliyun-acr.ts';
import { cloudEvents } from './cloudevents.ts';
import { distribution } from './distribution.ts';
import { dockerHub } from './docker.ts';
import { ghcr } from './ghcr.ts';
import { harbor } from './harbor.ts';
import { quay } from './quay.ts';
import type { WebhookType } from './types.ts';

export const WEBHOOK_TYPES: readonly WebhookType[] = [
  dockerHub,
  ghcr,
  harbor,
  quay,
  aliyunAcr,
  azureAcr,
  cloudEvents,
  distribution,
];

const BY_NAME = new Map(WEBHOOK_TYPES.map((t) => [t.name, t]));

export function webhookType(name: string): WebhookType | undefined {
  return BY_NAME.get(name);
}

export const WEBHOOK_TYPE_NAMES: readonly string[] = WEBHOOK_TYPES.map((t) => t.name);

/** How a type's secret is configured, for the line that refuses a request when none is. */
export function secretHint(t: Pick<WebhookType, 'name' | 'secretKey'>): string {
  const key = t.secretKey;
  return `configure the ${t.name} webhook secret with --${key}-webhook-secret, ${key.toUpperCase().replace(/-/g, '_')}_WEBHOOK_SECRET or key webhook.${key}-secret of Secret argocd-image-updater-secret (or accept unauthenticated webhooks with --webhook-require-secret=false)`;
}

export type { WebhookEvent, WebhookRequest, WebhookType, ParseResult } from './types.ts';
export { verifySecret, type SecretVerdict } from './secret.ts';
export { matchTargets, normalizeRegistry, normalizeRepository } from './match.ts';
