/**
 * `tagflow test` refuses a malformed question before asking the registry (a real one, which would
 * otherwise answer and select a tag): an invalid digest or tag in IMAGE, an unknown update
 * strategy, a registry port out of range, a malformed credential source, an oversized
 * registries.conf. Each refusal is one line naming the field, with a non-zero exit code.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTags } from '../fixtures/images.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { startRegistry, type RegistryService } from '../services/registry.ts';

const HOST = 'reg.tagflow.test';
const REPO = `${HOST}/demo/app`;
let reg: RegistryService;
let dir: string;
let conf: string;

beforeAll(async () => {
  reg = await startRegistry();
  await pushTags(reg, 'demo/app', ['1.0.0', '1.1.0']);
  dir = await mkdtemp(join(tmpdir(), 'tagflow-test-input-'));
  conf = join(dir, 'registries.conf');
  await writeFile(conf, `registries:\n- name: test\n  api_url: ${reg.url}\n  prefix: ${HOST}\n`);
}, 60_000);
afterAll(async () => {
  await reg?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const tagflowTest = (...args: string[]): Promise<CliResult> =>
  runCli(['test', ...args, ...(args.includes('--registries-conf-path') ? [] : ['--registries-conf-path', conf])]);

function expectRefusal(r: CliResult, pattern: RegExp): void {
  expect(r.code, r.stdout).not.toBe(0);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^tagflow: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('tagflow test: the whole question is checked first', () => {
  it('still answers a good question', async () => {
    const r = await tagflowTest(REPO, '-o', 'json');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).selected.tag).toBe('1.1.0');
  });

  it('refuses bad input naming the field', async () => {
    const cases: [string[], RegExp][] = [
      [[`${REPO}@sha256:zzzz`], /invalid image reference ".*demo\/app@sha256:zzzz".*not a valid digest/],
      [[`${REPO}@sha256:${'a'.repeat(63)}`], /not a valid digest/],
      [[`${REPO}:::::`], /invalid image reference ".*demo\/app:::::".*not a valid tag.*--semver-constraint/],
      [
        [REPO, '--update-strategy', 'bogus'],
        /invalid --update-strategy "bogus".*semver, newest-build, alphabetical, digest/,
      ],
      [['host:99999/x'], /invalid image reference "host:99999\/x".*port 99999.*out of range/],
      [[REPO, '--credentials', 'ftp:x'], /invalid --credentials "ftp:x".*unknown credential source type "ftp"/],
      [[REPO, '--credentials', 'secret:only-a-name'], /invalid --credentials "secret:only-a-name"/],
    ];
    const results = await Promise.all(cases.map(([args]) => tagflowTest(...args)));
    results.forEach((r, i) => expectRefusal(r, cases[i]![1]));
  });

  it('never echoes more than ~100 characters of an over-long image name', async () => {
    const [long, huge] = await Promise.all([
      tagflowTest(`${HOST}/${'a'.repeat(500)}`),
      tagflowTest(`${HOST}/${'a'.repeat(100_000)}`),
    ]);
    expectRefusal(long, /invalid image reference ".{100}…": the image name is 517 characters long; at most 255/);
    expectRefusal(huge, /invalid image reference ".{100}…": it is 100017 characters long; at most 1024/);
    for (const r of [long, huge]) expect(r.stderr.length).toBeLessThan(300);
  });

  it('refuses an oversized registries.conf without parsing it', async () => {
    const big = join(dir, 'big.conf');
    await writeFile(big, `registries: []\n${'#'.repeat(2 * 1024 * 1024)}\n`);
    const r = await tagflowTest(REPO, '--registries-conf-path', big);
    expectRefusal(r, /invalid registries\.conf ".*big\.conf": the file is larger than 1 MiB/);
  });

  it('keeps the deprecated strategy aliases (with a warning)', async () => {
    const r = await tagflowTest(REPO, '--update-strategy', 'name', '-o', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).warnings.join(' ')).toContain('deprecated');
  });
});
