/**
 * Readiness (`/readyz`): Redis answers and every control plane answers a cheap request (a GET of
 * its `argocd-image-updater-config` ConfigMap through the control plane's own client; absent is an
 * answer too). Each check is bounded by a timeout; the verdict is kept for a moment, so a probe
 * storm costs one round of requests per `cacheMs`.
 */
import type { ControlPlanes } from '../../../shared/ports/control-plane.ts';

export interface Readiness {
  ok: boolean;
  /** One line per check that failed: what and why (no secrets: error messages name the resource). */
  problems: string[];
}

export interface ReadinessDeps {
  ping(): Promise<void>;
  controlPlanes: Pick<ControlPlanes, 'all'>;
  timeoutMs?: number;
  cacheMs?: number;
}

const CONFIG_MAP = 'argocd-image-updater-config';

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function readinessCheck(d: ReadinessDeps): () => Promise<Readiness> {
  const timeoutMs = d.timeoutMs ?? 2000;
  const cacheMs = d.cacheMs ?? 1500;
  let last: { at: number; verdict: Promise<Readiness> } | undefined;

  async function check(): Promise<Readiness> {
    const checks: Promise<string | null>[] = [
      within(d.ping(), timeoutMs, 'redis').then(
        () => null,
        (e: unknown) => `redis unavailable: ${(e as Error).message}`,
      ),
      ...d.controlPlanes.all().map((cp) =>
        within(cp.config.readConfigMap(cp.argocdNamespace, CONFIG_MAP), timeoutMs, `control plane ${cp.name}`).then(
          () => null,
          (e: unknown) => {
            const message = (e as Error).message;
            return message.includes(cp.name) ? message : `control plane ${cp.name}: ${message}`;
          },
        ),
      ),
    ];
    const problems = (await Promise.all(checks)).filter((p): p is string => p !== null);
    return { ok: problems.length === 0, problems };
  }

  return () => {
    const now = Date.now();
    if (!last || now - last.at >= cacheMs) last = { at: now, verdict: check() };
    return last.verdict;
  };
}
