/**
 * `tagflow test IMAGE` against the real registry (token auth, as the seed's ACR): every strategy,
 * text and JSON, every flag of DESIGN §5, and one-line errors for bad input and registry failures.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../services/registry-process.ts';
import { ACR_PASSWORD, ACR_USER, startSeedEnvironment, type SeedEnvironment } from '../fixtures/seed-environment.ts';
import { image, pushStrategyImages, REPOS, STRATEGY_HOST, type StrategyImages } from '../fixtures/strategy-images.ts';
import { deleteTag, pushImage } from '../fixtures/images.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';

let env: SeedEnvironment;
let pushed: StrategyImages;
let conf: string;
const CREDS = { ACR_CREDS: `${ACR_USER}:${ACR_PASSWORD}` };
/** A repository whose only tag was deleted. */
const EMPTY = 'strategies/empty';

beforeAll(async () => {
  env = await startSeedEnvironment();
  pushed = await pushStrategyImages(env.registry);
  await pushImage(env.registry, EMPTY, 'gone');
  await deleteTag(env.registry, EMPTY, 'gone');
  conf = join(env.dir, 'registries.conf');
  await writeFile(conf, `registries:\n- name: test\n  api_url: ${env.registry.url}\n  prefix: ${STRATEGY_HOST}\n`);
}, 60_000);
afterAll(() => env?.stop());

/** `tagflow test` with the test registries.conf and env credentials unless overridden. */
function tagflowTest(ref: string, ...args: string[]): Promise<CliResult> {
  const base = args.includes('--registries-conf-path') ? [] : ['--registries-conf-path', conf];
  const creds = args.includes('--credentials') ? [] : ['--credentials', 'env:ACR_CREDS'];
  return runCli(['test', ref, ...base, ...creds, ...args], CREDS);
}

interface Json {
  image: string;
  tags_found: number;
  selected: { tag: string; digest: string } | null;
  reason: string;
  message: string;
  tags_after_filters: number;
  tags_after_platforms: number;
  ranking: string[];
  warnings: string[];
}

async function answer(ref: string, ...args: string[]): Promise<Json> {
  const r = await tagflowTest(ref, ...args, '--output', 'json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(r.stdout) as Json;
}

function expectOneLineError(r: CliResult, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^tagflow: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toContain(ACR_PASSWORD);
}

describe('tagflow test: semver', () => {
  it('prints the anchor lines and the explanation as text', async () => {
    const r = await tagflowTest(image(REPOS.semver));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 5)).toEqual([
      'Found 11 tags in registry',
      `latest image according to constraint is ${image(REPOS.semver)}:v2.0.0`,
      'strategy: semver',
      'tags left after allow/ignore filters: 11, after platform checks: 11',
      'ranking (best first): v2.0.0, 2.0, 1.2.0, 1.1.5, 1.1.0',
    ]);
    expect(r.stdout).toMatch(/reason: selected — .*8 of them are semantic versions, 6 satisfy constraint "\*"/);
  });

  it.concurrent.each([
    ['', 'v2.0.0'],
    ['^1.0', '1.2.0'],
    ['~1.1', '1.1.5'],
    ['~1.2.0-0', '1.2.0'],
    ['~1.3.0-0', '1.3.0-rc.1'],
    ['>=1.2.0-0 <1.3.0', '1.3.0-rc.1'],
    ['>=1.2.0-0 <1.3.0-0', '1.2.0'],
    ['<1.2.0-0 || >=1.3.0-0 <2', '1.3.0-rc.1'],
    ['1.2.0-rc.1', '1.2.0-rc.1'],
    ['>3', null],
  ])('--semver-constraint %j → %s (pre-releases only when asked)', async (constraint, expected) => {
    const j = await answer(image(REPOS.semver), ...(constraint ? ['--semver-constraint', constraint] : []));
    expect(j.selected?.tag ?? null).toBe(expected);
    expect(j.selected?.digest ?? '').toBe('');
    expect(j.reason).toBe(expected ? 'selected' : 'no-match');
    expect(j.tags_found).toBe(11);
  });

  it('applies --allow-tags and a repeatable --ignore-tags', async () => {
    const [allowed, ignored, any] = await Promise.all([
      answer(image(REPOS.semver), '--allow-tags', 'regexp:^1\\.'),
      answer(image(REPOS.semver), '--ignore-tags', 'v*', '--ignore-tags', '2.*', '--ignore-tags', '1.2.*'),
      answer(image(REPOS.semver), '--allow-tags', 'any'),
    ]);
    expect(allowed).toMatchObject({ selected: { tag: '1.2.0' }, tags_after_filters: 6 });
    expect(ignored).toMatchObject({
      selected: { tag: '1.1.5' },
      tags_after_filters: 7,
      ranking: ['1.1.5', '1.1.0', '1.0.0'],
    });
    expect(any.selected?.tag).toBe('v2.0.0');
  });
});

describe('tagflow test: alphabetical and newest-build', () => {
  it('alphabetical ranks by bytes (v2.0.0 > latest > dev-abc > Zeta), ignoring the constraint', async () => {
    const j = await answer(image(REPOS.semver), '--update-strategy', 'alphabetical', '--semver-constraint', '~1.0');
    expect(j.selected).toEqual({ tag: 'v2.0.0', digest: '' });
    expect(j.ranking).toEqual(['v2.0.0', 'latest', 'dev-abc', 'Zeta', '2.0']);
    const byName = await answer(image(REPOS.builds), '--update-strategy', 'name');
    expect(byName.selected?.tag).toBe('zz-oldest');
    expect(byName.warnings.join()).toMatch(/deprecated/);
  });

  it('newest-build takes the newest amd64 build, ties to the greatest name, with its digest', async () => {
    const j = await answer(image(REPOS.builds), '--update-strategy', 'newest-build');
    expect(j.selected).toEqual({ tag: 'tie-y', digest: pushed.digests.builds['tie-y'] });
    expect(j).toMatchObject({
      tags_found: 6,
      tags_after_filters: 6,
      tags_after_platforms: 5,
      ranking: ['tie-y', 'tie-x', 'b-mid', 'a-old', 'zz-oldest'],
    });
    const text = await tagflowTest(image(REPOS.builds), '--update-strategy', 'latest');
    expect(text.stdout).toContain(`latest image according to constraint is ${image(REPOS.builds)}:tie-y\n`);
    expect(text.stdout).toContain('after platform checks: 5');
  });

  it('newest-build honours --platforms and --ignore-tags', async () => {
    const [arm, ignored] = await Promise.all([
      answer(image(REPOS.builds), '--update-strategy', 'newest-build', '--platforms', 'linux/arm64'),
      answer(image(REPOS.builds), '--update-strategy', 'newest-build', '--ignore-tags', 'tie-*'),
    ]);
    expect(arm).toMatchObject({ selected: { tag: 'arm-newest' }, tags_after_platforms: 1 });
    expect(ignored).toMatchObject({ selected: { tag: 'b-mid' }, tags_after_filters: 4 });
  });
});

describe('tagflow test: multi-arch indexes and manifest lists', () => {
  it.concurrent.each([
    [undefined, 'm2', ['m2', 'm1']],
    ['linux/arm64', 'arm-only', ['arm-only', 'm1']],
    ['linux/arm', 'm2', ['m2']],
    ['linux/amd64,linux/arm64', 'arm-only', ['arm-only', 'm1', 'm2']],
    ['linux/s390x', 's390', ['s390']],
    ['linux/arm/v6', null, []],
  ])(
    "newest-build --platforms %s → %s, ranked by the wanted platforms' dates only",
    async (platforms, expected, ranking) => {
      const j = await answer(
        image(REPOS.multi),
        '--update-strategy',
        'newest-build',
        ...(platforms ? ['--platforms', platforms] : []),
      );
      expect(j.selected?.tag ?? null).toBe(expected);
      expect(j.ranking).toEqual(ranking);
      expect(j.tags_after_platforms).toBe(ranking.length);
      if (expected) expect(j.selected?.digest).toBe(pushed.digests.multi[expected]);
      else expect(j.reason).toBe('no-match');
    },
  );

  it('digest follows the INDEX digest of a tag, only when it offers a wanted platform', async () => {
    const [m1, m2FromRef, s390, notOffered, missing] = await Promise.all([
      answer(image(REPOS.multi), '--update-strategy', 'digest', '--semver-constraint', 'm1'),
      answer(`${image(REPOS.multi)}:m2`, '--update-strategy', 'digest', '--platforms', 'linux/arm/v7'),
      answer(
        image(REPOS.multi),
        '--update-strategy',
        'digest',
        '--semver-constraint',
        's390',
        '--platforms',
        'linux/s390x',
      ),
      answer(
        image(REPOS.multi),
        '--update-strategy',
        'digest',
        '--semver-constraint',
        'm1',
        '--platforms',
        'linux/s390x',
      ),
      answer(image(REPOS.multi), '--update-strategy', 'digest', '--semver-constraint', 'nope'),
    ]);
    expect(m1.selected).toEqual({ tag: 'm1', digest: pushed.digests.multi.m1 });
    const text = await tagflowTest(`${image(REPOS.multi)}:m1`, '--update-strategy', 'digest');
    expect(text.stdout).toContain(
      `latest image according to constraint is ${image(REPOS.multi)}:m1@${pushed.digests.multi.m1}\n`,
    );
    expect(pushed.children.m1).not.toContain(m1.selected?.digest);
    expect(m2FromRef.selected).toEqual({ tag: 'm2', digest: pushed.digests.multi.m2 });
    expect(s390.selected).toEqual({ tag: 's390', digest: pushed.digests.multi.s390 });
    expect(notOffered).toMatchObject({ selected: null, reason: 'no-match', tags_after_platforms: 1 });
    expect(missing).toMatchObject({ selected: null, reason: 'no-match' });
    expect(missing.message).toContain('tag "nope" is not among them');
  });
});

describe('tagflow test: nothing to select is still an answer (exit 0)', () => {
  it('answers no-tags for a repository without tags, for every strategy', async () => {
    const answers = await Promise.all(
      [['semver'], ['alphabetical'], ['newest-build'], ['digest', '--semver-constraint', 'gone']].map((s) =>
        answer(image(EMPTY), '--update-strategy', ...s),
      ),
    );
    for (const j of answers) expect(j).toMatchObject({ tags_found: 0, selected: null, reason: 'no-tags' });
    const text = await tagflowTest(image(EMPTY));
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Found 0 tags in registry\nno newer version of image found\n/);
  });
});

describe('tagflow test: credentials and registries.conf', () => {
  it('reads --credentials secret:… through --kubeconfig, and the credentials of registries.conf', async () => {
    const withSecretConf = join(env.dir, 'registries-secret.conf');
    await writeFile(
      withSecretConf,
      `registries:\n- name: acr\n  api_url: ${env.registry.url}\n  prefix: ${STRATEGY_HOST}\n  credentials: secret:argocd/acr#acr\n`,
    );
    const [flag, fromConf] = await Promise.all([
      answer(image(REPOS.semver), '--credentials', 'secret:argocd/acr#acr', '--kubeconfig', env.kubeconfigPath),
      answer(
        image(REPOS.semver),
        '--registries-conf-path',
        withSecretConf,
        '--kubeconfig',
        env.kubeconfigPath,
        '--credentials',
        'secret:argocd/acr#acr',
      ),
    ]);
    expect(flag.selected?.tag).toBe('v2.0.0');
    expect(fromConf.selected?.tag).toBe('v2.0.0');
    const conf = await runCli([
      'test',
      image(REPOS.semver),
      '--registries-conf-path',
      withSecretConf,
      '--kubeconfig',
      env.kubeconfigPath,
      '-o',
      'json',
    ]);
    expect(conf.code).toBe(0);
    expect(JSON.parse(conf.stdout).selected.tag).toBe('v2.0.0');
  });

  it('fails in one line for wrong, missing or unknown credentials', async () => {
    const [wrong, unset, unknown, none] = await Promise.all([
      runCli(['test', image(REPOS.semver), '--registries-conf-path', conf, '--credentials', 'env:BAD'], {
        BAD: `${ACR_USER}:not-the-password`,
      }),
      runCli(['test', image(REPOS.semver), '--registries-conf-path', conf, '--credentials', 'env:UNSET_TAGFLOW_VAR']),
      runCli(['test', image(REPOS.semver), '--registries-conf-path', conf, '--credentials', 'vault:x']),
      runCli(['test', image(REPOS.semver), '--registries-conf-path', conf]),
    ]);
    expectOneLineError(wrong, /registry\.unauthorized|registry\.token/);
    expectOneLineError(unset, /UNSET_TAGFLOW_VAR/);
    expectOneLineError(unknown, /vault:x/);
    expectOneLineError(none, /strategies\/semver.*unauthorized/);
  });
});

describe('tagflow test: one-line errors', () => {
  it('rejects bad input naming the flag and value, without waiting on the registry', async () => {
    const dead = join(env.dir, 'dead.conf');
    await writeFile(
      dead,
      `registries:\n- name: dead\n  api_url: http://127.0.0.1:${await freePort()}\n  prefix: ${STRATEGY_HOST}\n`,
    );
    const ref = image(REPOS.semver);
    const cases: [string[], RegExp][] = [
      [[ref, '--semver-constraint', '>>1'], /--semver-constraint ">>1"/],
      [[ref, '--semver-constraint', 'latest'], /--semver-constraint "latest"/],
      [[ref, '--allow-tags', 'regexp:('], /--allow-tags "regexp:\("/],
      [[ref, '--allow-tags', 'v1.*'], /--allow-tags "v1\.\*".*regexp:/],
      [[ref, '--update-strategy', 'newest-build', '--platforms', 'linux'], /--platforms "linux"/],
      [[ref, '--update-strategy', 'digest'], /digest.*--semver-constraint/],
      [['Registry.Example/UPPER/case'], /invalid image reference "Registry\.Example\/UPPER\/case"/],
      [[ref, '--output', 'yaml'], /--output "yaml".*text or json/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(['test', ...args, '--registries-conf-path', dead])));
    results.forEach((r, i) => expectOneLineError(r, cases[i]![1]));
  });

  it('reports an unreachable registry, an unknown repository and a bad registries.conf in one line', async () => {
    const port = await freePort();
    const dead = join(env.dir, 'unreachable.conf');
    await writeFile(
      dead,
      `registries:\n- name: dead\n  api_url: http://127.0.0.1:${port}\n  prefix: ${STRATEGY_HOST}\n`,
    );
    const broken = join(env.dir, 'broken.conf');
    await writeFile(broken, 'registries:\n- name: x\n  api_url: [not, a, url\n');
    const [unreachable, unknownRepo, missingConf, badConf] = await Promise.all([
      tagflowTest(image(REPOS.semver), '--registries-conf-path', dead),
      tagflowTest(image('strategies/does-not-exist')),
      tagflowTest(image(REPOS.semver), '--registries-conf-path', join(env.dir, 'missing.conf')),
      tagflowTest(image(REPOS.semver), '--registries-conf-path', broken),
    ]);
    expectOneLineError(unreachable, new RegExp(`registry\\.unavailable.*127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
    expectOneLineError(unknownRepo, /registry\.not-found.*strategies\/does-not-exist/);
    expectOneLineError(missingConf, /--registries-conf-path ".*missing\.conf": no such file/);
    expectOneLineError(badConf, /invalid registries\.conf ".*broken\.conf"/);
  });
});
