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

import {
  ALL,
  BOTH,
  RUN,
  V0,
  V1,
  type AnchorFlag,
  type AnchorLine,
  type FlagValue,
  type TagflowFlag,
} from './anchor-flag-types.ts';
import { IGNORED_FLAGS } from './anchor-flags-ignored.ts';
import { RUN_FLAGS } from './anchor-flags-run.ts';

export type {
  AnchorCommand,
  AnchorFlag,
  AnchorFlagKind,
  AnchorLine,
  FlagValue,
  GivenValue,
  IgnoredFlag,
  TagflowFlag,
} from './anchor-flag-types.ts';

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
  // ── what tagflow's `run` already defines: anchor-flags-run.ts ──────────────────────────────────────
  ...RUN_FLAGS,
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

  // ── accepted and ignored: anchor-flags-ignored.ts ────────────────────────────────────────────────────
  ...IGNORED_FLAGS,
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
