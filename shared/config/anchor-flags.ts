/**
 * argocd-image-updater's command line, accepted by `tagflow run` (table: anchor-flag-table.ts;
 * commander options, hoisting and help: anchor-flag-options.ts). This file reads what was given.
 *
 * Wiring, for the composition root:
 *   registerAnchorFlags(runCmd, new Set(['once', 'dry-run', ...flags run.ts defines itself]));
 *   program.parseAsync(hoistAnchorFlags(process.argv.slice(2)), { from: 'user' });
 *   then, in the action: anchorFlagWarnings(opts, env) → log each at warn;
 *   readAnchorSettings(opts, env) → merge `settings` into the config input, `problems` into ConfigError.
 */
import { ANCHOR_FLAGS, anchorFlag, isAnchorDefault, type AnchorFlag, type FlagValue } from './anchor-flag-table.ts';

export { ANCHOR_FLAGS, anchorFlag, type AnchorFlag } from './anchor-flag-table.ts';

const attribute = (flag: string) => flag.split('-').reduce((s, w) => s + w[0].toUpperCase() + w.slice(1));

/** The anchor's reading of its env variable: empty is unset, bools are true/false, ints must be in range. */
function fromEnv(row: AnchorFlag, env: Record<string, string | undefined>): FlagValue | undefined {
  const raw = row.env ? env[row.env] : undefined;
  if (raw === undefined || raw === '') return undefined;
  if (row.kind === 'bool')
    return raw.toLowerCase() === 'true' ? true : raw.toLowerCase() === 'false' ? false : undefined;
  if (row.kind === 'int') return /^[+-]?\d+$/.test(raw) && inRange(Number(raw), row.envRange) ? raw : undefined;
  return row.kind === 'list' ? [raw] : raw;
}

const inRange = (n: number, range?: readonly [number, number]) => !range || (n >= range[0] && n <= range[1]);

interface Given {
  value: FlagValue;
  /** How the user gave it, as a warning names it. */
  via: string;
}

function given(
  row: AnchorFlag,
  opts: Record<string, unknown>,
  env: Record<string, string | undefined>,
): Given | undefined {
  const v = opts[attribute(row.flag)];
  if (typeof v === 'string' || typeof v === 'boolean') return { value: v, via: `--${row.flag}` };
  if (Array.isArray(v)) return { value: v.map(String), via: `--${row.flag}` };
  const e = fromEnv(row, env);
  return e === undefined ? undefined : { value: e, via: `${row.env} (--${row.flag})` };
}

/**
 * One line per flag that was given (on the command line or through the anchor's env variable) and that
 * tagflow ignores or cannot honour, saying what tagflow does instead. Values that change nothing are silent.
 */
export function anchorFlagWarnings(opts: Record<string, unknown>, env: Record<string, string | undefined>): string[] {
  const lookup = (flag: string) => {
    const row = anchorFlag(flag);
    return row && given(row, opts, env)?.value;
  };
  const warnings: string[] = [];
  for (const row of ANCHOR_FLAGS) {
    const g = given(row, opts, env);
    if (!g) continue;
    if (row.treatment === 'tagflow') {
      const caveat = row.caveat?.(g.value, lookup);
      if (caveat) warnings.push(caveat);
    } else if (!(row.harmless ? row.harmless(g.value, lookup) : isAnchorDefault(g.value, row))) {
      warnings.push(`${g.via} is ignored: ${row.reason}`);
    }
  }
  return warnings;
}

export type WebhookRegistry = 'docker' | 'ghcr' | 'quay' | 'harbor' | 'aliyunAcr' | 'acr' | 'cloudevents';
const SECRET_FLAGS: Record<WebhookRegistry, string> = {
  docker: 'docker-webhook-secret',
  ghcr: 'ghcr-webhook-secret',
  quay: 'quay-webhook-secret',
  harbor: 'harbor-webhook-secret',
  aliyunAcr: 'aliyun-acr-webhook-secret',
  acr: 'acr-webhook-secret',
  cloudevents: 'cloudevents-webhook-secret',
};

/** Values of the `tagflow` anchor flags that tagflow maps to its own config. Unset = not given (use the default). */
export interface AnchorSettings {
  /** --kubeconfig, repeatable; paired by position with `contexts`. */
  kubeconfigs: string[];
  /** --context, repeatable. */
  contexts: string[];
  /** v0 --application-namespace; unset = all namespaces. */
  applicationNamespace?: string;
  /** v1 --watch-namespaces / IMAGE_UPDATER_WATCH_NAMESPACES; '*' = all. */
  watchNamespaces?: '*' | string[];
  /** Select pool concurrency: --max-concurrent-apps, --max-concurrency or MAX_CONCURRENT_APPS. */
  selectConcurrency?: number;
  /** From --quiet when no --loglevel is given. */
  logLevel?: 'warn';
  /** From --health-probe-bind-address; port 0 = off. (--health-port is run.ts's own flag.) */
  healthHost?: string;
  healthPort?: number;
  /** From --metrics-port or --metrics-bind-address; port 0 = off. */
  metricsHost?: string;
  metricsPort?: number;
  /** From the v0.10 spelling --disable-kubernetes-events. */
  disableKubeEvents?: true;
  webhook: {
    enabled?: boolean;
    port?: number;
    requireSecret?: boolean;
    /** --webhook-ratelimit-allowed / WEBHOOK_RATELIMIT_ALLOWED: accepted webhooks per hour, 0 = off. */
    rateLimit?: number;
    secrets: Partial<Record<WebhookRegistry, string>>;
  };
}

export interface AnchorSettingsResult {
  settings: AnchorSettings;
  /** Invalid values, each naming its flag: fail startup with these. */
  problems: string[];
  /** Values tagflow adjusted, as the anchor does for a bad env variable: log at warn. */
  warnings: string[];
}

/** tagflow's per-pool limit (schema.ts: concurrency max 200). */
const MAX_POOL_CONCURRENCY = 200;

export function readAnchorSettings(
  opts: Record<string, unknown>,
  env: Record<string, string | undefined>,
): AnchorSettingsResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  const flag = (name: string): FlagValue | undefined => opts[attribute(name)] as FlagValue | undefined;
  const str = (name: string) => {
    const v = flag(name);
    return typeof v === 'string' ? v : undefined;
  };
  const strings = (name: string) => {
    const v = flag(name);
    return v === undefined || typeof v === 'boolean' ? [] : typeof v === 'string' ? [v] : [...v];
  };
  const bool = (name: string) => {
    const v = flag(name) ?? fromEnv(anchorFlag(name)!, env);
    return typeof v === 'boolean' ? v : undefined;
  };
  /** A flag beats its env variable; a bad env value falls back to the default with a warning, as the anchor does. */
  const int = (name: string, min: number, max: number, what: string) => {
    const row = anchorFlag(name)!;
    const text = str(name);
    if (text !== undefined) {
      const n = /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : NaN;
      if (Number.isInteger(n) && n >= min && n <= max) return n;
      problems.push(`--${name}: expected ${what}, got "${text}"`);
      return undefined;
    }
    const raw = row.env ? env[row.env] : undefined;
    if (raw === undefined || raw === '') return undefined;
    if (fromEnv(row, env) !== undefined) return Number(raw);
    warnings.push(
      `${row.env}: expected ${what}, got "${raw}"; using the default (${row.anchorDefault}), as argocd-image-updater does`,
    );
    return undefined;
  };

  const settings: AnchorSettings = {
    kubeconfigs: strings('kubeconfig'),
    contexts: strings('context'),
    webhook: { secrets: {} },
  };

  const appNs = str('application-namespace')?.trim();
  if (appNs) settings.applicationNamespace = appNs;
  const watch = (str('watch-namespaces') ?? env.IMAGE_UPDATER_WATCH_NAMESPACES ?? '').trim();
  if (watch === '*') settings.watchNamespaces = '*';
  else if (watch)
    settings.watchNamespaces = watch
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);

  // Each anchor line has one of the two flags; a flag beats the v1 env variable.
  const positive = 'a positive integer';
  const v0 = int('max-concurrency', 1, Number.MAX_SAFE_INTEGER, positive);
  const v1 = int('max-concurrent-apps', 1, Number.MAX_SAFE_INTEGER, positive);
  const v1Flag = str('max-concurrent-apps') !== undefined;
  if (v0 !== undefined && v1 !== undefined && v1Flag && v0 !== v1)
    problems.push(`--max-concurrency (${v0}) and --max-concurrent-apps (${v1}) disagree: give one`);
  const [concurrency, via] = v1Flag
    ? [v1, '--max-concurrent-apps']
    : v0 !== undefined
      ? [v0, '--max-concurrency']
      : [v1, 'MAX_CONCURRENT_APPS'];
  if (concurrency !== undefined) {
    if (concurrency > MAX_POOL_CONCURRENCY)
      warnings.push(`${via}: ${concurrency} is above tagflow's limit per pool; using ${MAX_POOL_CONCURRENCY}`);
    settings.selectConcurrency = Math.min(concurrency, MAX_POOL_CONCURRENCY);
  }

  if (flag('quiet') === true && flag('loglevel') === undefined) settings.logLevel = 'warn';

  const probe = bindAddress('health-probe-bind-address', str('health-probe-bind-address'), problems);
  if (probe) {
    settings.healthPort = probe.port;
    if (probe.host) settings.healthHost = probe.host;
    const healthPort = str('health-port');
    if (healthPort !== undefined && Number(healthPort) !== probe.port)
      problems.push(`--health-port (${healthPort}) and --health-probe-bind-address (${probe.port}) disagree: give one`);
  }
  const metricsPort = int('metrics-port', 0, 65535, 'a port number (0-65535)');
  const metrics = bindAddress('metrics-bind-address', str('metrics-bind-address'), problems);
  if (metricsPort !== undefined && metrics && metricsPort !== metrics.port)
    problems.push(`--metrics-port (${metricsPort}) and --metrics-bind-address (${metrics.port}) disagree: give one`);
  if (metrics?.host) settings.metricsHost = metrics.host;
  const mPort = metrics?.port ?? metricsPort;
  if (mPort !== undefined) settings.metricsPort = mPort;

  if (flag('disable-kubernetes-events') === true) settings.disableKubeEvents = true;

  const enabled = bool('enable-webhook');
  if (enabled !== undefined) settings.webhook.enabled = enabled;
  const port = int('webhook-port', 0, 65535, 'a port number (0-65535)');
  if (port !== undefined) settings.webhook.port = port;
  const requireSecret = bool('webhook-require-secret');
  if (requireSecret !== undefined) settings.webhook.requireSecret = requireSecret;
  const rateLimit = int(
    'webhook-ratelimit-allowed',
    0,
    Number.MAX_SAFE_INTEGER,
    'a number of requests per hour (0 = off)',
  );
  if (rateLimit !== undefined) settings.webhook.rateLimit = rateLimit;
  for (const [registry, name] of Object.entries(SECRET_FLAGS) as [WebhookRegistry, string][]) {
    const secret = str(name) || env[anchorFlag(name)!.env!];
    if (secret) settings.webhook.secrets[registry] = secret;
  }
  return { settings, problems, warnings };
}

/** Go's listen address as controller-runtime reads it: `[host]:port`, or `0` for off. */
function bindAddress(
  name: string,
  value: string | undefined,
  problems: string[],
): { host?: string; port: number } | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '0') return { port: 0 };
  const m = /^(.*):(\d{1,5})$/.exec(v);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) {
    problems.push(`--${name}: expected [host]:port or 0, got "${value}"`);
    return undefined;
  }
  const host = m[1].replace(/^\[(.*)\]$/, '$1');
  return host ? { host, port } : { port };
}
