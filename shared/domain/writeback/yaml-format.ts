/**
 * Serialisation settings shared by the files tagflow edits: 2-space indent, no line folding, the
 * file's own sequence indentation (`key:\n- a` vs `key:\n  - a`), and the text before a leading
 * `---` kept verbatim.
 */
import type { Document } from 'yaml';
import { leadingDocumentStart } from './yaml-preamble.ts';

const KEY_ONLY = /^(\s*)(?:-\s+)*[^\s#-][^#]*:\s*(#.*)?$/;
const SEQ_ITEM = /^(\s*)-(\s|$)/;

/** Whether the file indents block sequences under their key (`key:\n  - a`); false for compact or unknown. */
export function detectSequenceIndent(text: string): boolean {
  let keyIndent: number | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const item = SEQ_ITEM.exec(line);
    if (item && keyIndent !== null) return item[1]!.length > keyIndent;
    const key = KEY_ONLY.exec(line);
    keyIndent = key && !item ? key[1]!.length : null;
  }
  return false;
}

/** Split off the preamble ending with a leading `---` line (see yaml-preamble.ts). */
export function splitPreamble(text: string): { preamble: string; body: string } {
  const preamble = leadingDocumentStart(text);
  return { preamble, body: text.slice(preamble.length) };
}

export function stringifyYaml(doc: Document, opts: { indentSeq: boolean }): string {
  return doc.toString({
    indent: 2,
    indentSeq: opts.indentSeq,
    lineWidth: 0,
    minContentWidth: 0,
    flowCollectionPadding: false,
  });
}
