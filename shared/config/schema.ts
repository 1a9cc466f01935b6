import { z } from 'zod';

export const ROLES = ['scheduler', 'registry', 'select', 'patch', 'git', 'api'] as const;
export type Role = (typeof ROLES)[number];

const concurrency = (d: number) => z.number().int().min(1).max(200).default(d);

/** The one configuration schema. Parsed once in each main; nothing below reads process.env. */
export const ConfigSchema = z.object({
  redisUrl: z
    .string()
    .url()
    .default('redis://127.0.0.1:6379')
    .describe('Redis holding queues, snapshots and the audit trail (REDIS_URL)'),
  queuePrefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('tagflow')
    .describe('Prefix of every Redis key (TAGFLOW_PREFIX)'),
  intervalMs: z
    .number()
    .int()
    .min(0)
    .default(120_000)
    .describe('Time between update cycles (--interval, IMAGE_UPDATER_INTERVAL)'),
  once: z.boolean().default(false).describe('Run one cycle, wait for its jobs, print the results and exit (--once)'),
  dryRun: z.boolean().default(false).describe('Plan and audit without writing back (--dry-run)'),
  roles: z
    .array(z.enum(ROLES))
    .min(1)
    .default([...ROLES])
    .describe('Roles this process runs (--roles, TAGFLOW_ROLES)'),
  kubeconfigs: z
    .array(z.string())
    .default([])
    .describe(
      'Kubeconfig files, one control plane per selected context (--kubeconfig, repeatable); default KUBECONFIG, ~/.kube/config or in-cluster',
    ),
  contexts: z
    .array(z.string())
    .default([])
    .describe(
      "Contexts to serve, each a control plane named after it (--context, repeatable); default each file's current context",
    ),
  credentialsContext: z
    .string()
    .optional()
    .describe('A control plane whose Secrets every other one may reference when it lacks them (--credentials-context)'),
  argocdNamespace: z
    .string()
    .optional()
    .describe(
      "Namespace of Argo CD: its ConfigMap and Secrets (--argocd-namespace, ARGOCD_NAMESPACE); default the context's namespace, else argocd",
    ),
  watchNamespaces: z
    .array(z.string().min(1))
    .default([])
    .describe(
      'Namespaces whose Applications are tracked, * = all (--watch-namespaces, --application-namespace, IMAGE_UPDATER_WATCH_NAMESPACES); default the Argo CD namespace',
    ),
  fullResyncMs: z
    .number()
    .int()
    .min(1000)
    .default(3_600_000)
    .describe('How often every app is checked even when nothing changed (--full-resync, TAGFLOW_FULL_RESYNC)'),
  leaseMs: z
    .number()
    .int()
    .min(1000)
    .default(15_000)
    .describe('Lease period: how long a dead process keeps a control plane unwatched (TAGFLOW_LEASE_PERIOD)'),
  cycleTimeoutMs: z
    .number()
    .int()
    .min(60_000)
    .default(30 * 60_000)
    .describe('A cycle still open after this long is ended with an error (TAGFLOW_CYCLE_TIMEOUT)'),
  registriesConfPath: z
    .string()
    .optional()
    .describe('registries.conf file (--registries-conf-path); default the argocd-image-updater-config ConfigMap'),
  matchApplicationName: z
    .array(z.string())
    .default([])
    .describe('Only Applications whose name matches one of these globs (--match-application-name)'),
  matchApplicationLabel: z
    .string()
    .optional()
    .describe('Only Applications matching this label selector (--match-application-label)'),
  gitCommitUser: z
    .string()
    .min(1)
    .default('argocd-image-updater')
    .describe('Commit author name (--git-commit-user, GIT_COMMIT_USER)'),
  gitCommitEmail: z
    .string()
    .min(1)
    .default('noreply@argoproj.io')
    .describe('Commit author e-mail (--git-commit-email, GIT_COMMIT_EMAIL)'),
  gitCommitMessagePath: z.string().optional().describe('Commit message template file (--git-commit-message-path)'),
  gitCommitSigningKey: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Sign commits with this key: a GPG key id (openpgp) or the path of an SSH private key (ssh); unset = unsigned (--git-commit-signing-key, GIT_COMMIT_SIGNING_KEY)',
    ),
  gitCommitSigningMethod: z
    .enum(['openpgp', 'ssh'])
    .default('openpgp')
    .describe(
      'openpgp (gpg, keyring from GNUPGHOME) or ssh (ssh-keygen) (--git-commit-signing-method, GIT_COMMIT_SIGNING_METHOD)',
    ),
  gitCommitSignOff: z
    .boolean()
    .default(false)
    .describe(
      'Add a Signed-off-by trailer with the commit user and e-mail (--git-commit-sign-off, GIT_COMMIT_SIGN_OFF)',
    ),
  defaultPlatforms: z
    .array(z.string())
    .default(['linux/amd64'])
    .describe('Platforms wanted when an image sets none (TAGFLOW_DEFAULT_PLATFORMS)'),
  concurrency: z
    .strictObject({
      scheduler: concurrency(1),
      registry: concurrency(8),
      select: concurrency(16),
      patch: concurrency(8),
      git: concurrency(4),
    })
    .default({ scheduler: 1, registry: 8, select: 16, patch: 8, git: 4 })
    .describe('Jobs each worker pool runs at once in this process (TAGFLOW_CONCURRENCY=registry=16,git=2)'),
  gitCloneCache: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(32)
    .describe(
      'Local clones the git pool keeps between commits, per process; 0 = a fresh clone each time (TAGFLOW_GIT_CLONE_CACHE)',
    ),
  gitCloneIdleMs: z
    .number()
    .int()
    .min(1000)
    .default(600_000)
    .describe('A kept clone unused this long is removed (TAGFLOW_GIT_CLONE_IDLE, a Go duration)'),
  gitMaxBatch: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('Apps per commit at most when many apps share a branch; 0 = no cap, one commit (TAGFLOW_GIT_MAX_BATCH)'),
  registryMaxInFlight: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(10)
    .describe('Requests in flight at once per registry in each process (TAGFLOW_REGISTRY_MAX_INFLIGHT)'),
  kubeEvents: z
    .boolean()
    .default(true)
    .describe(
      'Record Kubernetes Events on Applications (--disable-kube-events; IMAGE_UPDATER_KUBE_EVENTS=true disables, as the anchor)',
    ),
  enableWebhook: z
    .boolean()
    .default(false)
    .describe(
      'Serve registry webhooks (POST /webhook) on --webhook-port too; the api role serves them anyway (--enable-webhook, ENABLE_WEBHOOK)',
    ),
  webhookPort: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(8082)
    .describe(
      'Port of the webhook listener of --enable-webhook (--webhook-port, WEBHOOK_PORT; `tagflow webhook`: 8080)',
    ),
  webhookRequireSecret: z
    .boolean()
    .default(true)
    .describe(
      'Refuse webhooks of a type whose secret is not configured (--webhook-require-secret, WEBHOOK_REQUIRE_SECRET)',
    ),
  webhookRateLimit: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      'Authenticated webhooks accepted per hour and process, 0 = no limit; over it 429 (--webhook-ratelimit-allowed, WEBHOOK_RATELIMIT_ALLOWED)',
    ),
  webhookSecrets: z
    .record(z.string(), z.string().min(1))
    .default({})
    .describe(
      'Webhook secrets by type key (docker, ghcr, harbor, quay, aliyun-acr, acr, cloudevents, distribution): --<key>-webhook-secret, <KEY>_WEBHOOK_SECRET, else key webhook.<key>-secret of Secret argocd-image-updater-secret (secrets, never logged)',
    ),
  apiHost: z.string().default('0.0.0.0').describe('Address the api role listens on (TAGFLOW_API_HOST)'),
  apiPort: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(8080)
    .describe('Port of the api role: /healthz, /readyz (--health-port, --health-probe-bind-address, TAGFLOW_API_PORT)'),
  apiToken: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Bearer token of the dashboard and the JSON API; unset (and no --api-token-file) = they answer 401 (TAGFLOW_API_TOKEN; a secret, never logged)',
    ),
  apiTokenFile: z
    .string()
    .min(1)
    .optional()
    .describe(
      'File holding the dashboard/API token, read at start and trimmed; wins over TAGFLOW_API_TOKEN (--api-token-file, TAGFLOW_API_TOKEN_FILE)',
    ),
  logLevel: z
    .enum(['trace', 'debug', 'info', 'warn', 'error'])
    .default('info')
    .describe('--loglevel, IMAGE_UPDATER_LOGLEVEL'),
  logFormat: z.enum(['text', 'json']).default('text').describe('--logformat, IMAGE_UPDATER_LOGFORMAT'),
});

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
