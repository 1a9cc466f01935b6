/**
 * Every flag of argocd-image-updater's `run` command (the v0 annotation line up to v0.18 and the v1 CRD
 * line up to HEAD), plus the one flag of its `webhook` command that `run` lacks, and what tagflow does with
 * each. Read from the anchor's cmd/run.go and cmd/webhook.go at every release tag (v0.1.0 to v0.18.0, v1.0.0
 * to HEAD); the anchor's meaning of each flag is in reference section 6.6.
 *
 * A Deployment written for the anchor must start tagflow: every row is accepted on the command line. A
 * `tagflow` row is implemented; an `ignored` row is accepted and, when given with a value that would
 * change the anchor's behaviour, produces one warning saying why tagflow ignores it and what it does instead.
 */

/** `bool` flags accept `--flag`, `--flag=true` and `--flag=false` (as pflag does); `list` flags repeat. */
export type AnchorFlagKind = 'bool' | 'string' | 'int' | 'duration' | 'list';
export type AnchorLine = 'v0' | 'v1';
export type AnchorCommand = 'run' | 'webhook';
export type FlagValue = string | boolean | readonly string[];

/** The value another row was given with (by flag or by its env variable), for rows whose effect depends on it. */
export type GivenValue = (flag: string) => FlagValue | undefined;

interface RowBase {
  /** Long name without the dashes. */
  readonly flag: string;
  readonly kind: AnchorFlagKind;
  /** Anchor lines whose `run` defines the flag; empty for a tagflow extension the anchor lacks. */
  readonly lines: readonly AnchorLine[];
  readonly commands: readonly AnchorCommand[];
  /** The environment variable the anchor reads for it (the shipped Deployments fill it from the ConfigMap). */
  readonly env?: string;
  /** The anchor's default, as the text a user would type. */
  readonly anchorDefault?: string;
  /** Range the anchor accepts for the env variable (outside it, the anchor warns and uses the default). */
  readonly envRange?: readonly [number, number];
  readonly reason: string;
}

export interface TagflowFlag extends RowBase {
  readonly treatment: 'tagflow';
  /** A value tagflow accepts but cannot honour: the warning that says what tagflow does instead. */
  readonly caveat?: (value: FlagValue, given: GivenValue) => string | undefined;
}

export interface IgnoredFlag extends RowBase {
  readonly treatment: 'ignored';
  /** Values that change nothing (default: the anchor's default). Given with one of these, no warning. */
  readonly harmless?: (value: FlagValue, given: GivenValue) => boolean;
}

export type AnchorFlag = TagflowFlag | IgnoredFlag;

const RUN = ['run'] as const;
const BOTH = ['run', 'webhook'] as const;
const V0 = ['v0'] as const;
const V1 = ['v1'] as const;
const ALL = ['v0', 'v1'] as const;

const isTrue = (v: FlagValue) => v === true;
/** The argocd-* client flags only matter to the anchor when it talks to the Argo CD API server. */
const unlessArgocdApi = (v: FlagValue, given: GivenValue) =>
  given('applications-api') !== 'argocd' || v === false || v === '';
/** The TLS knobs change nothing at their defaults, nor when the anchor's own TLS is off. */
const tlsHarmless = (anchorDefault: string) => (v: FlagValue, given: GivenValue) =>
  given('disable-tls') === true || v === anchorDefault;
const plainWebhook =
  "tagflow's webhook listener serves plain HTTP, so there is no TLS to tune; terminate TLS in front of it (Ingress, Gateway or mesh)";
const plainWebhookAlways =
  "tagflow's webhook listener always serves plain HTTP; terminate TLS in front of it (Ingress, Gateway or mesh)";
const noArgocdApi =
  'tagflow never calls the Argo CD API server: it reads and patches Applications through the Kubernetes API';

const webhookSecret = (flag: string, env: string, registry: string, lines: readonly AnchorLine[]): TagflowFlag => ({
  flag,
  kind: 'string',
  lines,
  commands: BOTH,
  env,
  anchorDefault: '',
  treatment: 'tagflow',
  reason: `secret that webhooks from ${registry} must carry`,
});

export const ANCHOR_FLAGS: readonly AnchorFlag[] = [
  // ── what tagflow's `run` already defines ─────────────────────────────────────────────────────────────
  {
    flag: 'interval',
    kind: 'duration',
    lines: ALL,
    commands: RUN,
    env: 'IMAGE_UPDATER_INTERVAL',
    anchorDefault: '2m',
    treatment: 'tagflow',
    reason: 'time between update cycles (Go duration); 0 runs one cycle and exits',
  },
  {
    flag: 'once',
    kind: 'bool',
    lines: ALL,
    commands: RUN,
    anchorDefault: 'false',
    treatment: 'tagflow',
    reason: 'runs one cycle, waits for its jobs, prints the results and exits',
  },
  {
    flag: 'dry-run',
    kind: 'bool',
    lines: ALL,
    commands: RUN,
    anchorDefault: 'false',
    treatment: 'tagflow',
    reason: 'plans and audits but writes nothing back',
  },
  {
    flag: 'loglevel',
    kind: 'string',
    lines: ALL,
    commands: BOTH,
    env: 'IMAGE_UPDATER_LOGLEVEL',
    anchorDefault: 'info',
    treatment: 'tagflow',
    reason: 'trace, debug, info, warn or error',
  },
  {
    flag: 'logformat',
    kind: 'string',
    lines: ALL,
    commands: RUN,
    env: 'IMAGE_UPDATER_LOGFORMAT',
    anchorDefault: 'text',
    treatment: 'tagflow',
    reason: 'text or json',
  },
  {
    flag: 'kubeconfig',
    kind: 'list',
    lines: ALL,
    commands: BOTH,
    env: 'KUBECONFIG',
    anchorDefault: '',
    treatment: 'tagflow',
    reason: 'kubeconfig file; repeat it (with --context) to serve several control planes',
  },
  {
    flag: 'context',
    kind: 'list',
    lines: [],
    commands: RUN,
    treatment: 'tagflow',
    reason: 'tagflow extension: kubeconfig context, repeatable, one control plane each',
  },
  {
    flag: 'registries-conf-path',
    kind: 'string',
    lines: ALL,
    commands: BOTH,
    anchorDefault: '/app/config/registries.conf',
    treatment: 'tagflow',
    reason: 'registries.conf file',
  },
  {
    flag: 'argocd-namespace',
    kind: 'string',
    lines: ALL,
    commands: BOTH,
    env: 'ARGOCD_NAMESPACE',
    anchorDefault: '',
    treatment: 'tagflow',
    reason: 'namespace of Argo CD and its Applications',
  },
  {
    flag: 'match-application-name',
    kind: 'list',
    lines: V0,
    commands: BOTH,
    treatment: 'tagflow',
    reason: 'only Applications whose name matches one of these globs',
  },
  {
    flag: 'match-application-label',
    kind: 'string',
    lines: V0,
    commands: BOTH,
    anchorDefault: '',
    treatment: 'tagflow',
    reason: 'only Applications matching this label selector',
  },
  {
    flag: 'git-commit-user',
    kind: 'string',
    lines: ALL,
    commands: BOTH,
    env: 'GIT_COMMIT_USER',
    anchorDefault: 'argocd-image-updater',
    treatment: 'tagflow',
    reason: 'commit author name',
  },
  {
    flag: 'git-commit-email',
    kind: 'string',
    lines: ALL,
    commands: BOTH,
    env: 'GIT_COMMIT_EMAIL',
    anchorDefault: 'noreply@argoproj.io',
    treatment: 'tagflow',
    reason: 'commit author e-mail',
  },
  {
    flag: 'git-commit-message-path',
    kind: 'string',
    lines: ALL,
    commands: BOTH,
    anchorDefault: '/app/config/commit.template',
    treatment: 'tagflow',
    reason: 'commit message template (Go text/template)',
  },
  {
    flag: 'disable-kube-events',
    kind: 'bool',
    lines: ALL,
    commands: BOTH,
    env: 'IMAGE_UPDATER_KUBE_EVENTS',
    anchorDefault: 'false',
    treatment: 'tagflow',
    reason: 'records no Kubernetes Events; as in the anchor, IMAGE_UPDATER_KUBE_EVENTS=true also disables them',
  },
  {
    flag: 'health-port',
    kind: 'int',
    lines: V0,
    commands: RUN,
    anchorDefault: '8080',
    treatment: 'tagflow',
    reason: 'port of /healthz and /readyz (0 = off)',
  },

  // ── what tagflow implements from the anchor ──────────────────────────────────────────────────────────
  {
    flag: 'application-namespace',
    kind: 'string',
    lines: V0,
    commands: BOTH,
    anchorDefault: '',
    treatment: 'tagflow',
    reason: 'only Applications in this namespace (default: all namespaces)',
  },
  {
    flag: 'watch-namespaces',
    kind: 'string',
    lines: V1,
    commands: RUN,
    env: 'IMAGE_UPDATER_WATCH_NAMESPACES',
    anchorDefault: '',
    treatment: 'tagflow',
    reason: 'namespaces whose Applications tagflow reads: "*" = all, "a,b" = those',
  },
  {
    flag: 'max-concurrency',
    kind: 'int',
    lines: V0,
    commands: BOTH,
    anchorDefault: '10',
    treatment: 'tagflow',
    reason: 'Applications checked at once (the select pool concurrency)',
  },
  {
    flag: 'max-concurrent-apps',
    kind: 'int',
    lines: V1,
    commands: BOTH,
    env: 'MAX_CONCURRENT_APPS',
    anchorDefault: '10',
    envRange: [1, 100],
    treatment: 'tagflow',
    reason: 'Applications checked at once (the select pool concurrency)',
  },
  {
    flag: 'quiet',
    kind: 'bool',
    lines: [],
    commands: RUN,
    anchorDefault: 'false',
    treatment: 'tagflow',
    reason: 'tagflow extension (argocd-image-updater has no --quiet): log level warn unless --loglevel is given',
  },
  {
    flag: 'metrics-port',
    kind: 'int',
    lines: V0,
    commands: RUN,
    anchorDefault: '8081',
    treatment: 'tagflow',
    reason: 'port of /metrics (0 = off)',
  },
  {
    flag: 'metrics-bind-address',
    kind: 'string',
    lines: V1,
    commands: RUN,
    anchorDefault: '0',
    treatment: 'tagflow',
    reason: 'address of /metrics, [host]:port (0 = off)',
    caveat: (v, given) =>
      v !== '0' && given('metrics-secure') === undefined
        ? '--metrics-bind-address: tagflow serves /metrics over plain HTTP there (argocd-image-updater serves HTTPS unless --metrics-secure=false); scrape it with http'
        : undefined,
  },
  {
    flag: 'health-probe-bind-address',
    kind: 'string',
    lines: V1,
    commands: RUN,
    anchorDefault: ':8081',
    treatment: 'tagflow',
    reason: 'address of /healthz and /readyz, [host]:port (0 = off)',
  },
  {
    flag: 'leader-election',
    kind: 'bool',
    lines: V1,
    commands: RUN,
    anchorDefault: 'true',
    treatment: 'tagflow',
    reason: 'always on: replicas coordinate through Redis (deduplicated jobs and locks)',
    caveat: (v) =>
      v === false
        ? '--leader-election=false has no effect: tagflow replicas always coordinate through Redis (deduplicated jobs and locks), so any number can run'
        : undefined,
  },
  {
    flag: 'enable-webhook',
    kind: 'bool',
    lines: ALL,
    commands: RUN,
    env: 'ENABLE_WEBHOOK',
    anchorDefault: 'false',
    treatment: 'tagflow',
    reason: 'receives registry webhooks and polls the pushed repository at once',
  },
  {
    flag: 'webhook-port',
    kind: 'int',
    lines: ALL,
    commands: BOTH,
    env: 'WEBHOOK_PORT',
    anchorDefault: '8082',
    envRange: [0, 65535],
    treatment: 'tagflow',
    reason: 'port of the webhook listener (the anchor: 8082 on run, 8080 on webhook)',
  },
  {
    flag: 'webhook-require-secret',
    kind: 'bool',
    lines: V1,
    commands: BOTH,
    env: 'WEBHOOK_REQUIRE_SECRET',
    anchorDefault: 'true',
    treatment: 'tagflow',
    reason: 'accepts webhooks only from registries whose secret is configured',
  },
  webhookSecret('docker-webhook-secret', 'DOCKER_WEBHOOK_SECRET', 'Docker Hub', ALL),
  webhookSecret('ghcr-webhook-secret', 'GHCR_WEBHOOK_SECRET', 'GitHub Container Registry', ALL),
  webhookSecret('quay-webhook-secret', 'QUAY_WEBHOOK_SECRET', 'Quay', ALL),
  webhookSecret('harbor-webhook-secret', 'HARBOR_WEBHOOK_SECRET', 'Harbor', ALL),
  webhookSecret('aliyun-acr-webhook-secret', 'ALIYUN_ACR_WEBHOOK_SECRET', 'Aliyun ACR', V1),
  webhookSecret('acr-webhook-secret', 'ACR_WEBHOOK_SECRET', 'Azure ACR', V1),
  webhookSecret(
    'cloudevents-webhook-secret',
    'CLOUDEVENTS_WEBHOOK_SECRET',
    'CloudEvents sources (AWS EventBridge)',
    V1,
  ),
  {
    flag: 'disable-kubernetes-events',
    kind: 'bool',
    lines: V0,
    commands: RUN,
    anchorDefault: 'false',
    treatment: 'tagflow',
    reason: 'v0.10 spelling of --disable-kube-events',
  },
  {
    flag: 'git-commit-signing-key',
    kind: 'string',
    lines: ALL,
    commands: BOTH,
    env: 'GIT_COMMIT_SIGNING_KEY',
    anchorDefault: '',
    treatment: 'tagflow',
    reason:
      'signs every commit: a GPG key id (openpgp, keyring from GNUPGHOME) or the path of an SSH private key (ssh)',
  },
  {
    flag: 'git-commit-signing-method',
    kind: 'string',
    lines: ALL,
    commands: BOTH,
    env: 'GIT_COMMIT_SIGNING_METHOD',
    anchorDefault: 'openpgp',
    treatment: 'tagflow',
    reason: 'how commits are signed: openpgp (gpg) or ssh (ssh-keygen)',
  },
  {
    flag: 'git-commit-sign-off',
    kind: 'bool',
    lines: ALL,
    commands: BOTH,
    env: 'GIT_COMMIT_SIGN_OFF',
    anchorDefault: 'false',
    treatment: 'tagflow',
    reason: 'adds a Signed-off-by trailer with the commit user and e-mail',
  },

  // ── accepted and ignored ─────────────────────────────────────────────────────────────────────────────
  {
    flag: 'warmup-cache',
    kind: 'bool',
    lines: ALL,
    commands: RUN,
    anchorDefault: 'true',
    treatment: 'ignored',
    reason:
      'the registry metadata cache lives in Redis and survives restarts, so there is nothing to warm up; the first cycle starts at once',
    harmless: (v) => v === false,
  },
  {
    flag: 'max-concurrent-reconciles',
    kind: 'int',
    lines: V1,
    commands: RUN,
    env: 'MAX_CONCURRENT_RECONCILES',
    anchorDefault: '1',
    envRange: [1, 10],
    treatment: 'ignored',
    reason:
      'tagflow has no per-ImageUpdater reconcile loop: every Application is its own job, and --max-concurrent-apps sets how many run at once',
  },
  {
    flag: 'max-concurrent-updaters',
    kind: 'int',
    lines: V1,
    commands: ['webhook'],
    env: 'MAX_CONCURRENT_UPDATERS',
    anchorDefault: '1',
    envRange: [1, 10],
    treatment: 'ignored',
    reason:
      'tagflow has no per-ImageUpdater reconcile loop: a webhook queues one poll of the pushed repository, and --max-concurrent-apps sets how many Applications are checked at once',
  },
  {
    flag: 'leader-election-namespace',
    kind: 'string',
    lines: V1,
    commands: RUN,
    anchorDefault: '',
    treatment: 'ignored',
    reason: 'tagflow replicas coordinate through Redis, not a Kubernetes Lease, so there is no lease namespace',
  },
  {
    flag: 'metrics-secure',
    kind: 'bool',
    lines: V1,
    commands: RUN,
    anchorDefault: 'true',
    treatment: 'ignored',
    reason:
      'tagflow serves /metrics over plain HTTP without Kubernetes authn/authz; scrape it with http and restrict it with a NetworkPolicy',
    harmless: (v) => v === false,
  },
  {
    flag: 'enable-http2',
    kind: 'bool',
    lines: V1,
    commands: BOTH,
    anchorDefault: 'false',
    treatment: 'ignored',
    reason:
      "tagflow's HTTP listeners speak HTTP/1.1 only (the anchor's default too, because of the HTTP/2 Rapid Reset CVEs)",
  },
  {
    flag: 'applications-api',
    kind: 'string',
    lines: V0,
    commands: BOTH,
    env: 'APPLICATIONS_API',
    anchorDefault: 'kubernetes',
    treatment: 'ignored',
    reason: `${noArgocdApi}; give its ServiceAccount RBAC on Applications`,
  },
  {
    flag: 'argocd-server-addr',
    kind: 'string',
    lines: V0,
    commands: BOTH,
    env: 'ARGOCD_SERVER',
    anchorDefault: '',
    treatment: 'ignored',
    reason: noArgocdApi,
    harmless: unlessArgocdApi,
  },
  {
    flag: 'argocd-grpc-web',
    kind: 'bool',
    lines: V0,
    commands: BOTH,
    env: 'ARGOCD_GRPC_WEB',
    anchorDefault: 'false',
    treatment: 'ignored',
    reason: noArgocdApi,
    harmless: unlessArgocdApi,
  },
  {
    flag: 'argocd-insecure',
    kind: 'bool',
    lines: V0,
    commands: BOTH,
    env: 'ARGOCD_INSECURE',
    anchorDefault: 'false',
    treatment: 'ignored',
    reason: noArgocdApi,
    harmless: unlessArgocdApi,
  },
  {
    flag: 'argocd-plaintext',
    kind: 'bool',
    lines: V0,
    commands: BOTH,
    env: 'ARGOCD_PLAINTEXT',
    anchorDefault: 'false',
    treatment: 'ignored',
    reason: noArgocdApi,
    harmless: unlessArgocdApi,
  },
  {
    flag: 'argocd-auth-token',
    kind: 'string',
    lines: V0,
    commands: BOTH,
    env: 'ARGOCD_TOKEN',
    anchorDefault: '',
    treatment: 'ignored',
    reason: noArgocdApi,
    harmless: unlessArgocdApi,
  },
  {
    flag: 'disable-kubernetes',
    kind: 'bool',
    lines: V0,
    commands: BOTH,
    anchorDefault: 'false',
    treatment: 'ignored',
    reason:
      'tagflow always uses the Kubernetes API: it lists and patches Applications and reads pull secrets and ConfigMaps there',
  },
  {
    flag: 'git-commit-method',
    kind: 'string',
    lines: V1,
    commands: BOTH,
    env: 'GIT_COMMIT_METHOD',
    anchorDefault: 'git',
    treatment: 'ignored',
    reason:
      'tagflow always commits and pushes with git (HTTPS or SSH), never through the GitHub API, so the repository credentials must allow a git push',
  },
  {
    flag: 'webhook-ratelimit-allowed',
    kind: 'int',
    lines: ALL,
    commands: BOTH,
    env: 'WEBHOOK_RATELIMIT_ALLOWED',
    anchorDefault: '0',
    envRange: [0, Number.MAX_SAFE_INTEGER],
    treatment: 'tagflow',
    reason:
      'authenticated webhooks accepted per hour (0 = no limit); over it the request is answered 429 (the anchor waits instead)',
  },
  {
    flag: 'disable-tls',
    kind: 'bool',
    lines: V1,
    commands: BOTH,
    env: 'DISABLE_TLS',
    anchorDefault: 'false',
    treatment: 'ignored',
    reason: plainWebhookAlways,
    harmless: isTrue,
  },
  {
    flag: 'tlsminversion',
    kind: 'string',
    lines: V1,
    commands: BOTH,
    env: 'TLS_MIN_VERSION',
    anchorDefault: '1.3',
    treatment: 'ignored',
    reason: plainWebhook,
    harmless: tlsHarmless('1.3'),
  },
  {
    flag: 'tlsmaxversion',
    kind: 'string',
    lines: V1,
    commands: BOTH,
    env: 'TLS_MAX_VERSION',
    anchorDefault: '1.3',
    treatment: 'ignored',
    reason: plainWebhook,
    harmless: tlsHarmless('1.3'),
  },
  {
    flag: 'tlsciphers',
    kind: 'string',
    lines: V1,
    commands: BOTH,
    env: 'TLS_CIPHERS',
    anchorDefault: '',
    treatment: 'ignored',
    reason: plainWebhook,
    harmless: tlsHarmless(''),
  },
];

/** True when `value` is what the anchor would use anyway. */
export function isAnchorDefault(value: FlagValue, row: Pick<AnchorFlag, 'kind' | 'anchorDefault'>): boolean {
  if (row.anchorDefault === undefined) return false;
  if (row.kind === 'bool') return value === (row.anchorDefault === 'true');
  if (row.kind === 'int')
    return typeof value === 'string' && value.trim() !== '' && Number(value) === Number(row.anchorDefault);
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'string' && value.trim() === row.anchorDefault;
}

export const anchorFlag = (flag: string): AnchorFlag | undefined => ANCHOR_FLAGS.find((r) => r.flag === flag);
