import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/helpers/cli.ts';
import { registerAnchorFlags } from './anchor-flag-options.ts';
import { anchorFlagWarnings } from './anchor-flags.ts';
import { ConfigError, loadConfig, type RawFlags } from './load-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'tagflow-signing-config-'));
const KEY = join(dir, 'id_ed25519');
writeFileSync(KEY, 'not parsed at startup, only checked to be readable\n');
chmodSync(KEY, 0o600);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `tagflow run ARGS` as commander hands the values to the run action (the three flags come from the table). */
function parseRun(args: string[]): RawFlags & Record<string, unknown> {
  const cmd = new Command('run').exitOverride().configureOutput({ writeErr: () => {} });
  registerAnchorFlags(cmd, new Set());
  return cmd.parse(args, { from: 'user' }).opts();
}

const signing = (flags: RawFlags, env: Record<string, string> = {}) => {
  const c = loadConfig(flags, env);
  return { key: c.gitCommitSigningKey, method: c.gitCommitSigningMethod, signOff: c.gitCommitSignOff };
};

function problems(flags: RawFlags, env: Record<string, string> = {}): string[] {
  try {
    loadConfig(flags, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('loadConfig accepted the configuration');
}

/**
 * The anchor's install manifests set these env variables from the optional keys of ConfigMap
 * argocd-image-updater-config (configMapKeyRef); a key that is absent leaves the variable unset.
 */
const CONFIG_MAP_ENV: Record<string, string> = {
  'git.commit-signing-key': 'GIT_COMMIT_SIGNING_KEY',
  'git.commit-signing-method': 'GIT_COMMIT_SIGNING_METHOD',
  'git.commit-sign-off': 'GIT_COMMIT_SIGN_OFF',
};
const fromConfigMap = (data: Record<string, string>) =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [CONFIG_MAP_ENV[k]!, v]));

describe('commit signing configuration', () => {
  it('signs nothing by default: no key, openpgp, no sign-off', () => {
    expect(signing({})).toEqual({ key: undefined, method: 'openpgp', signOff: false });
  });

  it('reads the flags as the anchor spells them', () => {
    const opts = parseRun([
      '--git-commit-signing-key',
      KEY,
      '--git-commit-signing-method=ssh',
      '--git-commit-sign-off',
    ]);
    expect(signing(opts)).toEqual({ key: KEY, method: 'ssh', signOff: true });
    expect(signing(parseRun(['--git-commit-signing-key=ABCDEF0123456789']))).toEqual({
      key: 'ABCDEF0123456789',
      method: 'openpgp',
      signOff: false,
    });
    expect(signing(parseRun(['--git-commit-sign-off=false']))).toMatchObject({ signOff: false });
    // implemented: no "is ignored" warning for any of them
    expect(anchorFlagWarnings(opts, {})).toEqual([]);
  });

  it('reads the env variables; a flag beats its env variable', () => {
    const env = { GIT_COMMIT_SIGNING_KEY: 'tagflow@example.com', GIT_COMMIT_SIGN_OFF: 'TRUE' };
    expect(signing({}, env)).toEqual({ key: 'tagflow@example.com', method: 'openpgp', signOff: true });
    expect(signing(parseRun(['--git-commit-signing-key', 'FLAGKEY', '--git-commit-sign-off=false']), env)).toEqual({
      key: 'FLAGKEY',
      method: 'openpgp',
      signOff: false,
    });
    expect(signing({}, { GIT_COMMIT_SIGNING_METHOD: 'ssh', GIT_COMMIT_SIGNING_KEY: KEY })).toMatchObject({
      method: 'ssh',
      key: KEY,
    });
  });

  it('reads the ConfigMap keys the anchor’s Deployment turns into those variables', () => {
    const env = fromConfigMap({
      'git.commit-signing-key': KEY,
      'git.commit-signing-method': 'ssh',
      'git.commit-sign-off': 'true',
    });
    expect(env).toEqual({ GIT_COMMIT_SIGNING_KEY: KEY, GIT_COMMIT_SIGNING_METHOD: 'ssh', GIT_COMMIT_SIGN_OFF: 'true' });
    expect(signing({}, env)).toEqual({ key: KEY, method: 'ssh', signOff: true });
    // the argo-helm chart's defaults: every key present, empty or false → unsigned, as the anchor
    const helm = fromConfigMap({
      'git.commit-signing-key': '',
      'git.commit-signing-method': '',
      'git.commit-sign-off': 'false',
    });
    expect(signing({}, helm)).toEqual({ key: undefined, method: 'openpgp', signOff: false });
  });

  it.each([
    [{ gitCommitSigningMethod: 'pgp' }, {}, '--git-commit-signing-method: expected openpgp or ssh, got "pgp"'],
    [
      {},
      { GIT_COMMIT_SIGNING_METHOD: 'x509' },
      'GIT_COMMIT_SIGNING_METHOD (--git-commit-signing-method): expected openpgp or ssh, got "x509"',
    ],
    [
      {},
      { GIT_COMMIT_SIGN_OFF: 'yes' },
      'GIT_COMMIT_SIGN_OFF (--git-commit-sign-off): expected true or false, got "yes"',
    ],
    [
      { gitCommitSigningKey: join(dir, 'missing'), gitCommitSigningMethod: 'ssh' },
      {},
      `--git-commit-signing-key: "${join(dir, 'missing')}" does not exist (with --git-commit-signing-method ssh it is the path of an SSH private key)`,
    ],
    [
      {},
      { GIT_COMMIT_SIGNING_KEY: dir, GIT_COMMIT_SIGNING_METHOD: 'ssh' },
      `GIT_COMMIT_SIGNING_KEY (--git-commit-signing-key): "${dir}" is not a file (with GIT_COMMIT_SIGNING_METHOD (--git-commit-signing-method) ssh it is the path of an SSH private key)`,
    ],
  ] as const)('refuses %j %j: %s', (flags, env, problem) => {
    expect(problems(flags, env)).toEqual([problem]);
  });

  it('lists a bad method and a bad sign-off together, with the other problems', () => {
    expect(problems({ gitCommitSigningMethod: 'gpg', interval: 'soon' }, { GIT_COMMIT_SIGN_OFF: 'on' }).sort()).toEqual(
      [
        '--git-commit-signing-method: expected openpgp or ssh, got "gpg"',
        'GIT_COMMIT_SIGN_OFF (--git-commit-sign-off): expected true or false, got "on"',
        'interval: invalid duration "soon" (expected e.g. 30s, 2m, 1h30m)',
      ].sort(),
    );
  });

  it('accepts an openpgp key id that is no file, and a method without a key (unsigned)', () => {
    expect(signing({ gitCommitSigningKey: 'DOES-NOT-EXIST-AS-A-FILE' })).toMatchObject({ method: 'openpgp' });
    expect(signing({ gitCommitSigningMethod: 'ssh' })).toEqual({ key: undefined, method: 'ssh', signOff: false });
  });

  it('`tagflow run` with an SSH key that is not there stops at startup with the error naming the flag', async () => {
    const missing = join(dir, 'no-such-key');
    const r = await runCli(
      ['run', '--once', '--git-commit-signing-method', 'ssh', '--git-commit-signing-key', missing],
      { REDIS_URL: 'redis://127.0.0.1:1' },
      60_000,
    );
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(`--git-commit-signing-key: "${missing}" does not exist`);
  }, 90_000);
});
