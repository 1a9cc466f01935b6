/**
 * simple-git instances with a hermetic environment. simple-git 4's environment guard strips every
 * ambient GIT_* variable (and rejects guarded ones passed explicitly unless allow-listed), so the
 * child environment is built here from scratch:
 *   - no global/system git config (GIT_CONFIG_GLOBAL/SYSTEM=/dev/null), no prompts, http(s)/file only,
 *     plus ssh for an ssh remote, through the given GIT_SSH_COMMAND (see ssh-identity.ts);
 *   - per-command config through GIT_CONFIG_COUNT/KEY/VALUE: `http.extraHeader` for auth (kept out of
 *     the argv, so it never shows in `ps` or in simple-git's error text) and `http.sslCAInfo` for a CA.
 */
import { simpleGit, type SimpleGit } from 'simple-git';
import type { SshIdentity } from './ssh-identity.ts';

export interface GitClientOptions {
  /** Base environment (PATH, HOME, proxies...). GIT_* and editor/pager variables are dropped. */
  env: Record<string, string | undefined>;
  /** `Authorization` header value, e.g. `Basic dXNlcjpwYXNz`. */
  authorization?: string;
  /** CA bundle for https remotes (the ambient GIT_SSL_CAINFO does not survive simple-git's guard). */
  caFile?: string;
  /** Kill a git command that produces no output for this long. */
  timeoutMs?: number;
  /** An ssh remote's key and known hosts: its GIT_SSH_COMMAND, and the ssh protocol allowed. */
  ssh?: SshIdentity;
}

const GUARDED = new Set(['editor', 'pager', 'prefix', 'ssh_askpass', 'visual']);

export function hermeticEnv(options: GitClientOptions, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env)) {
    const lk = k.toLowerCase();
    if (v === undefined || lk.startsWith('git_') || GUARDED.has(lk)) continue;
    env[k] = v;
  }
  const config: [string, string][] = [];
  if (options.authorization) config.push(['http.extraHeader', `Authorization: ${options.authorization}`]);
  if (options.caFile) config.push(['http.sslCAInfo', options.caFile]);
  Object.assign(env, {
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_SYSTEM: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ALLOW_PROTOCOL: options.ssh ? 'http:https:file:ssh' : 'http:https:file',
    GIT_CONFIG_COUNT: String(config.length),
  });
  if (options.ssh) Object.assign(env, { GIT_SSH_COMMAND: options.ssh.command, GIT_SSH_VARIANT: 'ssh' });
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return { ...env, ...extra };
}

/** A simple-git bound to `baseDir` with the hermetic environment plus `extra` variables. */
export function gitClient(baseDir: string, options: GitClientOptions, extra: Record<string, string> = {}): SimpleGit {
  const env = hermeticEnv(options, extra);
  return simpleGit({
    baseDir,
    allowEnvironment: Object.keys(env).filter((k) => k.toLowerCase().startsWith('git_')),
    // GIT_CONFIG_GLOBAL/SYSTEM point at /dev/null and GIT_CONFIG_COUNT carries our own two keys:
    // both are gated behind these flags. No user input reaches config paths or -C/--git-dir.
    // GIT_SSH_COMMAND is ours too (ssh-identity.ts: fixed options, paths of our own temp files).
    unsafe: {
      allowUnsafeConfigPaths: true,
      allowUnsafeConfigEnvCount: true,
      allowUnsafeSshCommand: options.ssh !== undefined,
    },
    timeout: { block: options.timeoutMs ?? 120_000 },
  }).env(env);
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}
