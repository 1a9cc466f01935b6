/**
 * Whether a Helm parameter name (the `helm.image-name` / `helm.image-tag` / `helm.image-spec`
 * targets) is a path Helm's `--set` syntax can address: segments separated by single dots, each
 * non-empty, optionally followed by `[n]` indexes; `\.` (and `\` before any other character)
 * escapes; no whitespace, control characters, `=` or `,` (they separate `--set` assignments).
 */
import { quoteForMessage } from '../input-limits.ts';

const CONTROL_OR_SPACE = /[\s\p{Cc}\p{Cf}]/u;
const SEGMENT = String.raw`(?:[^.\[\]\\=,]|\\.)+(?:\[\d+\])*`;
const NAME = new RegExp(`^${SEGMENT}(?:\\.${SEGMENT})*$`, 'u');

/** Why `name` is not an addressable Helm parameter name, or null when it is. */
export function helmParameterNameProblem(name: string): string | null {
  const quoted = quoteForMessage(name);
  const why = (detail: string) => `${quoted} is not a Helm parameter name Helm can address: ${detail}`;
  if (name === '') return why('it is empty');
  if (CONTROL_OR_SPACE.test(name)) return why('it contains whitespace or control characters');
  if (/[=,]/.test(name.replace(/\\./g, ''))) return why('"=" and "," separate --set assignments (escape them with \\)');
  if (NAME.test(name)) return null;
  const unescaped = name.replace(/\\./g, 'x');
  if (unescaped.startsWith('.')) return why('it starts with "."');
  if (unescaped.endsWith('.') || name.endsWith('\\')) return why('it ends with "." or "\\"');
  if (unescaped.includes('..')) return why('it has an empty segment ("..")');
  return why('segments are separated by single dots and may end in [n] indexes (e.g. image.tag, images[0].tag)');
}
