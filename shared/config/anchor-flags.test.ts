import { Command, CommanderError, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  COMPAT_HELP_GROUP,
  anchorBooleanOption,
  anchorFlagTable,
  hoistAnchorFlags,
  registerAnchorFlags,
} from './anchor-flag-options.ts';
import { ANCHOR_FLAGS, anchorFlag, anchorFlagWarnings, readAnchorSettings, type AnchorFlag } from './anchor-flags.ts';

// ── fixtures ────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Flags of argocd-image-updater's commands, read from argoproj-labs/argocd-image-updater cmd/run.go (and, before
 * v0.9, cmd/main.go) at every release tag. Go flag type → kind: BoolVar bool, StringVar string, IntVar int,
 * DurationVar duration, StringSliceVar list.
 */
const UPSTREAM_RUN_V0_18: Record<string, string> = {
  'applications-api': 'string',
  'argocd-server-addr': 'string',
  'argocd-grpc-web': 'bool',
  'argocd-insecure': 'bool',
  'argocd-plaintext': 'bool',
  'argocd-auth-token': 'string',
  'disable-kubernetes': 'bool',
  'dry-run': 'bool',
  interval: 'duration',
  loglevel: 'string',
  logformat: 'string',
  kubeconfig: 'string',
  'health-port': 'int',
  'metrics-port': 'int',
  once: 'bool',
  'registries-conf-path': 'string',
  'max-concurrency': 'int',
  'argocd-namespace': 'string',
  'application-namespace': 'string',
  'match-application-name': 'list',
  'match-application-label': 'string',
  'warmup-cache': 'bool',
  'git-commit-user': 'string',
  'git-commit-email': 'string',
  'git-commit-signing-key': 'string',
  'git-commit-signing-method': 'string',
  'git-commit-sign-off': 'bool',
  'git-commit-message-path': 'string',
  'disable-kube-events': 'bool',
  'enable-webhook': 'bool',
  'webhook-port': 'int',
  'docker-webhook-secret': 'string',
  'ghcr-webhook-secret': 'string',
  'quay-webhook-secret': 'string',
  'harbor-webhook-secret': 'string',
  'webhook-ratelimit-allowed': 'int',
};
/** Only in v0.10.0–v0.10.3 (later spelled --disable-kube-events). */
const UPSTREAM_RUN_V0_10_ONLY: Record<string, string> = { 'disable-kubernetes-events': 'bool' };
/** HEAD de2cfec6 (on the way to v1.4.0); v1.0.0–v1.3.0 define a subset of these. */
const UPSTREAM_RUN_HEAD: Record<string, string> = {
  'metrics-bind-address': 'string',
  'health-probe-bind-address': 'string',
  'metrics-secure': 'bool',
  'enable-http2': 'bool',
  'leader-election': 'bool',
  'leader-election-namespace': 'string',
  'dry-run': 'bool',
  interval: 'duration',
  loglevel: 'string',
  logformat: 'string',
  kubeconfig: 'string',
  once: 'bool',
  'registries-conf-path': 'string',
  'max-concurrent-apps': 'int',
  'max-concurrent-reconciles': 'int',
  'argocd-namespace': 'string',
  'watch-namespaces': 'string',
  'warmup-cache': 'bool',
  'disable-kube-events': 'bool',
  'git-commit-user': 'string',
  'git-commit-email': 'string',
  'git-commit-signing-key': 'string',
  'git-commit-signing-method': 'string',
  'git-commit-sign-off': 'bool',
  'git-commit-message-path': 'string',
  'git-commit-method': 'string',
  'enable-webhook': 'bool',
  'webhook-require-secret': 'bool',
  'webhook-port': 'int',
  'docker-webhook-secret': 'string',
  'ghcr-webhook-secret': 'string',
  'quay-webhook-secret': 'string',
  'harbor-webhook-secret': 'string',
  'aliyun-acr-webhook-secret': 'string',
  'acr-webhook-secret': 'string',
  'cloudevents-webhook-secret': 'string',
  'webhook-ratelimit-allowed': 'int',
  'disable-tls': 'bool',
  tlsminversion: 'string',
  tlsmaxversion: 'string',
  tlsciphers: 'string',
};
/** The one flag of HEAD's `webhook` command that `run` lacks. */
const UPSTREAM_WEBHOOK_ONLY: Record<string, string> = { 'max-concurrent-updaters': 'int' };

/**
 * Container `args` of real argocd-image-updater Deployments, verbatim.
 * - v0 install: argoproj-labs/argocd-image-updater v0.18.0 manifests/install.yaml (the same since v0.13.0;
 *   v0.5–v0.12 used `command: [/usr/local/bin/argocd-image-updater, run]` with no args).
 * - v1 install: config/install.yaml of v1.0.0, v1.1.0, v1.2.0, v1.3.0 and HEAD (config/default/
 *   manager_metrics_patch.yaml puts the flag in front of `run`).
 * - Helm v1: argoproj/argo-helm charts/argocd-image-updater 1.2.4 (appVersion v1.2.2) templates/deployment.yaml,
 *   rendered with the default containerPorts.metrics 8443.
 * - Helm v0 extraArgs: the same chart at 0.13.0 (appVersion v0.17.0): `- run` followed by the extraArgs example
 *   documented in its values.yaml (each flag and value a separate entry, as the chart asks).
 */
const V0_INSTALL_ARGS = ['run'];
const V1_INSTALL_ARGS = ['--metrics-bind-address=:8443', 'run'];
const HELM_V1_ARGS = ['--metrics-bind-address=:8443', 'run'];
const HELM_V0_EXTRA_ARGS = [
  'run',
  '--disable-kubernetes',
  '--dry-run',
  '--health-port',
  '8080',
  '--interval',
  '2m',
  '--kubeconfig',
  '~/.kube/config',
  '--match-application-name',
  'staging-*',
  '--max-concurrency',
  '5',
  '--once',
  '--registries-conf-path',
  '/app/config/registries.conf',
];
/**
 * The anchor's own end-to-end invocations (test/e2e/suite/*-run-updater.yaml), shell-split: HEAD
 * 001-simple-kustomize-app-semver/02-run-updater.yaml and v0.18.0 102-kustomize-match-application-name/03-run-updater.yaml
 * (whose `--registries-conf-path=""` reaches the program as `--registries-conf-path=`).
 */
const E2E_HEAD_ARGS = [
  'run',
  '--once',
  '--argocd-namespace',
  'argocd-image-updater-e2e',
  '--registries-conf-path',
  '/src/test/e2e/assets/registries.conf',
  '--loglevel',
  'trace',
  '--leader-election-namespace',
  'image-updater-system',
  '--max-concurrent-reconciles',
  '10',
];
const E2E_V0_ARGS = [
  'run',
  '--once',
  '--argocd-namespace',
  'argocd-image-updater-e2e',
  '--match-application-name',
  'image-updater-102-0',
  '--registries-conf-path=',
  '--loglevel',
  'info',
];

/** Env variables those install manifests set (each from an optional ConfigMap or Secret key). */
const V0_INSTALL_ENV_NAMES =
  'APPLICATIONS_API ARGOCD_GRPC_WEB ARGOCD_SERVER ARGOCD_INSECURE ARGOCD_PLAINTEXT ARGOCD_TOKEN IMAGE_UPDATER_INTERVAL IMAGE_UPDATER_LOGLEVEL GIT_COMMIT_USER GIT_COMMIT_EMAIL GIT_COMMIT_SIGNING_KEY GIT_COMMIT_SIGNING_METHOD GIT_COMMIT_SIGN_OFF IMAGE_UPDATER_KUBE_EVENTS ARGOCD_LOGLEVEL ENABLE_WEBHOOK WEBHOOK_PORT QUAY_WEBHOOK_SECRET DOCKER_WEBHOOK_SECRET GHCR_WEBHOOK_SECRET HARBOR_WEBHOOK_SECRET WEBHOOK_RATELIMIT_ALLOWED'.split(
    ' ',
  );
const V1_INSTALL_ENV_NAMES =
  'ARGOCD_NAMESPACE IMAGE_UPDATER_WATCH_NAMESPACES IMAGE_UPDATER_INTERVAL IMAGE_UPDATER_LOGLEVEL IMAGE_UPDATER_LOGFORMAT MAX_CONCURRENT_APPS MAX_CONCURRENT_RECONCILES GIT_COMMIT_USER GIT_COMMIT_EMAIL GIT_COMMIT_SIGNING_KEY GIT_COMMIT_SIGNING_METHOD GIT_COMMIT_SIGN_OFF IMAGE_UPDATER_KUBE_EVENTS ENABLE_WEBHOOK WEBHOOK_REQUIRE_SECRET WEBHOOK_PORT QUAY_WEBHOOK_SECRET DOCKER_WEBHOOK_SECRET GHCR_WEBHOOK_SECRET HARBOR_WEBHOOK_SECRET ALIYUN_ACR_WEBHOOK_SECRET ACR_WEBHOOK_SECRET CLOUDEVENTS_WEBHOOK_SECRET WEBHOOK_RATELIMIT_ALLOWED DISABLE_TLS TLS_MIN_VERSION TLS_MAX_VERSION TLS_CIPHERS'.split(
    ' ',
  );
/** The env those manifests produce from the argo-helm chart's default ConfigMap values (1.2.4, and 0.13.0). */
const HELM_V1_DEFAULT_ENV = {
  IMAGE_UPDATER_KUBE_EVENTS: 'false',
  GIT_COMMIT_USER: '',
  GIT_COMMIT_EMAIL: '',
  GIT_COMMIT_SIGNING_KEY: '',
  GIT_COMMIT_SIGN_OFF: 'false',
  GIT_COMMIT_SIGNING_METHOD: '',
  IMAGE_UPDATER_LOGLEVEL: 'info',
};
const HELM_V0_DEFAULT_ENV = { IMAGE_UPDATER_LOGLEVEL: 'info', IMAGE_UPDATER_KUBE_EVENTS: 'false' };
/** Chart 0.13.0 with `config.applicationsAPIKind: argocd` (its other argocd values at their defaults). */
const HELM_V0_ARGOCD_API_ENV = {
  ...HELM_V0_DEFAULT_ENV,
  APPLICATIONS_API: 'argocd',
  ARGOCD_GRPC_WEB: 'true',
  ARGOCD_INSECURE: 'false',
  ARGOCD_PLAINTEXT: 'false',
};

// ── a `tagflow run` like apps/cli/commands/run.ts today ─────────────────────────────────────────────────

const collect = (v: string, prev: string[] = []) => [...prev, v];
/** The flags run.ts defines itself. */
const RUN_TS_FLAGS = new Set([
  'once',
  'dry-run',
  'interval',
  'roles',
  'kubeconfig',
  'context',
  'argocd-namespace',
  'registries-conf-path',
  'redis-url',
  'match-application-name',
  'match-application-label',
  'git-commit-user',
  'git-commit-email',
  'git-commit-message-path',
  'disable-kube-events',
  'health-port',
  'loglevel',
  'logformat',
]);

function tagflow() {
  const program = new Command('tagflow').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  let seen: Record<string, unknown> | undefined;
  const run = program
    .command('run')
    .option('--once')
    .option('--dry-run')
    .option('--interval <duration>')
    .option('--roles <list>')
    .option('--kubeconfig <file>')
    .option('--context <name>')
    .option('--argocd-namespace <ns>')
    .option('--registries-conf-path <file>')
    .option('--redis-url <url>')
    .option('--match-application-name <glob>', 'glob', collect)
    .option('--match-application-label <selector>')
    .option('--git-commit-user <name>')
    .option('--git-commit-email <email>')
    .option('--git-commit-message-path <file>')
    .option('--disable-kube-events')
    .option('--health-port <port>')
    .option('--loglevel <level>')
    .option('--logformat <format>');
  registerAnchorFlags(run, RUN_TS_FLAGS);
  run.action(function (this: Command) {
    seen = this.opts();
  });
  const parse = (args: readonly string[]) => {
    seen = undefined;
    program.parse(hoistAnchorFlags(args), { from: 'user' });
    return seen!;
  };
  return { program, run, parse };
}

/** A bare command with every table flag of `row`'s command registered (nothing skipped). */
function bare(row: AnchorFlag) {
  const cmd = new Command(row.commands[0]).exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerAnchorFlags(cmd, new Set(), row.commands[0]);
  return (args: string[]) => cmd.parse(args, { from: 'user' }).opts() as Record<string, unknown>;
}

const attr = (flag: string) => new Option(`--${flag}`).attributeName();
const SAMPLE: Record<string, string> = { int: '7', duration: '90s', string: 'x', list: 'x' };
/** Values an ignored flag warns for (the opposite of its default, unless that is the harmless one). */
const WARNING_VALUE: Record<string, string> = {
  'warmup-cache': 'true',
  'metrics-secure': 'true',
  'disable-tls': 'false',
};
/** Other flags without which an ignored flag changes nothing, even in the anchor. */
const COMPANIONS: Record<string, string[]> = {
  'argocd-server-addr': ['--applications-api', 'argocd'],
  'argocd-grpc-web': ['--applications-api', 'argocd'],
  'argocd-insecure': ['--applications-api', 'argocd'],
  'argocd-plaintext': ['--applications-api', 'argocd'],
  'argocd-auth-token': ['--applications-api', 'argocd'],
};
const warningValue = (row: AnchorFlag) =>
  WARNING_VALUE[row.flag] ?? (row.kind === 'bool' ? String(row.anchorDefault !== 'true') : SAMPLE[row.kind]);
const about = (flag: string, warnings: string[]) =>
  warnings.filter((w) => new RegExp(`(^|\\()--${flag}[ :=)]`).test(w));
const rows = ANCHOR_FLAGS.map((r) => [r.flag, r] as const);

// ── the table ───────────────────────────────────────────────────────────────────────────────────────────

describe('the anchor flag table', () => {
  it('has one row per flag', () => {
    const names = ANCHOR_FLAGS.map((r) => r.flag);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each([
    ['run v0.18.0', UPSTREAM_RUN_V0_18, 'v0', 'run'],
    ['run v0.10.x', UPSTREAM_RUN_V0_10_ONLY, 'v0', 'run'],
    ['run HEAD', UPSTREAM_RUN_HEAD, 'v1', 'run'],
    ['webhook HEAD', UPSTREAM_WEBHOOK_ONLY, 'v1', 'webhook'],
  ] as const)('covers every flag of the anchor’s %s with its arity', (_, upstream, line, command) => {
    for (const [flag, kind] of Object.entries(upstream)) {
      const row = anchorFlag(flag);
      expect(row, flag).toBeDefined();
      // --kubeconfig is one file in the anchor, repeatable in tagflow (one control plane each).
      expect(row!.kind, flag).toBe(flag === 'kubeconfig' ? 'list' : kind);
      expect(row!.lines, flag).toContain(line);
      expect(row!.commands, flag).toContain(command);
    }
  });

  it('holds nothing the anchor lacks but the tagflow extensions --context and --quiet', () => {
    const upstream = {
      ...UPSTREAM_RUN_V0_18,
      ...UPSTREAM_RUN_V0_10_ONLY,
      ...UPSTREAM_RUN_HEAD,
      ...UPSTREAM_WEBHOOK_ONLY,
    };
    expect(ANCHOR_FLAGS.filter((r) => !(r.flag in upstream)).map((r) => r.flag)).toEqual(['context', 'quiet']);
    expect(ANCHOR_FLAGS.filter((r) => r.lines.length === 0).map((r) => r.flag)).toEqual(['context', 'quiet']);
  });

  it.each([
    ['v0.18.0 install.yaml', V0_INSTALL_ENV_NAMES],
    ['HEAD install.yaml', V1_INSTALL_ENV_NAMES],
  ])('knows every env variable the %s Deployment sets', (_, names) => {
    const known = new Set(ANCHOR_FLAGS.map((r) => r.env));
    // ARGOCD_LOGLEVEL is read by Argo CD's vendored libraries, not by a flag.
    expect(names.filter((n) => !known.has(n))).toEqual(names.includes('ARGOCD_LOGLEVEL') ? ['ARGOCD_LOGLEVEL'] : []);
  });

  it('gives every ignored flag a reason and renders a README table', () => {
    for (const r of ANCHOR_FLAGS) expect(r.reason.length, r.flag).toBeGreaterThan(10);
    const md = anchorFlagTable();
    expect(md.split('\n')).toHaveLength(ANCHOR_FLAGS.length + 2);
    expect(md).toContain(
      '| `--warmup-cache[=true|false]` | v0, v1 | — | ignored: the registry metadata cache lives in Redis',
    );
  });
});

const rowsWhere = (keep: (r: AnchorFlag) => boolean) => rows.filter(([, r]) => keep(r));

describe('every row', () => {
  it.each(rows)('--%s is registered and parses --flag value and --flag=value', (flag, row) => {
    const parse = bare(row);
    if (row.kind === 'bool') {
      expect(parse([`--${flag}`])[attr(flag)]).toBe(true);
      return;
    }
    const expected = row.kind === 'list' ? [SAMPLE.list] : SAMPLE[row.kind];
    expect(parse([`--${flag}`, SAMPLE[row.kind]])[attr(flag)]).toEqual(expected);
    expect(parse([`--${flag}=${SAMPLE[row.kind]}`])[attr(flag)]).toEqual(expected);
  });

  it.each(rowsWhere((r) => r.kind === 'bool'))(
    '--%s accepts =true|false in Go’s spellings and rejects others',
    (flag, row) => {
      const parse = bare(row);
      for (const v of ['true', 'True', 'TRUE', 't', '1']) expect(parse([`--${flag}=${v}`])[attr(flag)]).toBe(true);
      for (const v of ['false', 'False', 'FALSE', 'f', '0']) expect(parse([`--${flag}=${v}`])[attr(flag)]).toBe(false);
      expect(() => parse([`--${flag}=yes`])).toThrow(CommanderError);
    },
  );

  it.each(rowsWhere((r) => r.treatment === 'ignored'))(
    '--%s warns once, naming the flag, when given a value that matters',
    (flag, row) => {
      const opts = bare(row)([...(COMPANIONS[flag] ?? []), `--${flag}=${warningValue(row)}`]);
      expect(about(flag, anchorFlagWarnings(opts, {}))).toEqual([`--${flag} is ignored: ${row.reason}`]);
    },
  );

  it.each(rowsWhere((r) => r.treatment === 'ignored' && r.env !== undefined))(
    '--%s warns the same when given by its env variable',
    (flag, row) => {
      const opts = bare(row)(COMPANIONS[flag] ?? []);
      expect(about(flag, anchorFlagWarnings(opts, { [row.env!]: warningValue(row) }))).toEqual([
        `${row.env} (--${flag}) is ignored: ${row.reason}`,
      ]);
    },
  );

  it.each(rowsWhere((r) => r.treatment === 'ignored' && r.anchorDefault !== undefined && !(r.flag in WARNING_VALUE)))(
    '--%s is silent at the anchor’s default',
    (flag, row) => {
      const opts = bare(row)([`--${flag}=${row.anchorDefault}`]);
      expect(about(flag, anchorFlagWarnings(opts, {}))).toEqual([]);
    },
  );

  it.each(rowsWhere((r) => r.treatment === 'tagflow'))('--%s is implemented: no "is ignored" warning', (flag, row) => {
    const value = row.kind === 'bool' ? 'true' : flag.endsWith('bind-address') ? ':9000' : SAMPLE[row.kind];
    const opts = bare(row)([`--${flag}=${value}`]);
    expect(anchorFlagWarnings(opts, {}).filter((w) => w.includes('is ignored'))).toEqual([]);
  });
});

// ── commander, as tagflow uses it ───────────────────────────────────────────────────────────────────────

describe('commander', () => {
  it('rejects --flag=false on a plain boolean option, which is why anchor bools are `--flag [bool]`', () => {
    const plain = new Command('run')
      .exitOverride()
      .configureOutput({ writeErr: () => {} })
      .option('--once');
    expect(() => plain.parse(['--once=false'], { from: 'user' })).toThrow(/unknown option '--once=false'/);
    const compat = new Command('run').exitOverride().addOption(anchorBooleanOption('--once'));
    expect(compat.parse(['--once=false'], { from: 'user' }).opts()).toEqual({ once: false });
    expect(
      new Command('run').addOption(anchorBooleanOption('--once')).parse(['--once'], { from: 'user' }).opts(),
    ).toEqual({ once: true });
  });

  it('rejects a run flag written before `run`, as the anchor’s v1 install manifest does, unless hoisted', () => {
    expect(() => tagflow().program.parse(V1_INSTALL_ARGS, { from: 'user' })).toThrow(
      /unknown option '--metrics-bind-address=:8443'/,
    );
    expect(tagflow().parse(V1_INSTALL_ARGS)).toMatchObject({ metricsBindAddress: ':8443' });
  });

  it('keeps the flags run.ts defines and registers the rest', () => {
    const { run } = tagflow();
    const longs = run.options.map((o) => o.long);
    expect(longs.filter((l) => l === '--once')).toHaveLength(1);
    for (const r of ANCHOR_FLAGS.filter((r) => r.commands.includes('run')))
      expect(longs, r.flag).toContain(`--${r.flag}`);
    expect(longs).not.toContain('--max-concurrent-updaters');
  });

  it('shows implemented flags in a compatibility section of --help and hides ignored ones', () => {
    const help = tagflow().run.helpInformation();
    expect(help).toContain(COMPAT_HELP_GROUP);
    expect(help).toMatch(/--max-concurrency <n>\s+Applications checked at once/);
    expect(help).toContain('--enable-webhook [bool]');
    expect(help).not.toContain('--warmup-cache');
    expect(help).not.toContain('--tlsciphers');
  });
});

describe('hoistAnchorFlags', () => {
  it.each([
    [
      ['--metrics-bind-address=:8443', 'run'],
      ['run', '--metrics-bind-address=:8443'],
    ],
    [
      ['--metrics-bind-address', ':8443', 'run', '--once'],
      ['run', '--metrics-bind-address', ':8443', '--once'],
    ],
    [
      ['--leader-election', '--loglevel', 'debug', 'run', '--loglevel', 'info'],
      ['run', '--leader-election', '--loglevel', 'debug', '--loglevel', 'info'],
    ],
    [
      ['--argocd-namespace', 'run', 'run'],
      ['run', '--argocd-namespace', 'run'],
    ],
    [
      ['run', '--once'],
      ['run', '--once'],
    ],
    [['--version'], ['--version']],
    [
      ['test', '--registries-conf-path', 'f', 'run'],
      ['test', '--registries-conf-path', 'f', 'run'],
    ],
    [
      ['--unknown', 'run'],
      ['--unknown', 'run'],
    ],
  ])('%j → %j', (args, expected) => {
    expect(hoistAnchorFlags(args)).toEqual(expected);
  });
});

// ── real Deployments ────────────────────────────────────────────────────────────────────────────────────

describe('arguments of real argocd-image-updater Deployments', () => {
  const ignored = (via: string) => expect.stringMatching(new RegExp(`^${via.replace(/[()]/g, '\\$&')} is ignored: `));

  it.each([
    ['v0.18.0 install.yaml, empty ConfigMap', V0_INSTALL_ARGS, {}, []],
    ['v0.18.0 install.yaml, argo-helm 0.13.0 default ConfigMap', V0_INSTALL_ARGS, HELM_V0_DEFAULT_ENV, []],
    [
      'v0.18.0 install.yaml, argo-helm 0.13.0 with applicationsAPIKind argocd',
      V0_INSTALL_ARGS,
      HELM_V0_ARGOCD_API_ENV,
      [ignored('APPLICATIONS_API (--applications-api)'), ignored('ARGOCD_GRPC_WEB (--argocd-grpc-web)')],
    ],
    ['argo-helm 0.13.0 extraArgs example', HELM_V0_EXTRA_ARGS, HELM_V0_DEFAULT_ENV, [ignored('--disable-kubernetes')]],
    ['anchor e2e, v0.18.0', E2E_V0_ARGS, {}, []],
    [
      'v1 install.yaml (v1.0.0 – HEAD), empty ConfigMap',
      V1_INSTALL_ARGS,
      {},
      [expect.stringMatching(/^--metrics-bind-address: tagflow serves \/metrics over plain HTTP/)],
    ],
    [
      'argo-helm 1.2.4 default values',
      HELM_V1_ARGS,
      HELM_V1_DEFAULT_ENV,
      [expect.stringMatching(/^--metrics-bind-address: /)],
    ],
    [
      'anchor e2e, HEAD',
      E2E_HEAD_ARGS,
      {},
      [ignored('--max-concurrent-reconciles'), ignored('--leader-election-namespace')],
    ],
  ] as const)('%s: parses without exiting, with the expected warnings', (_, args, env, expected) => {
    const opts = tagflow().parse(args);
    expect(opts).toBeDefined();
    expect(anchorFlagWarnings(opts, env)).toEqual(expected);
    expect(readAnchorSettings(opts, env).problems).toEqual([]);
  });

  it('maps the values a v0 Deployment gives', () => {
    const opts = tagflow().parse(HELM_V0_EXTRA_ARGS);
    expect(opts).toMatchObject({
      dryRun: true,
      once: true,
      healthPort: '8080',
      interval: '2m',
      matchApplicationName: ['staging-*'],
      disableKubernetes: true,
    });
    expect(readAnchorSettings(opts, HELM_V0_DEFAULT_ENV).settings).toEqual({
      kubeconfigs: ['~/.kube/config'],
      contexts: [],
      selectConcurrency: 5,
      webhook: { secrets: {} },
    });
    expect(tagflow().parse(E2E_V0_ARGS)).toMatchObject({ registriesConfPath: '' });
  });

  it('maps the values a v1 Deployment gives', () => {
    const { settings } = readAnchorSettings(tagflow().parse(V1_INSTALL_ARGS), {});
    expect(settings).toMatchObject({ metricsPort: 8443 });
    expect(settings.metricsHost).toBeUndefined();
  });

  it('accepts the v1 flags as `run --help` documents them (these are not in any shipped manifest)', () => {
    const args = [
      '--metrics-bind-address=:8443',
      'run',
      '--leader-election',
      '--health-probe-bind-address=:8081',
      '--metrics-secure',
      '--warmup-cache=true',
      '--enable-webhook',
      '--webhook-port=8082',
    ];
    const opts = tagflow().parse(args);
    expect(anchorFlagWarnings(opts, {})).toEqual([ignored('--warmup-cache'), ignored('--metrics-secure')]);
    const { settings, problems } = readAnchorSettings(opts, {});
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({ healthPort: 8081, metricsPort: 8443, webhook: { enabled: true, port: 8082 } });
  });

  it.each([
    [
      '--leader-election=false',
      [
        expect.stringMatching(
          /^--leader-election=false has no effect: tagflow replicas always coordinate through Redis/,
        ),
      ],
    ],
    ['--leader-election=true', []],
    ['--metrics-secure=false', []],
    ['--warmup-cache=false', []],
    ['--disable-kubernetes=false', []],
    ['--enable-http2=false', []],
    ['--git-commit-sign-off=false', []],
    ['--disable-tls=true', []],
    ['--once=false', null],
  ] as const)('%s', (arg, expected) => {
    if (expected === null) {
      // run.ts declares --once as a plain boolean today: switch it to anchorBooleanOption to accept this form.
      expect(() => tagflow().parse(['run', arg])).toThrow(/unknown option/);
      return;
    }
    expect(anchorFlagWarnings(tagflow().parse(['run', arg]), {})).toEqual(expected);
  });

  it('is silent about --metrics-bind-address=:8443 once --metrics-secure=false says the scraper uses http', () => {
    const opts = tagflow().parse(['--metrics-bind-address=:8443', 'run', '--metrics-secure=false']);
    expect(anchorFlagWarnings(opts, {})).toEqual([]);
    expect(anchorFlagWarnings(tagflow().parse(['run', '--metrics-bind-address=0']), {})).toEqual([]);
  });
});

// ── env variables and the typed values ──────────────────────────────────────────────────────────────────

describe('anchorFlagWarnings from env variables', () => {
  const opts = () => tagflow().parse(['run']);
  it.each([
    [{ MAX_CONCURRENT_RECONCILES: '4' }, ['MAX_CONCURRENT_RECONCILES (--max-concurrent-reconciles)']],
    [{ MAX_CONCURRENT_RECONCILES: '1' }, []],
    // Out of the anchor's range or not a number: the anchor falls back to its default, so nothing changes.
    [{ MAX_CONCURRENT_RECONCILES: '11' }, []],
    [{ MAX_CONCURRENT_RECONCILES: 'many' }, []],
    // implemented (shared/config/git-signing.ts): no "is ignored" warning
    [{ GIT_COMMIT_SIGN_OFF: 'TRUE' }, []],
    [{ GIT_COMMIT_SIGNING_METHOD: 'ssh', GIT_COMMIT_SIGNING_KEY: '/app/ssh-keys/id_rsa' }, []],
    [{ APPLICATIONS_API: 'kubernetes', ARGOCD_SERVER: 'argocd-server.argocd', ARGOCD_TOKEN: 'secret' }, []],
    [{ TLS_MIN_VERSION: '1.2' }, ['TLS_MIN_VERSION (--tlsminversion)']],
    [{ TLS_MIN_VERSION: '1.2', DISABLE_TLS: 'true' }, []],
    [{ GIT_COMMIT_METHOD: 'api' }, ['GIT_COMMIT_METHOD (--git-commit-method)']],
    [{ WEBHOOK_RATELIMIT_ALLOWED: '0' }, []],
  ])('%j', (env, expected) => {
    const warnings = anchorFlagWarnings(opts(), env);
    expect(warnings.map((w) => w.slice(0, w.indexOf(' is ignored')))).toEqual(expected);
  });

  it('prefers the flag to the env variable', () => {
    expect(
      anchorFlagWarnings(tagflow().parse(['run', '--max-concurrent-reconciles', '1']), {
        MAX_CONCURRENT_RECONCILES: '5',
      }),
    ).toEqual([]);
  });

  it('never repeats a secret value', () => {
    const opts = tagflow().parse(['run', '--applications-api', 'argocd', '--argocd-auth-token', 's3cr3t']);
    const warnings = anchorFlagWarnings(opts, {});
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).not.toContain('s3cr3t');
  });
});

describe('readAnchorSettings', () => {
  const read = (args: string[], env: Record<string, string> = {}) =>
    readAnchorSettings(tagflow().parse(['run', ...args]), env);

  it.each([
    [['--max-concurrency', 'x'], '--max-concurrency: expected a positive integer, got "x"'],
    [['--max-concurrency', '0'], '--max-concurrency: expected a positive integer, got "0"'],
    [['--max-concurrent-apps=-3'], '--max-concurrent-apps: expected a positive integer, got "-3"'],
    [
      ['--max-concurrency', '4', '--max-concurrent-apps', '8'],
      '--max-concurrency (4) and --max-concurrent-apps (8) disagree: give one',
    ],
    [['--metrics-port', '70000'], '--metrics-port: expected a port number (0-65535), got "70000"'],
    [['--webhook-port=http'], '--webhook-port: expected a port number (0-65535), got "http"'],
    [['--metrics-bind-address', '8443'], '--metrics-bind-address: expected [host]:port or 0, got "8443"'],
    [['--health-probe-bind-address=:99999'], '--health-probe-bind-address: expected [host]:port or 0, got ":99999"'],
    [
      ['--health-port', '8080', '--health-probe-bind-address', ':8081'],
      '--health-port (8080) and --health-probe-bind-address (8081) disagree: give one',
    ],
  ])('%j → %s', (args, problem) => {
    expect(read(args).problems).toEqual([problem]);
  });

  it.each([
    [['--max-concurrency', '5'], {}, 5],
    [['--max-concurrent-apps=12'], { MAX_CONCURRENT_APPS: '3' }, 12],
    [['--max-concurrency', '5'], { MAX_CONCURRENT_APPS: '3' }, 5],
    [[], { MAX_CONCURRENT_APPS: '3' }, 3],
    [['--max-concurrency', '6', '--max-concurrent-apps', '6'], {}, 6],
    [[], {}, undefined],
  ])('select concurrency of %j with %j is %s', (args, env, n) => {
    const r = read(args, env);
    expect(r.problems).toEqual([]);
    expect(r.settings.selectConcurrency).toBe(n);
  });

  it('caps the concurrency at tagflow’s per-pool limit with a warning, instead of failing', () => {
    const r = read(['--max-concurrency', '500']);
    expect(r.settings.selectConcurrency).toBe(200);
    expect(r.warnings).toEqual(["--max-concurrency: 500 is above tagflow's limit per pool; using 200"]);
  });

  it('falls back to the default for a bad env number, with a warning, as the anchor does', () => {
    const r = read([], { MAX_CONCURRENT_APPS: '0', WEBHOOK_PORT: 'eighty' });
    expect(r.problems).toEqual([]);
    expect(r.settings.selectConcurrency).toBeUndefined();
    expect(r.settings.webhook.port).toBeUndefined();
    expect(r.warnings).toEqual([
      'MAX_CONCURRENT_APPS: expected a positive integer, got "0"; using the default (10), as argocd-image-updater does',
      'WEBHOOK_PORT: expected a port number (0-65535), got "eighty"; using the default (8082), as argocd-image-updater does',
    ]);
  });

  it('reads --quiet as log level warn unless --loglevel is given', () => {
    expect(read(['--quiet']).settings.logLevel).toBe('warn');
    expect(read(['--quiet', '--loglevel', 'debug']).settings.logLevel).toBeUndefined();
    expect(read(['--quiet=false']).settings.logLevel).toBeUndefined();
  });

  it('reads namespaces', () => {
    expect(read(['--application-namespace', 'apps']).settings.applicationNamespace).toBe('apps');
    expect(read(['--watch-namespaces', '*']).settings.watchNamespaces).toBe('*');
    expect(read([], { IMAGE_UPDATER_WATCH_NAMESPACES: 'team-a, team-b,' }).settings.watchNamespaces).toEqual([
      'team-a',
      'team-b',
    ]);
    expect(read(['--watch-namespaces=']).settings.watchNamespaces).toBeUndefined();
  });

  it('reads addresses: [host]:port, IPv6 and 0 = off', () => {
    expect(read(['--health-probe-bind-address', '127.0.0.1:8081']).settings).toMatchObject({
      healthHost: '127.0.0.1',
      healthPort: 8081,
    });
    expect(read(['--metrics-bind-address', '[::1]:8443']).settings).toMatchObject({
      metricsHost: '::1',
      metricsPort: 8443,
    });
    expect(read(['--metrics-bind-address', '0']).settings.metricsPort).toBe(0);
    expect(read(['--metrics-port', '0']).settings.metricsPort).toBe(0);
  });

  it('reads the webhook flags, flag before env', () => {
    const r = read(
      ['--enable-webhook=false', '--webhook-require-secret=false', '--ghcr-webhook-secret', 'flag-secret'],
      {
        ENABLE_WEBHOOK: 'true',
        GHCR_WEBHOOK_SECRET: 'env-secret',
        QUAY_WEBHOOK_SECRET: 'quay',
        CLOUDEVENTS_WEBHOOK_SECRET: '',
      },
    );
    expect(r.settings.webhook).toEqual({
      enabled: false,
      requireSecret: false,
      secrets: { ghcr: 'flag-secret', quay: 'quay' },
    });
    expect(read([], { ENABLE_WEBHOOK: 'TRUE', WEBHOOK_PORT: '9000' }).settings.webhook).toMatchObject({
      enabled: true,
      port: 9000,
    });
  });

  it('reads repeated --kubeconfig and --context when registered from the table', () => {
    const cmd = new Command('run').exitOverride();
    registerAnchorFlags(cmd, new Set());
    const opts = cmd
      .parse(['--kubeconfig', 'a', '--context', 'one', '--kubeconfig', 'b', '--context', 'two'], { from: 'user' })
      .opts();
    expect(readAnchorSettings(opts, {}).settings).toMatchObject({ kubeconfigs: ['a', 'b'], contexts: ['one', 'two'] });
    expect(read(['--kubeconfig', 'single']).settings.kubeconfigs).toEqual(['single']);
  });

  it('maps the v0.10 spelling --disable-kubernetes-events', () => {
    expect(read(['--disable-kubernetes-events']).settings.disableKubeEvents).toBe(true);
  });
});
