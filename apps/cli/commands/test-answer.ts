import { existsSync } from 'node:fs';
import { fullNameWithoutTag } from '../../../shared/domain/image/image-ref.ts';
import { readRegistriesConfFile } from '../../../shared/adapters/k8s/registries-conf-file.ts';
import { selectTag, STRATEGY_FLAGS, type SelectionInput } from '../../../shared/domain/policy/index.ts';
import {
  findEndpoint,
  parseRegistriesConf,
  repositoryPath,
  type RegistryEndpoint,
} from '../../../shared/domain/registry/index.ts';
import { describeError, PermanentError } from '../../../shared/errors.ts';
import { silentLogger } from '../../../shared/logging/logger.ts';
import type { DigestMetadata, MetadataCache } from '../../../shared/ports/metadata-cache.ts';
import { createRegistryAccess } from '../../../shared/adapters/registry/registry-access.ts';
import type { TagRecord } from '../../../shared/domain/model/tags.ts';
import { formatSelection, jsonAnswer, type TestAnswer } from './test-output.ts';
import { DEFAULT_CONF, type TestFlags } from './test-flags.ts';
import { checkCredentials, checkImage, checkStrategy, TestCommandError } from './test-input.ts';

const OUTPUTS = ['text', 'json'];

/** The command's action: the answer on stdout, or one line of error (exit code 1). */
export async function runTest(image: string, flags: TestFlags): Promise<void> {
  const answer = await answerTest(image, flags, process.env).catch((e: unknown) => {
    throw new Error(oneLine(e instanceof TestCommandError ? e.message : errorLine(e)));
  });
  console.log(flags.output === 'json' ? JSON.stringify(answer.json) : formatSelection(answer));
}

export { TestCommandError };

/**
 * Answers `tagflow test`: checks the whole question before any request (so bad input never waits
 * on the network), then lists the tags, reads manifests when the strategy needs them, and selects.
 * Throws TestCommandError for bad input and for registry/credential failures.
 */
export async function answerTest(
  image: string,
  flags: TestFlags,
  env: Record<string, string | undefined>,
): Promise<TestAnswer> {
  if (!OUTPUTS.includes(flags.output))
    throw new TestCommandError(`invalid --output ${JSON.stringify(flags.output)}: expected text or json`);
  const ref = checkImage(image);
  const { strategy, warning } = checkStrategy(flags.updateStrategy);
  if (flags.credentials !== undefined) checkCredentials(flags.credentials);
  const question: Omit<SelectionInput, 'tags'> = {
    strategy,
    constraint: flags.semverConstraint ?? (strategy === 'digest' ? (ref.tag ?? '') : ''),
    ...(flags.allowTags !== undefined ? { allowTags: flags.allowTags } : {}),
    ignoreTags: flags.ignoreTags
      .flatMap((g) => g.split(','))
      .map((g) => g.trim())
      .filter(Boolean),
    platforms:
      flags.platforms
        ?.split(',')
        .map((p) => p.trim())
        .filter(Boolean) ?? [],
    fieldNames: {
      constraint: '--semver-constraint',
      allowTags: '--allow-tags',
      ignoreTags: '--ignore-tags',
      platforms: '--platforms',
    },
  };
  const dry = selectTag({ ...question, tags: [] });
  if (dry.reason === 'invalid-input') throw new TestCommandError(dry.message);

  const endpoint = findEndpoint(readEndpoints(flags.registriesConfPath), ref.registry, ref.name);
  const repository = repositoryPath(endpoint, ref.name);
  const credentials = flags.credentials ?? endpoint.credentials;
  const name = fullNameWithoutTag({ ...ref, tag: null, digest: '' });
  try {
    const needsKube = credentials !== undefined && /^(\S+=)?(secret|pullsecret):/i.test(credentials);
    const reader = needsKube ? await kubeReader(flags.kubeconfig, env) : undefined;
    const access = createRegistryAccess({ reader: () => reader, env, metadata: memoryCache(), log: silentLogger() });
    const target = {
      repoKey: repository,
      controlPlane: 'test',
      endpoint: { ...endpoint, credentials },
      repository,
      ...(credentials ? { credentials } : {}),
      metadata: false,
    };
    const client = await access.clientFor(target);
    let tags: TagRecord[] = (await client.listTags(repository)).map((t) => ({ name: t }));
    if (STRATEGY_FLAGS[strategy].readsManifests) tags = await access.withMetadata(client, repository, tags);
    const selection = selectTag({ ...question, tags });
    if (warning) selection.warnings.unshift(warning);
    return {
      image: name,
      strategy,
      constraint: question.constraint,
      selection,
      json: jsonAnswer(name, strategy, question.constraint, selection),
    };
  } catch (e) {
    throw new TestCommandError(`cannot query the registry for ${name}: ${errorLine(e)}`);
  }
}

/** Secrets through client-node, loaded only when a credential needs them (it is a large module). */
async function kubeReader(kubeconfigPath: string | undefined, env: Record<string, string | undefined>) {
  const [{ KubeConfigReader }, { loadKubeConfig }] = await Promise.all([
    import('../../../shared/adapters/k8s/kube-config-reader.ts'),
    import('../../../shared/adapters/k8s/kube-config.ts'),
  ]);
  return new KubeConfigReader(loadKubeConfig({ kubeconfigPath, env }));
}

function readEndpoints(path: string | undefined): RegistryEndpoint[] {
  const file = path ?? (existsSync(DEFAULT_CONF) ? DEFAULT_CONF : undefined);
  if (!file) return [];
  let text: string | null;
  try {
    text = readRegistriesConfFile(file);
  } catch (e) {
    if (e instanceof PermanentError) throw new TestCommandError(e.message);
    throw new TestCommandError(`cannot read --registries-conf-path ${JSON.stringify(file)}: ${errorLine(e)}`);
  }
  if (text === null)
    throw new TestCommandError(`cannot read --registries-conf-path ${JSON.stringify(file)}: no such file`);
  try {
    return parseRegistriesConf(text);
  } catch (e) {
    throw new TestCommandError(`invalid registries.conf ${JSON.stringify(file)}: ${errorLine(e)}`);
  }
}

function errorLine(e: unknown): string {
  const err = describeError(e);
  return err.code === 'internal' ? err.message : `${err.code}: ${err.message}`;
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function memoryCache(): MetadataCache {
  const m = new Map<string, DigestMetadata>();
  return {
    getMany: async (digests) => new Map(digests.filter((d) => m.has(d)).map((d) => [d, m.get(d)!])),
    put: async (d, meta) => void m.set(d, meta),
  };
}
