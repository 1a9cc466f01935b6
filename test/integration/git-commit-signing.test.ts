/**
 * Signed and signed-off commits through the real pipeline, with real gpg and ssh-keygen: every commit
 * tagflow pushes is checked on the remote with `git verify-commit` (openpgp: the keyring of the
 * GNUPGHOME tagflow ran with; ssh: an allowed-signers file with the public key); sign-off adds exactly
 * one trailer with the commit identity; a key that is not there fails the write-back at once
 * (`git.signing`, no retries) and pushes nothing.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_PREFIX, writebackSuite } from '../fixtures/writeback-environment.ts';
import { startPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { git } from '../services/git-server.ts';

const run = promisify(execFile);
const REPO = 'gitops-demo';
const CREDS = 'git:secret:argocd/git-creds';
const USER = 'tagflow signer';
const EMAIL = 'signer@example.com';

const suite = writebackSuite();
let dir: string;
let gnupgHome: string;
let fingerprint: string;
let sshKey: string;
let allowedSigners: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tagflow-sign-'));
  gnupgHome = join(dir, 'gnupg');
  await mkdir(gnupgHome, { mode: 0o700 });
  const gpgEnv = { ...process.env, GNUPGHOME: gnupgHome };
  await run(
    'gpg',
    ['--batch', '--passphrase', '', '--quick-gen-key', `${USER} <${EMAIL}>`, 'ed25519', 'sign', 'never'],
    {
      env: gpgEnv,
    },
  );
  const { stdout } = await run('gpg', ['--batch', '--with-colons', '--list-secret-keys'], { env: gpgEnv });
  fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(stdout)![1]!;

  sshKey = join(dir, 'id_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'tagflow-test', '-f', sshKey]);
  const { stdout: pub } = await run('ssh-keygen', ['-y', '-f', sshKey]);
  allowedSigners = join(dir, 'allowed_signers');
  await writeFile(allowedSigners, `${EMAIL} ${pub.trim()}\n`);
}, 60_000);

afterAll(async () => {
  // the gpg-agent the key generation started for this GNUPGHOME
  await run('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: gnupgHome } }).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

const bare = () => suite.env.git.repoDir(REPO);
const head = async () => (await git(['--git-dir', bare(), 'rev-parse', 'main'])).trim();
/** The commits pushed to main since `from`, newest first. */
const commitsSince = async (from: string) =>
  (await git(['--git-dir', bare(), 'rev-list', `${from}..main`])).split('\n').filter(Boolean);
const message = async (sha: string) => git(['--git-dir', bare(), 'log', '-1', '--format=%B', sha]);
const identity = async (sha: string) =>
  (await git(['--git-dir', bare(), 'log', '-1', '--format=%an <%ae>|%cn <%ce>', sha])).trim();

/** `git verify-commit` on the remote: resolves with git's verdict, rejects when the signature does not verify. */
function verifyOpenpgp(sha: string): Promise<string> {
  return git(['--git-dir', bare(), 'log', '-1', '--format=%G?|%GF', sha], { env: { GNUPGHOME: gnupgHome } }).then(
    async (verdict) => {
      await git(['--git-dir', bare(), 'verify-commit', sha], { env: { GNUPGHOME: gnupgHome } });
      return verdict.trim();
    },
  );
}
async function verifySsh(sha: string): Promise<string> {
  const config = ['-c', `gpg.ssh.allowedSignersFile=${allowedSigners}`, '--git-dir', bare()];
  await git([...config, 'verify-commit', sha]);
  return (await git([...config, 'log', '-1', '--format=%G?', sha])).trim();
}

/** An app on its own image repository and path, whose registry has v1.0 (running) and `tags`. */
async function signedApp(name: string, tags: string[]): Promise<string> {
  await suite.env.pushTags(`team/${name}`, ['v1.0', ...tags]);
  return suite.env.app({ name, image: `${SEED_PREFIX}/team/${name}`, path: `apps/${name}`, writeBack: CREDS });
}

const writeBacks = async (p: Pipeline, app: string) =>
  (await p.rt.audit.query({ app: `tagflow-test/argocd/${app}` })).filter((r) => r.kind === 'write-back');

/** The git pool's failure lines (one per failed batch, per attempt when an error is retried). */
const failures = (p: Pipeline) =>
  p.logs().filter((l) => l.queue === 'commit' && /could not write back to git|job failed/.test(String(l.msg)));

describe('signed commits', () => {
  it('an unsigned commit does not verify (the checks below can fail)', async () => {
    await expect(verifyOpenpgp(await head())).rejects.toThrow();
    await expect(verifySsh(await head())).rejects.toThrow();
  });

  it('openpgp: every commit tagflow pushes is signed with the key from GNUPGHOME, without sign-off', async () => {
    const app = await signedApp('sign-gpg', ['v2.0']);
    const from = await head();
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, {
      env: { GNUPGHOME: gnupgHome, GIT_COMMIT_SIGNING_KEY: fingerprint },
    });
    expect(suite.pipeline.rt.settings.config).toMatchObject({
      gitCommitSigningKey: fingerprint,
      gitCommitSigningMethod: 'openpgp',
      gitCommitSignOff: false,
    });

    expect(await suite.pipeline.runOnce(60_000)).toMatchObject({ images_updated: 1, errors: 0 });
    await suite.env.pushTags(`team/${app}`, ['v3.0']);
    expect(await suite.pipeline.runOnce(60_000)).toMatchObject({ images_updated: 1, errors: 0 });

    const commits = await commitsSince(from);
    expect(commits).toHaveLength(2);
    for (const sha of commits) {
      expect(await verifyOpenpgp(sha)).toBe(`G|${fingerprint}`);
      expect(await message(sha)).not.toContain('Signed-off-by:');
      expect(await identity(sha)).toBe(
        'argocd-image-updater <noreply@argoproj.io>|argocd-image-updater <noreply@argoproj.io>',
      );
    }
    expect(await suite.env.git.readFile(REPO, `apps/${app}/.argocd-source-${app}.yaml`)).toContain('value: v3.0');
    expect((await writeBacks(suite.pipeline, app)).map((w) => w.commitSha)).toEqual(commits);
  }, 120_000);

  it('ssh with sign-off: signed with the SSH key, exactly one Signed-off-by trailer with the commit identity', async () => {
    const app = await signedApp('sign-ssh', ['v2.0']);
    const from = await head();
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, {
      env: {
        GIT_COMMIT_SIGNING_METHOD: 'ssh',
        GIT_COMMIT_SIGNING_KEY: sshKey,
        GIT_COMMIT_SIGN_OFF: 'true',
        GIT_COMMIT_USER: USER,
        GIT_COMMIT_EMAIL: EMAIL,
      },
    });

    expect(await suite.pipeline.runOnce(60_000)).toMatchObject({ images_updated: 1, errors: 0 });
    await suite.env.pushTags(`team/${app}`, ['v3.0']);
    expect(await suite.pipeline.runOnce(60_000)).toMatchObject({ images_updated: 1, errors: 0 });

    const commits = await commitsSince(from);
    expect(commits).toHaveLength(2);
    for (const sha of commits) {
      expect(await verifySsh(sha)).toBe('G');
      const text = await message(sha);
      expect(text.match(/^Signed-off-by: .*$/gm)).toEqual([`Signed-off-by: ${USER} <${EMAIL}>`]);
      expect(text.trimEnd().endsWith(`Signed-off-by: ${USER} <${EMAIL}>`)).toBe(true);
      expect(await identity(sha)).toBe(`${USER} <${EMAIL}>|${USER} <${EMAIL}>`);
      // not an openpgp signature
      expect((await verifyOpenpgp(sha).catch(() => 'refused')).startsWith('G|')).toBe(false);
    }
  }, 120_000);

  it('openpgp with sign-off: one commit that is both signed and signed off', async () => {
    const app = await signedApp('sign-gpg-off', ['v2.0']);
    const from = await head();
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, {
      env: { GNUPGHOME: gnupgHome, GIT_COMMIT_SIGNING_KEY: EMAIL, GIT_COMMIT_SIGN_OFF: 'true' },
    });
    expect(await suite.pipeline.runOnce(60_000)).toMatchObject({ images_updated: 1, errors: 0 });
    const commits = await commitsSince(from);
    expect(commits).toHaveLength(1);
    expect(await verifyOpenpgp(commits[0]!)).toBe(`G|${fingerprint}`);
    expect((await message(commits[0]!)).match(/^Signed-off-by: .*$/gm)).toEqual([
      'Signed-off-by: argocd-image-updater <noreply@argoproj.io>',
    ]);
    expect((await writeBacks(suite.pipeline, app)).map((w) => w.outcome)).toEqual(['updated']);
  }, 120_000);
});

describe('a key that is not there', () => {
  it('openpgp: the write-back fails once with git.signing, clearly, and nothing is pushed', async () => {
    const app = await signedApp('sign-nokey', ['v2.0']);
    const from = await head();
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, {
      env: { GNUPGHOME: gnupgHome, GIT_COMMIT_SIGNING_KEY: '0123456789ABCDEF' },
    });

    expect(await suite.pipeline.runOnce(60_000)).toMatchObject({ images_updated: 0, errors: 1 });
    expect(await commitsSince(from)).toEqual([]);
    expect(await suite.env.git.readFile(REPO, `apps/${app}/.argocd-source-${app}.yaml`)).toBeNull();
    // permanent: the first attempt fails the batch for good, saying which key and where gpg looks for it
    expect(await writeBacks(suite.pipeline, app)).toEqual([
      expect.objectContaining({ outcome: 'failed', reason: 'git.signing', attempt: 1 }),
    ]);
    expect(failures(suite.pipeline)).toEqual([expect.objectContaining({ level: 'error', code: 'git.signing' })]);
    const text = suite.pipeline.logText();
    expect(text).toContain(`cannot sign the commit to ${suite.env.repoURL}`);
    expect(text).toContain('gpg failed to sign the data');
    expect(text).toContain('gpg needs the secret key \\"0123456789ABCDEF\\" (--git-commit-signing-key)');
  }, 120_000);

  it('ssh: a key file removed after startup fails the write-back with git.signing, nothing pushed', async () => {
    const app = await signedApp('sign-gone', ['v2.0']);
    const gone = join(dir, 'gone_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', gone]);
    const from = await head();
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, {
      env: { GIT_COMMIT_SIGNING_METHOD: 'ssh', GIT_COMMIT_SIGNING_KEY: gone },
    });
    await rm(gone);

    expect(await suite.pipeline.runOnce(60_000)).toMatchObject({ images_updated: 0, errors: 1 });
    expect(await commitsSince(from)).toEqual([]);
    expect(await writeBacks(suite.pipeline, app)).toEqual([
      expect.objectContaining({ outcome: 'failed', reason: 'git.signing', attempt: 1 }),
    ]);
    expect(failures(suite.pipeline)).toEqual([expect.objectContaining({ level: 'error', code: 'git.signing' })]);
    expect(suite.pipeline.logText()).toContain(
      `ssh-keygen needs ${gone} (--git-commit-signing-key) to be a readable SSH private key`,
    );
  }, 120_000);
});
