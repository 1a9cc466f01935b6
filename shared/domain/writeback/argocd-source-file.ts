/**
 * The `.argocd-source-<app>.yaml` override file (reference §5.4), rendered byte-for-byte as
 * argocd-image-updater v1.3+ writes it: go-yaml v3, 2-space indent, compact sequences, lowercase
 * keys; only parameters/env entries of tracked images; merged into an existing file; a leading
 * `---` (with what precedes it) kept; an unparsable existing file rewritten from scratch.
 */
import type { ApplicationSource, HelmParameter } from '../model/application.ts';
import type { SourceType } from './apply-to-source.ts';
import { readOverrideFile, type OverrideFile } from './argocd-source-parse.ts';
import { hasPluginTarget, managedHelmParameterNames, managedPluginEnvNames, type ImageWrite } from './image-write.ts';
import { mergeKustomizeOverrideImages } from './kustomize-images.ts';
import { formatGoYamlScalar } from './yaml-scalar.ts';

type EnvEntry = { name: string; value: string };

const byteCompare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Stable sort of Helm parameters by name [v1.2+]. */
export function sortHelmParameters<T extends { name: string }>(params: readonly T[]): T[] {
  return [...params].sort((a, b) => byteCompare(a.name, b.name));
}

function mergeByName<T extends { name: string }>(existing: readonly T[], incoming: readonly T[]): T[] {
  const out = [...existing];
  for (const item of incoming) {
    const i = out.findIndex((e) => e.name === item.name);
    if (i >= 0) out[i] = item;
    else out.push(item);
  }
  return out;
}

function renderList<T>(key: string, items: readonly T[], renderItem: (item: T) => string[]): string {
  if (items.length === 0) return `  ${key}: []\n`;
  let out = `  ${key}:\n`;
  for (const item of items) {
    const [first, ...rest] = renderItem(item);
    out += `  - ${first}\n` + rest.map((l) => `    ${l}\n`).join('');
  }
  return out;
}

const scalar = formatGoYamlScalar;

function renderHelm(params: readonly HelmParameter[]): string {
  return (
    'helm:\n' +
    renderList('parameters', params, (p) => [
      `name: ${scalar(p.name)}`,
      `value: ${scalar(p.value)}`,
      `forcestring: ${p.forceString ? 'true' : 'false'}`,
    ])
  );
}

function renderKustomize(images: readonly string[]): string {
  return 'kustomize:\n' + renderList('images', images, (i) => [scalar(i)]);
}

function renderPlugin(env: readonly EnvEntry[]): string {
  return 'plugin:\n' + renderList('env', env, (e) => [`name: ${scalar(e.name)}`, `value: ${scalar(e.value)}`]);
}

function usesPlugin(type: SourceType, writes: readonly ImageWrite[]): boolean {
  return type === 'Plugin' && writes.some(hasPluginTarget);
}

/**
 * Render the override file for `source` (the Application source after applyImageWrites).
 * `existing` is the current file content (null when absent). Returns '' when the source has no
 * block of its type, as the anchor.
 */
export function renderArgocdSourceFile(
  existing: string | null,
  source: ApplicationSource,
  type: SourceType,
  writes: readonly ImageWrite[],
): string {
  const parsed: OverrideFile | null = existing ? readOverrideFile(existing) : null;
  const keep = (body: string) => (parsed ? parsed.preamble + body : body);

  if (type === 'Kustomize') {
    if (!source.kustomize) return '';
    const images = source.kustomize.images ?? [];
    return keep(renderKustomize(parsed ? mergeKustomizeOverrideImages(parsed.kustomizeImages, images) : images));
  }
  if (usesPlugin(type, writes)) {
    if (!source.plugin) return '';
    const managed = managedPluginEnvNames(writes);
    const env = (source.plugin.env ?? []).filter((e) => managed.has(e.name));
    return keep(renderPlugin(parsed ? mergeByName(parsed.pluginEnv, env) : env));
  }
  if (!source.helm) return '';
  const managed = managedHelmParameterNames(writes);
  const params = (source.helm.parameters ?? []).filter((p) => managed.has(p.name));
  return keep(renderHelm(sortHelmParameters(parsed ? mergeByName(parsed.helmParameters, params) : params)));
}

/**
 * `.argocd-source-<app>.yaml`, or `.argocd-source-<namespace>_<app>.yaml` for an app outside the
 * controller's namespace (unless that namespace is unknown or `default`, as the anchor).
 */
export function argocdSourceFileName(appName: string, appNamespace: string, controllerNamespace: string): string {
  if (
    appNamespace === '' ||
    appNamespace === controllerNamespace ||
    controllerNamespace === 'default' ||
    controllerNamespace === ''
  ) {
    return `.argocd-source-${appName}.yaml`;
  }
  return `.argocd-source-${appNamespace}_${appName}.yaml`;
}
