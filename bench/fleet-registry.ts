/**
 * The benchmark's registry: a real docker-registry holding `repos` repositories with `tags` semver
 * tags each, built fast (one image pushed, its blobs mounted into every other repository, one
 * manifest PUT per tag) and kept in bench/.cache between runs (same scale → same storage).
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { deleteTag, pushImage } from '../test/fixtures/images.ts';
import { startRegistry, type RegistryService } from '../test/services/registry.ts';

const ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
const CACHE = fileURLToPath(new URL('./.cache/', import.meta.url));

export const repoName = (i: number) => `bench/service-${i}`;
/** Tag k of a repository (0 = the oldest, the one every app runs). */
export const tagName = (k: number) => `${Math.floor(k / 10)}.${k % 10}.0`;

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function expectOk(res: Response, what: string, codes: number[]) {
  if (!codes.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
}

/** Puts the manifest of `source:0.0.0` into `repo` under every tag (blobs mounted from `source`). */
async function fill(
  url: string,
  source: string,
  repo: string,
  manifest: Buffer,
  type: string,
  blobs: string[],
  tags: number,
) {
  if (repo !== source) {
    for (const digest of blobs) {
      await expectOk(
        await fetch(`${url}/v2/${repo}/blobs/uploads/?mount=${digest}&from=${source}`, { method: 'POST' }),
        `mount ${digest} into ${repo}`,
        [201],
      );
    }
  }
  for (let k = repo === source ? 1 : 0; k < tags; k++) {
    const put = await fetch(`${url}/v2/${repo}/manifests/${tagName(k)}`, {
      method: 'PUT',
      headers: { 'content-type': type },
      body: new Uint8Array(manifest),
    });
    await expectOk(put, `tag ${repo}:${tagName(k)}`, [201]);
  }
}

export async function startBenchRegistry(
  scale: { repos: number; tags: number },
  log: (s: string) => void,
): Promise<RegistryService> {
  const dir = `${CACHE}registry-${scale.repos}x${scale.tags}`;
  const ready = `${dir}/.complete`;
  if (!existsSync(ready)) await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const registry = await startRegistry({ auth: 'none', dir });
  if (existsSync(ready)) {
    log(`registry: reusing ${dir}`);
    return registry;
  }
  const started = Date.now();
  const source = repoName(0);
  await pushImage(registry, source, tagName(0));
  const res = await fetch(`${registry.url}/v2/${source}/manifests/${tagName(0)}`, { headers: { accept: ACCEPT } });
  const manifest = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type')!;
  const parsed = JSON.parse(manifest.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  const blobs = [parsed.config.digest, ...parsed.layers.map((l) => l.digest)];
  const repos = Array.from({ length: scale.repos }, (_, i) => repoName(i));
  let done = 0;
  await mapLimit(repos, 16, async (repo) => {
    await fill(registry.url, source, repo, manifest, type, blobs, scale.tags);
    if (++done % 250 === 0) log(`registry: ${done}/${repos.length} repositories`);
  });
  await writeFile(ready, new Date().toISOString());
  log(
    `registry: ${scale.repos} repositories × ${scale.tags} tags built in ${Math.round((Date.now() - started) / 1000)} s (cached in ${dir})`,
  );
  return registry;
}

/**
 * A new tag for a repository (the 1 % cycle): a distinct image of its own, so `removeNewTag` can
 * delete it again and the cached registry stays as built.
 */
export async function pushNewTag(registry: RegistryService, repo: string, tag: string): Promise<void> {
  await pushImage(registry, repo, tag, { created: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
}

export async function removeNewTag(registry: RegistryService, repo: string, tag: string): Promise<void> {
  await deleteTag(registry, repo, tag);
}

/** The baseline: a bare tags/list sweep of the repositories, `concurrency` at a time. */
export async function bareSweep(url: string, repos: readonly string[], concurrency: number): Promise<number> {
  let tags = 0;
  await mapLimit(repos, concurrency, async (repo) => {
    const res = await fetch(`${url}/v2/${repo}/tags/list`);
    tags += ((await res.json()) as { tags: string[] }).tags.length;
  });
  return tags;
}
