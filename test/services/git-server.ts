/**
 * A real git smart-HTTP server for tests: `git http-backend` behind node:http with Basic auth,
 * serving bare repositories in a temp directory. Git child processes run hermetically
 * (GIT_CONFIG_GLOBAL=/dev/null, GIT_CONFIG_SYSTEM=/dev/null, no prompts).
 *
 *   const gitServer = await startGitServer({ users: { bot: 's3cret' } });
 *   const repoUrl = await gitServer.createRepo('team/app', { 'values.yaml': 'image:\n  tag: v1\n' });
 *   await gitServer.rejectNextPush('team/app');           // the next push fails in pre-receive
 *   await gitServer.readFile('team/app', 'values.yaml');  // content on main, or null
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface GitLogEntry {
  sha: string;
  message: string;
  /** `Name <email>` */
  author: string;
  authorName: string;
  authorEmail: string;
  /** `Name <email>` */
  committer: string;
}

/** process.env without any GIT_* variable, plus the hermetic settings. */
export function hermeticGitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toUpperCase().startsWith('GIT_')) env[k] = v;
  return { ...env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_SYSTEM: '/dev/null', GIT_TERMINAL_PROMPT: '0', ...extra };
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Test Seeder',
  GIT_AUTHOR_EMAIL: 'seeder@example.invalid',
  GIT_COMMITTER_NAME: 'Test Seeder',
  GIT_COMMITTER_EMAIL: 'seeder@example.invalid',
};

export async function git(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<string> {
  const { stdout } = await run('git', args, {
    cwd: options.cwd,
    env: hermeticGitEnv(options.env),
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

const PRE_RECEIVE = `#!/bin/sh
# test hook: refuse exactly one push after REJECT_NEXT was created
if [ -f "$GIT_DIR/REJECT_NEXT" ]; then
  rm -f "$GIT_DIR/REJECT_NEXT"
  echo "test: push rejected by hook" >&2
  exit 1
fi
exit 0
`;

export async function initBare(dir: string, branch: string): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  await git(['init', '-q', '--bare', '-b', branch, dir]);
  await writeFile(join(dir, 'hooks', 'pre-receive'), PRE_RECEIVE);
  await chmod(join(dir, 'hooks', 'pre-receive'), 0o755);
}

/**
 * Commits `files` (null = delete) on `branch` of the bare repo at `dir`, as another client would,
 * and returns the new commit's SHA. Creates the branch when the repo has none yet.
 */
export async function commitTo(
  dir: string,
  files: Record<string, string | null>,
  options: { branch: string; message: string; author?: { name: string; email: string } },
): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'tagflow-git-seed-'));
  const env = options.author
    ? {
        GIT_AUTHOR_NAME: options.author.name,
        GIT_AUTHOR_EMAIL: options.author.email,
        GIT_COMMITTER_NAME: options.author.name,
        GIT_COMMITTER_EMAIL: options.author.email,
      }
    : IDENTITY;
  try {
    const heads = await git(['ls-remote', '--heads', dir, options.branch]);
    if (heads.trim()) await git(['clone', '-q', '--branch', options.branch, '--', dir, work]);
    else {
      await git(['init', '-q', '-b', options.branch, work]);
      await git(['remote', 'add', 'origin', dir], { cwd: work });
    }
    for (const [path, content] of Object.entries(files)) {
      const target = join(work, path);
      if (content === null) await rm(target, { force: true });
      else {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
      }
    }
    await git(['add', '-A'], { cwd: work });
    await git(['commit', '-q', '--allow-empty', '-m', options.message], { cwd: work, env });
    await git(['push', '-q', 'origin', `HEAD:refs/heads/${options.branch}`], { cwd: work });
    return (await git(['rev-parse', 'HEAD'], { cwd: work })).trim();
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export async function showFile(dir: string, path: string, ref: string): Promise<string | null> {
  try {
    return await git(['--git-dir', dir, 'show', `${ref}:${path}`]);
  } catch {
    return null;
  }
}

export async function logOf(dir: string, ref: string): Promise<GitLogEntry[]> {
  const out = await git(['--git-dir', dir, 'log', '--format=%H%x1f%an%x1f%ae%x1f%cn%x1f%ce%x1f%B%x1e', ref]);
  return out
    .split('\x1e')
    .map((s) => s.replace(/^\n/, ''))
    .filter((s) => s.trim() !== '')
    .map((rec) => {
      const [sha, an, ae, cn, ce, body] = rec.split('\x1f') as [string, string, string, string, string, string];
      return {
        sha,
        message: body.trimEnd(),
        author: `${an} <${ae}>`,
        authorName: an,
        authorEmail: ae,
        committer: `${cn} <${ce}>`,
      };
    });
}

export interface GitRequestRecord {
  method: string;
  path: string;
  query: string;
  /** The authenticated user, or null when the request carried no valid credentials. */
  user: string | null;
  status: number;
}

export interface GitServer {
  url: string;
  root: string;
  /** Creates a bare repo `<name>.git` with one initial commit of `files` on `branch`; returns its URL. */
  createRepo(name: string, files: Record<string, string>, branch?: string): Promise<string>;
  /** Pushes a commit as another client would (null content = delete); returns the SHA. */
  commitFiles(
    repo: string,
    files: Record<string, string | null>,
    options?: { branch?: string; message?: string },
  ): Promise<string>;
  readFile(repo: string, path: string, ref?: string): Promise<string | null>;
  log(repo: string, ref?: string): Promise<GitLogEntry[]>;
  /** Makes the next push to this repo fail in its pre-receive hook ("[remote rejected]"). */
  rejectNextPush(repo: string): Promise<void>;
  repoUrl(repo: string): string;
  repoDir(repo: string): string;
  readonly requests: GitRequestRecord[];
  close(): Promise<void>;
}

export interface GitServerOptions {
  /** Directory holding the bare repos; a temp dir (removed on close) when omitted. */
  root?: string;
  users: Record<string, string>;
  /** Allow clone/fetch without credentials (push always needs them). */
  anonymousRead?: boolean;
  port?: number;
  /** Serve https with this certificate (e.g. from test/services/certs.ts generateTlsCerts). */
  tls?: { certFile: string; keyFile: string };
}

function authUser(req: IncomingMessage, users: Record<string, string>): string | null {
  const m = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const user = decoded.slice(0, colon);
  return Object.hasOwn(users, user) && users[user] === decoded.slice(colon + 1) ? user : null;
}

function isPush(url: URL): boolean {
  return url.pathname.endsWith('/git-receive-pack') || url.searchParams.get('service') === 'git-receive-pack';
}

/** Relays the CGI response of `git http-backend` (headers, blank line, body) to `res`. */
function relayCgi(child: ChildProcess, res: ServerResponse, onStatus: (code: number) => void): void {
  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    if (headersDone) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const text = head.toString('latin1');
    const m = /\r?\n\r?\n/.exec(text);
    if (!m) return;
    headersDone = true;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of text.slice(0, m.index).split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const name = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else headers[name] = value;
    }
    onStatus(status);
    res.writeHead(status, headers);
    res.write(head.subarray(Buffer.byteLength(text.slice(0, m.index + m[0].length), 'latin1')));
  });
  child.stdout!.on('end', () => {
    if (!headersDone) {
      onStatus(502);
      res.writeHead(502).end('git http-backend sent no response');
    } else res.end();
  });
}

export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  const ownRoot = options.root === undefined;
  const root = options.root ?? (await mkdtemp(join(tmpdir(), 'tagflow-git-server-')));
  await mkdir(root, { recursive: true });
  const requests: GitRequestRecord[] = [];
  const children = new Set<ChildProcess>();

  const handler: RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const user = authUser(req, options.users);
    const record: GitRequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      user,
      status: 0,
    };
    requests.push(record);
    if (!user && (isPush(url) || !options.anonymousRead)) {
      record.status = 401;
      res
        .writeHead(401, { 'WWW-Authenticate': 'Basic realm="tagflow-git"', 'Content-Type': 'text/plain' })
        .end('auth required\n');
      return;
    }
    const env: NodeJS.ProcessEnv = hermeticGitEnv({
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: url.pathname,
      QUERY_STRING: url.search.replace(/^\?/, ''),
      REQUEST_METHOD: req.method ?? 'GET',
      REMOTE_USER: user ?? 'anonymous',
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
    });
    if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
    if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    child.on('close', () => children.delete(child));
    child.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(500).end('cannot run git http-backend')));
    child.stderr!.resume();
    child.stdin!.on('error', () => {});
    req.pipe(child.stdin!);
    relayCgi(child, res, (code) => (record.status = code));
  };
  const server = options.tls
    ? createTlsServer({ cert: await readFile(options.tls.certFile), key: await readFile(options.tls.keyFile) }, handler)
    : createServer(handler);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bareName = (repo: string) => `${repo.replace(/^\/+/, '').replace(/\.git$/, '')}.git`;
  const repoDir = (repo: string) => join(root, bareName(repo));
  const repoUrl = (repo: string) => `${url}/${bareName(repo)}`;

  return {
    url,
    root,
    repoUrl,
    repoDir,
    async createRepo(name, files, branch = 'main') {
      await initBare(repoDir(name), branch);
      await commitTo(repoDir(name), files, { branch, message: 'initial commit' });
      return repoUrl(name);
    },
    commitFiles: (repo, files, opts = {}) =>
      commitTo(repoDir(repo), files, { branch: opts.branch ?? 'main', message: opts.message ?? 'concurrent change' }),
    readFile: (repo, path, ref = 'main') => showFile(repoDir(repo), path, ref),
    log: (repo, ref = 'main') => logOf(repoDir(repo), ref),
    async rejectNextPush(repo) {
      await writeFile(join(repoDir(repo), 'REJECT_NEXT'), '');
    },
    requests,
    async close() {
      for (const c of children) c.kill('SIGKILL');
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownRoot) await rm(root, { recursive: true, force: true });
    },
  };
}
