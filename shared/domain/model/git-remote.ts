/**
 * Git remote URLs as Argo CD compares them. SSH remotes come in two spellings, scp-like
 * (`git@host:org/repo.git`) and URL (`ssh://[user@]host[:port]/path`, also `git+ssh://`, `ssh+git://`);
 * both name the same repository, so matching (repository / repo-creds Secrets) uses one normal form:
 * `ssh://[user@]host[:port]/path` in lower case, without `.git`, trailing slashes or the default port 22
 * (Argo CD's NormalizeGitURL, plus the port and the path's leading slashes).
 */

export interface SshRemote {
  user?: string;
  /** Lower-cased, without brackets. */
  host: string;
  /** Absent for the default port 22. */
  port?: number;
  path: string;
}

const SSH_URL = /^(?:ssh|git\+ssh|ssh\+git):\/\/(?:([^@/\s]+)@)?(\[[^\]/\s]+\]|[^/:\s]+)(?::(\d*))?(\/.*)?$/i;
/** git: "ssh is assumed if there is a colon before the first slash" and no `://`. */
const SCP_LIKE = /^(?:([^@/\s]+)@)?(\[[^\]/\s]+\]|[^/:\s]+):(?!\/\/)(.*)$/;

/** The parts of an ssh remote, or undefined when `url` is not one. */
export function parseSshRemote(url: string): SshRemote | undefined {
  const text = url.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    const m = SSH_URL.exec(text);
    if (!m) return undefined;
    const port = m[3] ? Number.parseInt(m[3], 10) : undefined;
    return remote(m[1], m[2]!, port, m[4] ?? '');
  }
  const m = SCP_LIKE.exec(text);
  // `C:\repo` is a Windows path, not host C
  if (!m || (/^[a-z]$/i.test(m[2]!) && !m[1])) return undefined;
  return remote(m[1], m[2]!, undefined, m[3]!);
}

function remote(user: string | undefined, host: string, port: number | undefined, path: string): SshRemote {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return { ...(user ? { user } : {}), host: h, ...(port && port !== 22 ? { port } : {}), path };
}

export function isSshRemote(url: string): boolean {
  return parseSshRemote(url) !== undefined;
}

/** The name ssh looks the host up by in known_hosts: `host`, or `[host]:port` for another port than 22. */
export function knownHostsName(r: Pick<SshRemote, 'host' | 'port'>): string {
  return r.port ? `[${r.host}]:${r.port}` : r.host;
}

/** The form two remote URLs are compared in (a repo-creds URL is a prefix of the repositories it covers). */
export function normaliseRemoteUrl(url: string): string {
  const ssh = parseSshRemote(url);
  const text = ssh
    ? `ssh://${ssh.user ? `${ssh.user}@` : ''}${ssh.host}${ssh.port ? `:${ssh.port}` : ''}/${ssh.path.replace(/^\/+/, '')}`
    : url.trim();
  return text
    .toLowerCase()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
}
