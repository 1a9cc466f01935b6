/**
 * RFC 7386 JSON merge patch and RFC 6902 JSON patch, applied to plain JSON values.
 * Errors are KubeStatusErrors with the codes kube-apiserver uses: a patch that cannot be decoded
 * is 400, a patch that cannot be applied (missing path, failed `test`) is 422.
 */
import { isDeepStrictEqual } from 'node:util';
import { KubeStatusError, badRequest } from './kube-status.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

interface Operation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

const unprocessable = (message: string) => new KubeStatusError(422, message, 'Invalid');

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw unprocessable(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(arr: unknown[], token: string, forAdd: boolean): number {
  if (forAdd && token === '-') return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw unprocessable(`invalid array index "${token}"`);
  const i = Number(token);
  if (i > arr.length || (!forAdd && i === arr.length)) throw unprocessable(`array index ${i} out of bounds`);
  return i;
}

/** Walks to the parent container of `tokens`; throws 422 when a step is missing. */
function parentOf(doc: unknown, tokens: string[], path: string): unknown {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(cur, t, false)];
    else if (isObject(cur) && Object.hasOwn(cur, t)) cur = cur[t];
    else throw unprocessable(`doc is missing path: "${path}"`);
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw unprocessable(`doc is missing path: "${path}"`);
  return cur;
}

function getAt(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return doc;
  const parent = parentOf(doc, tokens, path);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) return parent[arrayIndex(parent, last, false)];
  if (!Object.hasOwn(parent as object, last)) throw unprocessable(`doc is missing path: "${path}"`);
  return (parent as Record<string, unknown>)[last];
}

function removeAt(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw unprocessable('cannot remove the document root');
  const parent = parentOf(doc, tokens, path);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, last, false), 1)[0];
  if (!Object.hasOwn(parent as object, last)) throw unprocessable(`unable to remove nonexistent key: ${last}`);
  const removed = (parent as Record<string, unknown>)[last];
  delete (parent as Record<string, unknown>)[last];
  return removed;
}

function addAt(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return structuredClone(value);
  const parent = parentOf(doc, tokens, path);
  const last = tokens[tokens.length - 1]!;
  const v = structuredClone(value);
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, last, !replace);
    parent.splice(i, replace ? 1 : 0, v);
  } else {
    if (replace && !Object.hasOwn(parent as object, last)) throw unprocessable(`doc is missing key: "${path}"`);
    (parent as Record<string, unknown>)[last] = v;
  }
  return doc;
}

function decodeOps(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  return patch.map((op) => {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string')
      throw badRequest('invalid JSON patch operation');
    if (!['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(op.op))
      throw badRequest(`unexpected kind: ${op.op}`);
    if ((op.op === 'move' || op.op === 'copy') && typeof op.from !== 'string')
      throw badRequest(`${op.op} operation requires "from"`);
    if (['add', 'replace', 'test'].includes(op.op) && !Object.hasOwn(op, 'value'))
      throw badRequest(`${op.op} operation requires "value"`);
    return op as unknown as Operation;
  });
}

export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  const ops = decodeOps(patch);
  let doc = structuredClone(target);
  for (const op of ops) {
    switch (op.op) {
      case 'add':
        doc = addAt(doc, op.path, op.value, false);
        break;
      case 'replace':
        doc = addAt(doc, op.path, op.value, true);
        break;
      case 'remove':
        removeAt(doc, op.path);
        break;
      case 'move': {
        if (op.path.startsWith(`${op.from}/`)) throw unprocessable('cannot move a value into one of its children');
        const v = removeAt(doc, op.from!);
        doc = addAt(doc, op.path, v, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, op.path, getAt(doc, op.from!), false);
        break;
      case 'test':
        if (!isDeepStrictEqual(getAt(doc, op.path), op.value)) throw unprocessable(`testing value ${op.path} failed`);
        break;
    }
  }
  return doc;
}
