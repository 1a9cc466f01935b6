/**
 * Get and set values in a Helm values document by a dotted key with `[idx]` list indices
 * (reference §5.5), with the anchor's key resolution and error messages:
 * - set: the whole key as a literal top-level key first, else the nested path (missing maps created);
 * - get: the nested path first, the literal key as fallback.
 * Aliases are followed one level. Documents are parsed with scalars as text (see yaml-decode.ts).
 */
import { isAlias, isMap, isScalar, isSeq, Scalar, YAMLMap, type Document, type Node } from 'yaml';
import { PermanentError } from '../../errors.ts';
import { goYamlScalarStyle } from './yaml-scalar.ts';

const LIST_ELEMENT = /^(.*)\[(.*)\]$/;

function helmError(message: string): PermanentError {
  return new PermanentError('writeback.helmvalues', message);
}

function kindName(node: unknown): string {
  if (isMap(node)) return 'MappingNode';
  if (isSeq(node)) return 'SequenceNode';
  if (isAlias(node)) return 'AliasNode';
  return 'ScalarNode';
}

/** `name[idx]` → { key: name, id: idx }; a non-integer id is the anchor's pattern error. */
function parseSegment(segment: string): { key: string; id: number | null } {
  const m = LIST_ELEMENT.exec(segment);
  if (!m) return { key: segment, id: null };
  if (!/^[+-]?\d+$/.test(m[2]!)) throw helmError(`id "${m[2]}" in yaml array must match pattern ^(.*)\\[(.*)\\]$`);
  return { key: m[1]!, id: Number(m[2]) };
}

function findValue(map: YAMLMap, key: string): { found: boolean; value: unknown } {
  for (const pair of map.items) {
    if (isScalar(pair.key) && String(pair.key.value) === key) return { found: true, value: pair.value };
  }
  return { found: false, value: undefined };
}

function unalias(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function rootMap(doc: Document): YAMLMap {
  if (doc.contents === null) doc.contents = new YAMLMap() as unknown as Node;
  if (!isMap(doc.contents)) throw helmError(`unexpected type ${kindName(doc.contents)} for root`);
  return doc.contents;
}

/** A string scalar written as go-yaml would write it (existing quoting/block styles are kept). */
export function setScalarText(node: Scalar, value: string): void {
  node.value = value;
  node.tag = undefined;
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') return;
  if ((node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') && value.includes('\n')) return;
  const style = goYamlScalarStyle(value);
  node.type =
    style === 'plain'
      ? 'PLAIN'
      : style === 'single'
        ? 'QUOTE_SINGLE'
        : style === 'double'
          ? 'QUOTE_DOUBLE'
          : 'BLOCK_LITERAL';
}

export function newStringScalar(value: string): Scalar {
  const s = new Scalar(value);
  setScalarText(s, value);
  return s;
}

/** Set `key` to the string `value`. Throws PermanentError 'writeback.helmvalues' with the anchor's messages. */
export function setHelmValue(doc: Document, key: string, value: string): void {
  let current: YAMLMap = rootMap(doc);
  const literal = findValue(current, key);
  if (literal.found) {
    const node = unalias(doc, literal.value);
    if (!isScalar(node)) throw helmError(`unexpected type ${kindName(node)} for key ${key}`);
    setScalarText(node, value);
    return;
  }
  const segments = key.split('.');
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    const { key: name, id } = parseSegment(segment);
    const hit = findValue(current, name);
    if (!hit.found) {
      if (id !== null) throw helmError(`key "${name}" not found: cannot create element ${id} of a missing yaml array`);
      current.add({ key: newStringScalar(name), value: last ? newStringScalar(value) : new YAMLMap() });
      if (!last) current = current.items[current.items.length - 1]!.value as YAMLMap;
      return;
    }
    let node = unalias(doc, hit.value);
    if (!isSeq(node) && id !== null) throw helmError(`id ${id} provided when "${name}" is not an yaml array`);
    if (isSeq(node)) {
      if (id === null) throw helmError(`no id provided for yaml array "${name}"`);
      if (id < 0 || id >= node.items.length) throw helmError(`id ${id} is out of range [0, ${node.items.length})`);
      node = node.items[id];
    }
    if (last) {
      if (!isScalar(node)) throw helmError(`unexpected type ${kindName(node)} for key ${segment}`);
      setScalarText(node, value);
    } else {
      if (!isMap(node)) throw helmError(`unexpected type ${kindName(node)} for key ${segment}`);
      current = node;
    }
  });
}

/** The scalar node a key resolves to for reading (nested path first, literal key second). */
export function resolveHelmScalar(doc: Document, key: string): Scalar {
  if (doc.contents === null) throw helmError('empty document node');
  if (!isMap(doc.contents)) throw helmError(`unexpected type ${kindName(doc.contents)} for root`);
  const root = doc.contents;
  let node: unknown = root;
  const segments = key.split('.');
  for (const [i, segment] of segments.entries()) {
    const { key: name, id } = parseSegment(segment);
    const hit = findValue(node as YAMLMap, name);
    if (!hit.found) break;
    node = unalias(doc, hit.value);
    if (isSeq(node)) {
      if (id === null || id < 0 || id >= node.items.length) break;
      node = node.items[id];
    }
    if (i === segments.length - 1) {
      if (isScalar(node)) return node;
      break;
    }
    if (!isMap(node)) break;
  }
  const literal = findValue(root, key);
  if (literal.found) {
    const value = unalias(doc, literal.value);
    if (isScalar(value)) return value;
    throw helmError(`literal key "${key}" found but is not a scalar value`);
  }
  throw helmError(`key "${key}" not found as nested path or literal key`);
}

/** Read a value as text. Throws PermanentError when the key cannot be resolved to a scalar. */
export function getHelmValue(doc: Document, key: string): string {
  const node = resolveHelmScalar(doc, key);
  return node.value === null || node.value === undefined ? '' : String(node.value);
}
