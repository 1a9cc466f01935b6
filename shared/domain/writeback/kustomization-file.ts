/**
 * The `kustomization[:dir]` write-back target (reference §5.5): set the Application's Kustomize
 * images in a kustomization.yaml `images:` list as `kustomize edit set image` does, keyed by `name`.
 * The file's key order, comments, blank lines, sequence indentation and leading `---` are kept.
 */
import { isMap, isScalar, isSeq, parseAllDocuments, parseDocument, YAMLMap, YAMLSeq, type Document } from 'yaml';
import { PermanentError } from '../../errors.ts';
import { newStringScalar, setScalarText } from './helm-values.ts';
import { parseKustomizeImageOverride, type KustomizeImageOverride } from './kustomize-images.ts';
import { detectSequenceIndent, splitPreamble, stringifyYaml } from './yaml-format.ts';

/** Recognised kustomization file names, in kustomize's lookup order. */
export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

const FIELDS = ['newName', 'newTag', 'digest'] as const;

function problem(message: string): PermanentError {
  return new PermanentError('writeback.kustomization', message);
}

function parseKustomization(body: string): Document {
  const docs = parseAllDocuments(body, { schema: 'failsafe' });
  if (docs.length === 0) return parseDocument(body, { schema: 'failsafe' }); // empty or comments only
  if (docs.length > 1) throw problem('the kustomization file contains several YAML documents; only one is supported');
  const doc = docs[0]!;
  if (doc.errors.length > 0)
    throw problem(`cannot parse the kustomization file: ${doc.errors[0]!.message.split('\n')[0]}`);
  return doc;
}

function scalarText(node: unknown): string | undefined {
  return isScalar(node) ? String(node.value) : undefined;
}

/** Make an `images:` element equal to `img` (fields absent from `img` are removed, as kustomize's setter replaces the element). */
function setElement(el: YAMLMap, img: KustomizeImageOverride): void {
  for (const pair of [...el.items]) {
    const key = scalarText(pair.key);
    if (key !== 'name' && !(FIELDS as readonly string[]).includes(key ?? '')) el.delete(pair.key);
  }
  for (const field of FIELDS) {
    const value = img[field];
    const pair = el.items.find((p) => scalarText(p.key) === field);
    if (!value) {
      if (pair) el.delete(pair.key);
    } else if (pair && isScalar(pair.value)) {
      setScalarText(pair.value, value);
    } else if (pair) {
      pair.value = newStringScalar(value);
    } else {
      el.add({ key: newStringScalar(field), value: newStringScalar(value) });
    }
  }
}

function newElement(img: KustomizeImageOverride): YAMLMap {
  const el = new YAMLMap();
  el.add({ key: newStringScalar('name'), value: newStringScalar(img.name) });
  setElement(el, img);
  return el;
}

function imagesSeq(root: YAMLMap): YAMLSeq {
  const pair = root.items.find((p) => scalarText(p.key) === 'images');
  if (pair && isSeq(pair.value)) return pair.value;
  if (
    pair &&
    !(isScalar(pair.value) && (pair.value.value === '' || pair.value.value === null)) &&
    pair.value !== null
  ) {
    throw problem('"images" in the kustomization file is not a list');
  }
  const seq = new YAMLSeq();
  if (pair) pair.value = seq;
  else root.add({ key: newStringScalar('images'), value: seq });
  return seq;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/**
 * Apply `images` (Argo CD Kustomize image strings, `<ref>` or `<orig>=<ref>`) to a kustomization.
 * `skip` is true when nothing changes semantically (then `content` is the input, untouched).
 */
export function updateKustomizationFile(
  content: string,
  images: readonly string[],
): { skip: boolean; content: string } {
  const { preamble, body } = splitPreamble(content);
  const doc = parseKustomization(body);
  const before = doc.toJS();
  if (doc.contents === null || (isMap(doc.contents) && doc.contents.items.length === 0)) doc.contents = new YAMLMap();
  if (!isMap(doc.contents)) throw problem('the kustomization file is not a YAML mapping');
  const seq = imagesSeq(doc.contents);
  for (const entry of images) {
    const img = parseKustomizeImageOverride(entry);
    const existing = seq.items.find((el) => isMap(el) && scalarText(el.get('name', true)) === img.name);
    if (existing) setElement(existing as YAMLMap, img);
    else seq.items.push(newElement(img));
  }
  if (deepEqual(before, doc.toJS())) return { skip: true, content };
  return { skip: false, content: preamble + stringifyYaml(doc, { indentSeq: detectSequenceIndent(body) }) };
}
