/**
 * Decode YAML the way go-yaml decodes into Go structs: scalars keep their source text (so `1.10`
 * stays "1.10"), plain `null`/`~`/empty are the zero value, booleans follow go-yaml's rules, and a
 * node of the wrong kind is a decode error.
 */
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node, type YAMLMap } from 'yaml';

export class YamlDecodeError extends Error {}

const NULL_TEXT = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUE_TEXT = new Set(['true', 'True', 'TRUE', 'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON']);
const FALSE_TEXT = new Set(['false', 'False', 'FALSE', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);

/** Parse one YAML document keeping scalars as text. Throws YamlDecodeError on syntax errors. */
export function parseYamlText(text: string): Document {
  const doc = parseDocument(text, { schema: 'failsafe', keepSourceTokens: true });
  if (doc.errors.length > 0) throw new YamlDecodeError(doc.errors[0]!.message.split('\n')[0]!);
  return doc;
}

/** True for a missing node or a plain null-like scalar. */
export function isNullNode(node: unknown): boolean {
  if (node === null || node === undefined) return true;
  return isScalar(node) && node.type === 'PLAIN' && NULL_TEXT.has(String(node.value));
}

export function decodeMap(node: unknown, what: string): YAMLMap | null {
  if (isNullNode(node)) return null;
  if (isMap(node)) return node;
  throw new YamlDecodeError(`${what} is not a mapping`);
}

export function decodeSeq(node: unknown, what: string): unknown[] | null {
  if (isNullNode(node)) return null;
  if (isSeq(node)) return node.items;
  throw new YamlDecodeError(`${what} is not a sequence`);
}

export function decodeString(node: unknown, what: string): string {
  if (isNullNode(node)) return '';
  if (isScalar(node)) return String(node.value);
  throw new YamlDecodeError(`${what} is not a scalar`);
}

export function decodeBool(node: unknown, what: string): boolean {
  if (isNullNode(node)) return false;
  const text = isScalar(node) ? String(node.value) : null;
  if (text !== null && TRUE_TEXT.has(text)) return true;
  if (text !== null && FALSE_TEXT.has(text)) return false;
  throw new YamlDecodeError(`${what} is not a boolean`);
}

/** The value of `key` in a mapping; `ignoreCase` matches keys like Go's encoding/json does. */
export function mapGet(map: YAMLMap | null, key: string, ignoreCase = false): Node | null | undefined {
  if (!map) return undefined;
  for (const pair of map.items) {
    const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (k === key || (ignoreCase && k?.toLowerCase() === key.toLowerCase())) return pair.value as Node | null;
  }
  return undefined;
}
