/**
 * Where each webhook type's secret comes from: the flag or `<KEY>_WEBHOOK_SECRET` (already in the
 * config), else key `webhook.<key>-secret` of Secret `argocd-image-updater-secret` in the Argo CD
 * namespace of each control plane (several control planes may each configure one; any of them
 * authenticates). The Secrets are read again at most every `ttlMs`, so a rotated secret takes
 * effect without a restart.
 */
import type { ConfigReader } from '../../../shared/ports/application-store.ts';

export const UPDATER_SECRET = 'argocd-image-updater-secret';

export interface SecretSource {
  argocdNamespace: string;
  config: Pick<ConfigReader, 'readSecret'>;
}

export type WebhookSecrets = (key: string) => Promise<string[]>;

export function webhookSecrets(
  configured: Readonly<Record<string, string>>,
  sources: () => readonly SecretSource[],
  o: { ttlMs?: number; now?: () => number; onError?: (e: Error) => void } = {},
): WebhookSecrets {
  const ttl = o.ttlMs ?? 10_000;
  const now = o.now ?? Date.now;
  let cached: { at: number; data: Promise<Record<string, string>[]> } | undefined;
  const read = () =>
    Promise.all(
      sources().map((s) =>
        s.config.readSecret(s.argocdNamespace, UPDATER_SECRET).then(
          (d) => d ?? {},
          (e: unknown) => {
            o.onError?.(e as Error);
            return {};
          },
        ),
      ),
    );
  return async (key) => {
    const own = configured[key];
    if (own) return [own];
    if (!cached || now() - cached.at > ttl) cached = { at: now(), data: read() };
    const all = await cached.data;
    const found = all.map((d) => d[`webhook.${key}-secret`]?.trim()).filter((v): v is string => !!v);
    return [...new Set(found)];
  };
}
