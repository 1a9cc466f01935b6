/**
 * The part of a YAML file before its content that an edit must keep verbatim: leading blank lines,
 * comments and `%` directives up to and including an explicit `---` document start.
 */

const DOC_START = /^---[ \t]*(#.*)?\r?\n?$/;

/** The preamble ending with the first `---` line, or '' when the file has no leading `---`. */
export function leadingDocumentStart(text: string): string {
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl + 1;
    const line = text.slice(pos, end);
    if (DOC_START.test(line)) return text.slice(0, end);
    const trimmed = line.trim();
    if (trimmed !== '' && !trimmed.startsWith('#') && !line.startsWith('%')) return '';
    pos = end;
  }
  return '';
}
