/**
 * Where a repository's forge API is and what the repository is called there, from its git URL:
 * github.com → https://api.github.com; another host is GitHub Enterprise (`<scheme>://<host>/api/v3`)
 * or GitLab (`<scheme>://<host>/api/v4`) by the configured provider. An explicit base (GitHub App
 * `githubAppEnterpriseBaseUrl`) wins, then the process-wide override (TAGFLOW_GITHUB_API_URL,
 * TAGFLOW_GITLAB_API_URL), then the derived one.
 */
import { PermanentError } from '../../errors.ts';
import type { ForgeProvider } from '../../ports/pull-requests.ts';

export interface ForgeApiOverrides {
  github?: string;
  gitlab?: string;
}

export interface ForgeLocation {
  apiUrl: string;
  /** `owner/repo` (GitHub) or the project path `group/sub/project` (GitLab). */
  repository: string;
}

const PROVIDER_NAME: Record<ForgeProvider, string> = { github: 'GitHub', gitlab: 'GitLab' };

export function providerName(p: ForgeProvider): string {
  return PROVIDER_NAME[p];
}

/** scheme, host[:port] and path of an https, http, ssh:// or scp-like (`git@host:path`) git URL. */
export function parseGitUrl(repoUrl: string): { scheme: 'http' | 'https'; host: string; path: string } | null {
  const url = repoUrl.trim();
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(url);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return { scheme: 'https', host: scp[1]!, path: scp[2]! };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol === 'http:' || u.protocol === 'https:')
    return { scheme: u.protocol === 'http:' ? 'http' : 'https', host: u.host, path: decodeURIComponent(u.pathname) };
  if (u.protocol === 'ssh:' || u.protocol === 'git+ssh:')
    return { scheme: 'https', host: u.hostname, path: decodeURIComponent(u.pathname) };
  return null;
}

const trimBase = (s: string) => s.trim().replace(/\/+$/, '');

export function resolveForgeApi(
  provider: ForgeProvider,
  repoUrl: string,
  o: { apiUrl?: string; overrides?: ForgeApiOverrides } = {},
): ForgeLocation {
  const name = providerName(provider);
  const parsed = parseGitUrl(repoUrl);
  const segments = (parsed?.path ?? '')
    .replace(/\.git\/*$/, '')
    .split('/')
    .filter((s) => s !== '');
  const fits = provider === 'github' ? segments.length === 2 : segments.length >= 2;
  if (!parsed || !fits)
    throw new PermanentError(
      'git.pull-request',
      `cannot open a ${name} pull request for repository ${repoUrl}: its URL does not name ` +
        (provider === 'github' ? 'an owner/repository' : 'a group/project'),
    );
  const repository = segments.join('/');
  const explicit = o.apiUrl?.trim() || o.overrides?.[provider]?.trim();
  if (explicit) return { apiUrl: trimBase(explicit), repository };
  const host = parsed.host.toLowerCase();
  if (provider === 'github')
    return host === 'github.com' || host === 'www.github.com'
      ? { apiUrl: 'https://api.github.com', repository }
      : { apiUrl: `${parsed.scheme}://${host}/api/v3`, repository };
  return { apiUrl: `${parsed.scheme}://${host}/api/v4`, repository };
}
