/**
 * Webhook to write-back latency: the whole pipeline in this process on the real registry, the real
 * git HTTP server and the Kubernetes stand-in, with the api role's webhook route on a real port.
 * Two apps track two repositories, one written back with git, one with the argocd method. Each of
 * the pushes puts a new tag into both repositories, then POSTs one CNCF Distribution notification
 * naming both; timed from the POST to (a) the commit being on the remote and (b) the Application
 * being patched. Reported: p50, p99 and max of each.
 */
import { request as httpRequest } from 'node:http';
import { startApi } from '../apps/api/main.ts';
import { webhookRoutes } from '../apps/api/webhooks/routes.ts';
import { createLogger } from '../shared/logging/logger.ts';
import { SEED_PREFIX, startWritebackEnvironment } from '../test/fixtures/writeback-environment.ts';
import { startPipeline } from '../test/helpers/pipeline.ts';

const SECRET = 'bench-webhook-secret';
const REPO = 'gitops-demo';

export interface WebhookLatencyRow {
  'write-back': string;
  pushes: number;
  'p50 (s)': number;
  'p99 (s)': number;
  'max (s)': number;
  target: string;
}

function post(port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/webhook?type=distribution',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function notification(repos: string[], tag: string): string {
  return JSON.stringify({
    events: repos.map((repository) => ({
      action: 'push',
      target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', repository, tag },
      request: { host: SEED_PREFIX, method: 'PUT' },
    })),
  });
}

async function waitFor(check: () => boolean | Promise<boolean>, everyMs: number, timeoutMs = 30_000): Promise<number> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return performance.now();
    if (performance.now() > end) throw new Error(`bench: no write-back within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const quantile = (sorted: number[], q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;

export async function benchWebhookLatency(pushes: number, log: (s: string) => void): Promise<WebhookLatencyRow[]> {
  const env = await startWritebackEnvironment();
  const repos = { git: 'bench/hook-git', argocd: 'bench/hook-argocd' };
  await env.pushTags(repos.git, ['v1.0']);
  await env.pushTags(repos.argocd, ['v1.0']);
  env.app({
    name: 'hook-git',
    image: `${SEED_PREFIX}/${repos.git}`,
    path: 'apps/hook-git',
    writeBack: 'git:secret:argocd/git-creds',
  });
  env.app({ name: 'hook-argocd', image: `${SEED_PREFIX}/${repos.argocd}`, writeBack: 'argocd' });
  const pipeline = await startPipeline(env.kubeconfigPath, { logLevel: 'info' });
  const times = { git: [] as number[], argocd: [] as number[] };
  try {
    await pipeline.runOnce();
    const api = await startApi({
      log: createLogger({ level: 'warn', format: 'json' }),
      ping: pipeline.rt.ping,
      routes: webhookRoutes({
        ...pipeline.rt,
        settings: {
          config: { webhookSecrets: { distribution: SECRET }, webhookRequireSecret: true, webhookRateLimit: 0 },
        },
      }),
      host: '127.0.0.1',
      port: 0,
    });
    const tagOf = () =>
      (
        env.application('hook-argocd')?.spec?.source?.helm?.parameters as { name: string; value: string }[] | undefined
      )?.find((p) => p.name === 'image.tag')?.value;
    try {
      for (let i = 1; i <= pushes; i++) {
        const tag = `v1.${i}`;
        await env.pushTags(repos.git, [tag]);
        await env.pushTags(repos.argocd, [tag]);
        const t0 = performance.now();
        const status = await post(api.port, notification([repos.git, repos.argocd], tag));
        if (status !== 200) throw new Error(`bench: webhook answered ${status}`);
        const [git, argocd] = await Promise.all([
          waitFor(async () => (await env.git.log(REPO))[0]?.message.includes(`to '${tag}'`) ?? false, 10),
          waitFor(() => tagOf() === tag, 2),
        ]);
        times.git.push((git - t0) / 1000);
        times.argocd.push((argocd - t0) / 1000);
        if (i % 10 === 0) log(`webhook latency: ${i}/${pushes} pushes`);
      }
    } finally {
      await api.close();
    }
  } finally {
    await pipeline.close();
    await env.stop();
  }
  const row = (method: string, xs: number[]): WebhookLatencyRow => {
    const s = [...xs].sort((a, b) => a - b);
    const r = (n: number) => Math.round(n * 1000) / 1000;
    return {
      'write-back': method,
      pushes: s.length,
      'p50 (s)': r(quantile(s, 0.5)),
      'p99 (s)': r(quantile(s, 0.99)),
      'max (s)': r(s[s.length - 1]!),
      target: 'p50 ≤ 1 s, p99 ≤ 3 s',
    };
  };
  return [row('git: commit on the remote', times.git), row('argocd: Application patched', times.argocd)];
}
