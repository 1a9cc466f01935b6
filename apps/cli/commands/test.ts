import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { KubeConfigReader } from '../../../shared/adapters/k8s/kube-config-reader.ts';
import { loadKubeConfig } from '../../../shared/adapters/k8s/kube-config.ts';
import { fullNameWithoutTag, parseImageRef, validateImageRef } from '../../../shared/domain/image/image-ref.ts';
import { parseStrategy, selectTag, STRATEGY_FLAGS, type SelectionResult } from '../../../shared/domain/policy/index.ts';
import { findEndpoint, parseRegistriesConf, repositoryPath } from '../../../shared/domain/registry/index.ts';
import { describeError } from '../../../shared/errors.ts';
import { silentLogger } from '../../../shared/logging/logger.ts';
import type { DigestMetadata } from '../../../shared/ports/metadata-cache.ts';
import { fetchMetadata } from '../../../workers/registry/fetch-metadata.ts';
import { createRegistryAccess } from '../registry-access.ts';
import { formatSelection, type TestAnswer } from './test-output.ts';

interface TestFlags {
  updateStrategy?: string;
  semverConstraint?: string;
  allowTags?: string;
  ignoreTags: string[];
  platforms?: string;
  credentials?: string;
  registriesConfPath?: string;
  kubeconfig?: string;
  output: string;
}

const DEFAULT_CONF = '/app/config/registries.conf';
const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerTest(program: Command): void {
  program
    .command('test <image>')
    .description('Ask the registry which tag would be chosen for IMAGE, and explain why')
    .option('--update-strategy <strategy>', 'semver, newest-build, alphabetical or digest (and the aliases latest, name)', 'semver')
    .option('--semver-constraint <constraint>', 'version constraint (for digest: the tag to follow)')
    .option('--allow-tags <match>', 'regexp:<re> or any')
    .option('--ignore-tags <glob>', 'tags to ignore (repeatable)', collect, [])
    .option('--platforms <list>', 'os/arch[/variant],... an image must offer (newest-build, digest)')
    .option('--credentials <source>', 'env:VAR, secret:ns/name#field, pullsecret:ns/name or ext:/path')
    .option('--registries-conf-path <file>', `registries.conf (default ${DEFAULT_CONF} when it exists)`)
    .option('--kubeconfig <file>', 'for secret: and pullsecret: credentials')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (image: string, flags: TestFlags) => {
      const answer = await answerTest(image, flags, process.env);
      console.log(flags.output === 'json' ? JSON.stringify(answer.json) : formatSelection(answer));
      if (answer.error) process.exitCode = 1;
    });
}

export async function answerTest(image: string, flags: TestFlags, env: Record<string, string | undefined>): Promise<TestAnswer> {
  const ref = parseImageRef(image);
  const invalid = validateImageRef(ref);
  if (invalid) throw new Error(`invalid image reference ${JSON.stringify(image)}: ${invalid}`);
  const confPath = flags.registriesConfPath ?? (existsSync(DEFAULT_CONF) ? DEFAULT_CONF : undefined);
  const endpoints = confPath ? parseRegistriesConf(readFileSync(confPath, 'utf8')) : [];
  const endpoint = findEndpoint(endpoints, ref.registry, ref.name);
  const repository = repositoryPath(endpoint, ref.name);
  const credentials = flags.credentials ?? endpoint.credentials;
  const needsKube = credentials !== undefined && /^(\S+=)?(secret|pullsecret):/i.test(credentials);
  const reader = needsKube ? new KubeConfigReader(loadKubeConfig({ kubeconfigPath: flags.kubeconfig, env })) : undefined;
  const access = createRegistryAccess({ endpoints: [{ ...endpoint, credentials }], reader, env, log: silentLogger() });
  const { strategy, warning } = parseStrategy(flags.updateStrategy);
  const constraint = flags.semverConstraint ?? (strategy === 'digest' ? (ref.tag ?? '') : '');
  const name = fullNameWithoutTag({ ...ref, tag: null, digest: '' });
  try {
    const client = await access.clientFor(endpoint.prefix, repository, credentials);
    let tags = (await client.listTags(repository)).map((t) => ({ name: t }));
    if (STRATEGY_FLAGS[strategy].readsManifests) tags = await fetchMetadata(client, memoryCache(), repository, tags);
    const selection: SelectionResult = selectTag({
      tags,
      strategy,
      constraint,
      allowTags: flags.allowTags,
      ignoreTags: flags.ignoreTags.flatMap((g) => g.split(',')).map((g) => g.trim()).filter(Boolean),
      platforms: flags.platforms?.split(',').map((p) => p.trim()).filter(Boolean) ?? [],
      fieldNames: { constraint: '--semver-constraint', allowTags: '--allow-tags', ignoreTags: '--ignore-tags', platforms: '--platforms' },
    });
    if (warning) selection.warnings.unshift(warning);
    return { image: name, strategy, constraint, selection, error: selection.reason === 'invalid-input' ? selection.message : undefined, json: jsonOf(name, selection) };
  } catch (e) {
    const err = describeError(e);
    throw new Error(`${err.code}: ${err.message}`);
  }
}

function jsonOf(image: string, s: SelectionResult): TestAnswer['json'] {
  return {
    image,
    tags_found: s.tagsFound,
    selected: s.selected ? { tag: s.selected.name, digest: s.selected.digest ?? '' } : null,
    reason: s.selected ? 'selected' : s.reason,
    message: s.message,
    tags_after_filters: s.afterFilters,
    tags_after_platforms: s.afterPlatforms,
    ranking: s.ranking,
    warnings: s.warnings,
  };
}

function memoryCache() {
  const m = new Map<string, DigestMetadata>();
  return {
    getMany: async (digests: readonly string[]) => new Map(digests.filter((d) => m.has(d)).map((d) => [d, m.get(d)!])),
    put: async (d: string, meta: DigestMetadata) => void m.set(d, meta),
  };
}
