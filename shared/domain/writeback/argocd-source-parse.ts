/**
 * Read an existing `.argocd-source-*.yaml` the way the anchor unmarshals it into its override
 * structs. A file that does not decode (bad YAML, wrong node kinds) yields null: it is rewritten.
 * Keys are matched case-insensitively (Argo CD itself reads these files that way).
 */
import type { HelmParameter } from '../model/application.ts';
import { leadingDocumentStart } from './yaml-preamble.ts';
import {
  decodeBool,
  decodeMap,
  decodeSeq,
  decodeString,
  mapGet,
  parseYamlText,
  YamlDecodeError,
} from './yaml-decode.ts';

export interface OverrideFile {
  /** Text before the content to keep verbatim (up to a leading `---`), '' if none. */
  preamble: string;
  helmParameters: HelmParameter[];
  kustomizeImages: string[];
  pluginEnv: { name: string; value: string }[];
}

function decode(text: string): Omit<OverrideFile, 'preamble'> {
  const root = decodeMap(parseYamlText(text).contents, 'document');
  const helm = decodeMap(mapGet(root, 'helm', true), 'helm');
  const helmParameters = (decodeSeq(mapGet(helm, 'parameters', true), 'helm.parameters') ?? []).map((item, i) => {
    const m = decodeMap(item, `helm.parameters[${i}]`);
    return {
      name: decodeString(mapGet(m, 'name', true), 'name'),
      value: decodeString(mapGet(m, 'value', true), 'value'),
      forceString: decodeBool(mapGet(m, 'forcestring', true), 'forcestring'),
    };
  });
  const kustomize = decodeMap(mapGet(root, 'kustomize', true), 'kustomize');
  const kustomizeImages = (decodeSeq(mapGet(kustomize, 'images', true), 'kustomize.images') ?? []).map((item, i) =>
    decodeString(item, `kustomize.images[${i}]`),
  );
  const plugin = decodeMap(mapGet(root, 'plugin', true), 'plugin');
  const pluginEnv = (decodeSeq(mapGet(plugin, 'env', true), 'plugin.env') ?? []).map((item, i) => {
    const m = decodeMap(item, `plugin.env[${i}]`);
    return {
      name: decodeString(mapGet(m, 'name', true), 'name'),
      value: decodeString(mapGet(m, 'value', true), 'value'),
    };
  });
  return { helmParameters, kustomizeImages, pluginEnv };
}

/** The decoded file, or null when it cannot be decoded (the caller then rewrites it from scratch). */
export function readOverrideFile(text: string): OverrideFile | null {
  try {
    return { preamble: leadingDocumentStart(text), ...decode(text) };
  } catch (e) {
    if (e instanceof YamlDecodeError) return null;
    throw e;
  }
}
