/**
 * Starts the real CNCF Distribution 2.8 registry (Debian package `docker-registry`) on 127.0.0.1
 * for tests and demos: anonymous, htpasswd (Basic) or bearer-token auth (with an in-process token
 * server), optionally over TLS with a generated CA. Everything is torn down by `stop()`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateSigningCert, generateTlsCerts } from './certs.ts';
import { freePort, spawnLogged, waitForHttp, type ManagedProcess } from './registry-process.ts';
import { startTokenServer, type TokenServer } from './token-server.ts';

export const REGISTRY_BIN = process.env.DOCKER_REGISTRY_BIN ?? '/usr/bin/docker-registry';
const TOKEN_SERVICE = 'tagflow-test-registry';
const TOKEN_ISSUER = 'tagflow-test-issuer';
/** A bcrypt line verified with distribution 2.8 (password `testpass`), used when `htpasswd` is missing. */
const FIXED_HTPASSWD: Record<string, string> = {
  'testuser:testpass': 'testuser:$2y$05$HcKLGLW.VFiy3nnBaInbmuL7SgkVOKuTj.7jKif6K9vglM7qXNcM2',
};

export type RegistryAuth = 'none' | 'basic' | 'token';

export interface RegistryOptions {
  auth?: RegistryAuth;
  tls?: boolean;
  /** Accounts for basic/token auth; default { testuser: 'testpass' }. */
  users?: Record<string, string>;
  /** Token auth only: anonymous callers may pull. */
  anonymousPull?: boolean;
  /** Token auth only: token lifetime (default 300 s). */
  tokenTtlSeconds?: number;
  /** Storage root to use (kept after stop); default a temp dir that stop() removes. */
  dir?: string;
  port?: number;
}

export interface RegistryService {
  /** http(s)://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT (what goes into image references) */
  host: string;
  auth: RegistryAuth;
  users: Record<string, string>;
  /** PEM the client must trust (TLS only). */
  caFile?: string;
  /** The token server (token auth only): realm and the requests it served. */
  tokenServer?: TokenServer;
  logFile: string;
  /** PID of the docker-registry process. */
  pid: number;
  stop(): Promise<void>;
}

const run = promisify(execFile);

async function htpasswdLines(users: Record<string, string>): Promise<string> {
  const lines: string[] = [];
  for (const [user, pass] of Object.entries(users)) {
    try {
      const { stdout } = await run('htpasswd', ['-Bbn', user, pass], { timeout: 10_000 });
      lines.push(stdout.split('\n')[0]!.trim());
    } catch (e) {
      const fixed = FIXED_HTPASSWD[`${user}:${pass}`];
      if ((e as { code?: string }).code !== 'ENOENT' || !fixed) {
        throw new Error(
          `cannot create a bcrypt htpasswd entry for ${user}: install apache2-utils ` +
            `(apt-get install -y apache2-utils); without it only testuser/testpass is supported`,
        );
      }
      lines.push(fixed);
    }
  }
  return lines.join('\n') + '\n';
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RegistryService> {
  if (!existsSync(REGISTRY_BIN)) {
    throw new Error(`${REGISTRY_BIN} not found: install it with \`apt-get install -y docker-registry\``);
  }
  const auth = options.auth ?? 'none';
  if (options.anonymousPull && auth !== 'token') throw new Error('anonymousPull is only supported with auth: token');
  const users = auth === 'none' ? {} : (options.users ?? { testuser: 'testpass' });
  const work = await mkdtemp(join(tmpdir(), 'tagflow-registry-'));
  let tokenServer: TokenServer | undefined;
  try {
    const config: Record<string, unknown> = {
      version: 0.1,
      log: { level: 'info', accesslog: { disabled: true } },
      storage: {
        filesystem: { rootdirectory: options.dir ?? join(work, 'data') },
        delete: { enabled: true },
        maintenance: { uploadpurging: { enabled: false } },
      },
      health: { storagedriver: { enabled: false } },
    };
    const http: Record<string, unknown> = { secret: 'tagflow-test-only-http-secret' };
    let caFile: string | undefined;
    if (options.tls) {
      const certs = await generateTlsCerts(work);
      http.tls = { certificate: certs.certFile, key: certs.keyFile };
      caFile = certs.caFile;
    }
    if (auth === 'basic') {
      await writeFile(join(work, 'htpasswd'), await htpasswdLines(users));
      config.auth = { htpasswd: { realm: 'tagflow-test', path: join(work, 'htpasswd') } };
    } else if (auth === 'token') {
      const signing = await generateSigningCert(work);
      tokenServer = await startTokenServer({
        issuer: TOKEN_ISSUER,
        service: TOKEN_SERVICE,
        ...signing,
        users,
        anonymousPull: options.anonymousPull,
        ttlSeconds: options.tokenTtlSeconds,
      });
      config.auth = {
        token: {
          realm: tokenServer.realm,
          service: TOKEN_SERVICE,
          issuer: TOKEN_ISSUER,
          rootcertbundle: signing.certFile,
        },
      };
    }
    const scheme = options.tls ? 'https' : 'http';
    let proc: ManagedProcess | undefined;
    let port = 0;
    for (let attempt = 0; !proc; attempt++) {
      port = options.port ?? (await freePort());
      config.http = { ...http, addr: `127.0.0.1:${port}` };
      const configFile = join(work, 'config.yml');
      await writeFile(configFile, JSON.stringify(config, null, 2)); // JSON is valid YAML
      const candidate = spawnLogged(REGISTRY_BIN, ['serve', configFile], join(work, `registry-${attempt}.log`));
      try {
        await waitForHttp(`${scheme}://127.0.0.1:${port}/v2/`, candidate);
        proc = candidate;
      } catch (e) {
        // another process may have taken the port between probing and binding: retry on a new one
        if (options.port !== undefined || attempt >= 3 || !/address already in use/.test(String(e))) throw e;
      }
    }
    const started = proc;
    return {
      url: `${scheme}://127.0.0.1:${port}`,
      host: `127.0.0.1:${port}`,
      auth,
      users,
      caFile,
      tokenServer,
      logFile: started.logFile,
      pid: started.child.pid!,
      async stop() {
        await started.stop();
        await tokenServer?.stop();
        await rm(work, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await tokenServer?.stop();
    await rm(work, { recursive: true, force: true });
    throw e;
  }
}
