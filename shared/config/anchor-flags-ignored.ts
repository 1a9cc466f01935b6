/**
 * The rows of the argocd-image-updater flag table that tagflow accepts and ignores: each says why, and
 * `harmless` names the values that change nothing (given with another, the flag gets one warning).
 */
import { ALL, BOTH, RUN, V0, V1, type FlagValue, type GivenValue, type IgnoredFlag } from './anchor-flag-types.ts';

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

export const IGNORED_FLAGS: readonly IgnoredFlag[] = [
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
