import { ConfigSchema, ROLES, type Config, type ConfigInput } from './schema.ts';
import { parseGoDuration } from '../domain/registry/go-duration.ts';
import { compileGlob } from '../domain/policy/glob.ts';
import type { AnchorSettings } from './anchor-flags.ts';
import { readSigning, type SigningFlags } from './git-signing.ts';

/** Flags as the CLI hands them over (strings and booleans, unset = undefined). */
export interface RawFlags extends SigningFlags {
  redisUrl?: string;
  interval?: string;
  once?: boolean;
  dryRun?: boolean;
  roles?: string;
  kubeconfig?: string[];
  context?: string[];
  credentialsContext?: string;
  argocdNamespace?: string;
  registriesConfPath?: string;
  matchApplicationName?: string[];
  matchApplicationLabel?: string;
  gitCommitUser?: string;
  gitCommitEmail?: string;
  gitCommitMessagePath?: string;
  healthPort?: string;
  apiTokenFile?: string;
  fullResync?: string;
  disableKubeEvents?: boolean;
  /** tagflow's own flag (the anchor has no distribution type). */
  distributionWebhookSecret?: string;
  loglevel?: string;
  logformat?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const list = (v: string | undefined) =>
  v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Flag beats environment beats default; an empty environment variable counts as unset (as the
 * anchor reads them, and as a Helm chart's empty ConfigMap values arrive). `anchor` carries what
 * the argocd-image-updater flags mapped to (see anchor-flags.ts). Collects every problem first.
 */
export function loadConfig(
  flags: RawFlags,
  rawEnv: Record<string, string | undefined>,
  anchor?: Partial<AnchorSettings>,
): Config {
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([, v]) => v !== undefined && v !== '')) as Record<
    string,
    string | undefined
  >;
  const problems: string[] = [];
  const duration = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const ms = parseGoDuration(value.trim());
    if (ms === null || ms < 0) problems.push(`${name}: invalid duration "${value}" (expected e.g. 30s, 2m, 1h30m)`);
    return ms === null || ms < 0 ? undefined : Math.round(ms);
  };
  const roles = list(flags.roles ?? env.TAGFLOW_ROLES);
  if (roles)
    for (const r of roles)
      if (!(ROLES as readonly string[]).includes(r))
        problems.push(`roles: unknown role "${r}" (known: ${ROLES.join(', ')})`);
  const watch =
    anchor?.watchNamespaces === '*'
      ? ['*']
      : (anchor?.watchNamespaces ?? (anchor?.applicationNamespace ? [anchor.applicationNamespace] : undefined));
  const concurrency = concurrencyFrom(env.TAGFLOW_CONCURRENCY, problems);
  const input: ConfigInput = {
    redisUrl: flags.redisUrl ?? env.REDIS_URL,
    queuePrefix: env.TAGFLOW_PREFIX,
    intervalMs: duration('interval', flags.interval ?? env.IMAGE_UPDATER_INTERVAL),
    once: flags.once,
    dryRun: flags.dryRun,
    roles: roles as Config['roles'] | undefined,
    kubeconfigs: flags.kubeconfig?.length ? flags.kubeconfig : undefined,
    contexts: flags.context?.length ? flags.context : undefined,
    credentialsContext: flags.credentialsContext ?? env.TAGFLOW_CREDENTIALS_CONTEXT,
    argocdNamespace: flags.argocdNamespace ?? env.ARGOCD_NAMESPACE,
    watchNamespaces: watch,
    fullResyncMs: duration('full-resync', flags.fullResync ?? env.TAGFLOW_FULL_RESYNC),
    leaseMs: duration('TAGFLOW_LEASE_PERIOD', env.TAGFLOW_LEASE_PERIOD),
    cycleTimeoutMs: duration('TAGFLOW_CYCLE_TIMEOUT', env.TAGFLOW_CYCLE_TIMEOUT),
    registriesConfPath: flags.registriesConfPath,
    matchApplicationName: flags.matchApplicationName,
    matchApplicationLabel: flags.matchApplicationLabel,
    gitCommitUser: flags.gitCommitUser ?? env.GIT_COMMIT_USER,
    gitCommitEmail: flags.gitCommitEmail ?? env.GIT_COMMIT_EMAIL,
    gitCommitMessagePath: flags.gitCommitMessagePath,
    ...readSigning(flags, env, problems),
    defaultPlatforms: list(env.TAGFLOW_DEFAULT_PLATFORMS),
    concurrency:
      anchor?.selectConcurrency !== undefined
        ? { ...(concurrency ?? {}), select: anchor.selectConcurrency }
        : concurrency,
    gitCloneCache: env.TAGFLOW_GIT_CLONE_CACHE !== undefined ? Number(env.TAGFLOW_GIT_CLONE_CACHE) : undefined,
    gitCloneIdleMs: duration('TAGFLOW_GIT_CLONE_IDLE', env.TAGFLOW_GIT_CLONE_IDLE),
    gitMaxBatch: env.TAGFLOW_GIT_MAX_BATCH !== undefined ? Number(env.TAGFLOW_GIT_MAX_BATCH) : undefined,
    registryMaxInFlight:
      env.TAGFLOW_REGISTRY_MAX_INFLIGHT !== undefined ? Number(env.TAGFLOW_REGISTRY_MAX_INFLIGHT) : undefined,
    kubeEvents:
      flags.disableKubeEvents || anchor?.disableKubeEvents
        ? false
        : env.IMAGE_UPDATER_KUBE_EVENTS === 'true'
          ? false
          : undefined,
    ...webhookInput(flags, env, anchor),
    apiHost: anchor?.healthHost ?? env.TAGFLOW_API_HOST,
    apiPort:
      flags.healthPort !== undefined
        ? Number(flags.healthPort)
        : (anchor?.healthPort ?? (env.TAGFLOW_API_PORT !== undefined ? Number(env.TAGFLOW_API_PORT) : undefined)),
    apiToken: env.TAGFLOW_API_TOKEN,
    apiTokenFile: flags.apiTokenFile ?? env.TAGFLOW_API_TOKEN_FILE,
    logLevel: (flags.loglevel ?? anchor?.logLevel ?? env.IMAGE_UPDATER_LOGLEVEL) as Config['logLevel'] | undefined,
    logFormat: (flags.logformat ?? env.IMAGE_UPDATER_LOGFORMAT) as Config['logFormat'] | undefined,
  };
  for (const glob of flags.matchApplicationName ?? []) {
    try {
      compileGlob(glob);
    } catch (e) {
      problems.push(`match-application-name: ${(e as Error).message}`);
    }
  }
  const parsed = ConfigSchema.safeParse(dropUndefined(input));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.') || 'config'}: ${issue.message}`);
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  // argocd-image-updater: an interval of 0 means a single run.
  return parsed.data.intervalMs === 0 ? { ...parsed.data, once: true } : parsed.data;
}

/** The webhook settings: the anchor's flags and variables (anchor-flags.ts) plus the distribution secret. */
function webhookInput(
  flags: RawFlags,
  env: Record<string, string | undefined>,
  anchor?: Partial<AnchorSettings>,
): Pick<ConfigInput, 'enableWebhook' | 'webhookPort' | 'webhookRequireSecret' | 'webhookRateLimit' | 'webhookSecrets'> {
  const w = anchor?.webhook;
  const secrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(w?.secrets ?? {}))
    if (value) secrets[WEBHOOK_SECRET_KEYS[key] ?? key] = value;
  const distribution = flags.distributionWebhookSecret ?? env.DISTRIBUTION_WEBHOOK_SECRET;
  if (distribution) secrets.distribution = distribution;
  return {
    enableWebhook: w?.enabled,
    webhookPort: w?.port,
    webhookRequireSecret: w?.requireSecret,
    webhookRateLimit: w?.rateLimit,
    webhookSecrets: secrets,
  };
}

/** anchor-flags.ts names registries in camel case; the config uses the flag's spelling. */
const WEBHOOK_SECRET_KEYS: Record<string, string> = { aliyunAcr: 'aliyun-acr' };

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** `TAGFLOW_CONCURRENCY=registry=16,git=2`: pools not named keep their defaults. */
function concurrencyFrom(value: string | undefined, problems: string[]): ConfigInput['concurrency'] {
  if (!value) return undefined;
  const out: Record<string, number> = {};
  for (const pair of list(value) ?? []) {
    const [pool, n] = pair.split('=');
    if (!pool || !n || !/^\d+$/.test(n)) problems.push(`TAGFLOW_CONCURRENCY: expected pool=number, got "${pair}"`);
    else out[pool.trim()] = Number(n);
  }
  return out as ConfigInput['concurrency'];
}
