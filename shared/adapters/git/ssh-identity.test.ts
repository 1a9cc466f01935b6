import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hermeticEnv } from './git-client.ts';
import { createSshIdentity } from './ssh-identity.ts';

const run = promisify(execFile);
let parent: string;

beforeAll(async () => {
  // blanks and % in the path: git runs the command through sh, ssh expands % tokens in file options
  parent = join(await mkdtemp(join(tmpdir(), 'tagflow-ssh-id-')), "odd dir %d 'q'");
  await mkdir(parent);
});
afterAll(() => rm(join(parent, '..'), { recursive: true, force: true }));

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\r\nb3BlbnNzaC1rZXktdjEAAAAA\r\n-----END OPENSSH PRIVATE KEY-----';

describe('createSshIdentity', () => {
  it('writes the key (LF, final newline) and known hosts into a private dir that dispose removes', async () => {
    const id = await createSshIdentity(parent, { privateKey: KEY, knownHosts: '[h]:2222 ssh-ed25519 AAAA' });
    expect((await stat(id.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(id.dir, 'id'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(id.dir, 'id'), 'utf8')).toBe(KEY.replace(/\r\n/g, '\n') + '\n');
    expect(await readFile(join(id.dir, 'known_hosts'), 'utf8')).toBe('[h]:2222 ssh-ed25519 AAAA\n');
    expect(id.command).not.toContain('b3BlbnNzaC1rZXktdjEAAAAA');
    await id.dispose();
    await id.dispose();
    expect(await readdir(parent)).toEqual([]);
  });

  it('is a command ssh parses as meant: only this key and these known hosts, strict, no prompts', async () => {
    const id = await createSshIdentity(parent, { privateKey: KEY, knownHosts: '' }, { connectTimeoutSeconds: 7 });
    try {
      // `ssh -G` prints the effective configuration without connecting
      const { stdout } = await run('sh', ['-c', `${id.command} -G -p 2222 git.example.invalid`]);
      const conf = new Map(
        stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)] as const),
      );
      expect(
        Object.fromEntries(['identityfile', 'userknownhostsfile', 'globalknownhostsfile'].map((k) => [k, conf.get(k)])),
      ).toEqual({
        // -G prints IdentityFile before ssh expands its tokens (%% is a literal %) at connect time
        identityfile: join(id.dir, 'id').replace(/%/g, '%%'),
        userknownhostsfile: join(id.dir, 'known_hosts'),
        globalknownhostsfile: '/dev/null',
      });
      expect(conf.get('stricthostkeychecking')).toMatch(/^(true|yes)$/);
      expect(conf.get('batchmode')).toBe('yes');
      expect(conf.get('identitiesonly')).toBe('yes');
      expect(conf.get('identityagent')).toBe('none');
      expect(conf.get('connecttimeout')).toBe('7');
    } finally {
      await id.dispose();
    }
  });

  it('git gets it as GIT_SSH_COMMAND and may use ssh only then', async () => {
    const id = await createSshIdentity(parent, { privateKey: KEY, knownHosts: '' });
    try {
      const env = hermeticEnv({
        env: { PATH: '/usr/bin', GIT_SSH_COMMAND: 'ssh -o StrictHostKeyChecking=no' },
        ssh: id,
      });
      expect(env).toMatchObject({ GIT_SSH_COMMAND: id.command, GIT_ALLOW_PROTOCOL: 'http:https:file:ssh' });
      const plain = hermeticEnv({ env: { PATH: '/usr/bin', GIT_SSH_COMMAND: 'ssh -o StrictHostKeyChecking=no' } });
      expect(plain.GIT_SSH_COMMAND).toBeUndefined();
      expect(plain.GIT_ALLOW_PROTOCOL).toBe('http:https:file');
    } finally {
      await id.dispose();
    }
  });
});
