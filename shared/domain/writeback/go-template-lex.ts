/**
 * Lexer for the Go `text/template` subset used by commit-message and branch templates.
 * Splits a template into text and action tokens; honours `{{-`/`-}}` trim markers and
 * `{{/* comments *\/}}`.
 */

export type TokenKind =
  | 'text'
  | 'left' // start of an action
  | 'right' // end of an action
  | 'ident'
  | 'field' // `.` or `.Name`
  | 'var' // `$` or `$name`
  | 'string'
  | 'number'
  | 'bool'
  | 'nil'
  | 'lparen'
  | 'rparen'
  | 'pipe'
  | 'declare' // :=
  | 'assign' // =
  | 'comma';

export interface Token {
  kind: TokenKind;
  value: string;
  line: number;
}

export class TemplateSyntaxError extends Error {}

const SPACE = /[ \t\r\n]/;

function isSpace(c: string | undefined): boolean {
  return c !== undefined && SPACE.test(c);
}

function trimRight(text: string): string {
  return text.replace(/[ \t\r\n]+$/, '');
}

/** Tokenise the whole template. Text tokens already have trim markers applied. */
export function lexTemplate(src: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  let trimNext = false;
  const lineAt = (p: number) => line + (src.slice(pos, p).match(/\n/g)?.length ?? 0);

  while (pos < src.length) {
    const open = src.indexOf('{{', pos);
    let text = open < 0 ? src.slice(pos) : src.slice(pos, open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    trimNext = false;
    if (open < 0) {
      if (text) tokens.push({ kind: 'text', value: text, line });
      break;
    }
    let p = open + 2;
    if (src[p] === '-' && isSpace(src[p + 1])) {
      text = trimRight(text);
      p += 2;
    }
    if (text) tokens.push({ kind: 'text', value: text, line });
    line = lineAt(open);
    pos = open;
    const startLine = line;
    // comment: {{/* ... */}}
    if (src.startsWith('/*', p)) {
      const close = src.indexOf('*/', p + 2);
      if (close < 0) throw new TemplateSyntaxError(`${startLine}: unclosed comment`);
      let r = close + 2;
      if (src[r] === ' ' && src[r + 1] === '-' && src.startsWith('}}', r + 2)) {
        trimNext = true;
        r += 2;
      }
      if (!src.startsWith('}}', r))
        throw new TemplateSyntaxError(`${startLine}: comment ends before closing delimiter`);
      line = lineAt(r + 2);
      pos = r + 2;
      continue;
    }
    tokens.push({ kind: 'left', value: '{{', line: startLine });
    const end = lexAction(src, p, startLine, tokens);
    trimNext = end.trim;
    line = lineAt(end.pos);
    pos = end.pos;
  }
  return tokens;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const FIELD_CHAIN = /^(\.[A-Za-z_][A-Za-z0-9_]*)+/;
const NUMBER = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][+-]?\d+)?)/;

function lexAction(src: string, start: number, line: number, out: Token[]): { pos: number; trim: boolean } {
  let p = start;
  const push = (kind: TokenKind, value: string) => out.push({ kind, value, line });
  for (;;) {
    if (p >= src.length) throw new TemplateSyntaxError(`${line}: unclosed action`);
    const c = src[p]!;
    if (c === '\n') line++;
    if (isSpace(c)) {
      if (src[p + 1] === '-' && src.startsWith('}}', p + 2)) {
        push('right', '}}');
        return { pos: p + 4, trim: true };
      }
      p++;
      continue;
    }
    if (src.startsWith('}}', p)) {
      push('right', '}}');
      return { pos: p + 2, trim: false };
    }
    const rest = src.slice(p);
    if (c === '(' || c === ')' || c === '|' || c === ',') {
      push(c === '(' ? 'lparen' : c === ')' ? 'rparen' : c === '|' ? 'pipe' : 'comma', c);
      p++;
    } else if (rest.startsWith(':=')) {
      push('declare', ':=');
      p += 2;
    } else if (c === '=') {
      push('assign', '=');
      p++;
    } else if (c === '"') {
      const m = /^"(?:[^"\\\n]|\\.)*"/.exec(rest);
      if (!m) throw new TemplateSyntaxError(`${line}: unterminated quoted string`);
      push('string', decodeGoString(m[0], line));
      p += m[0].length;
    } else if (c === '`') {
      const close = src.indexOf('`', p + 1);
      if (close < 0) throw new TemplateSyntaxError(`${line}: unterminated raw quoted string`);
      push('string', src.slice(p + 1, close));
      p = close + 1;
    } else if (c === '.') {
      const m = FIELD_CHAIN.exec(rest);
      if (m) {
        push('field', m[0]);
        p += m[0].length;
      } else if (/^\.\d/.test(rest)) {
        const n = NUMBER.exec(rest)!;
        push('number', n[0]);
        p += n[0].length;
      } else {
        push('field', '.');
        p++;
      }
    } else if (c === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(rest)!;
      push('var', m[0]);
      p += m[0].length;
    } else if (/[0-9+-]/.test(c)) {
      const m = NUMBER.exec(rest);
      if (!m || m[0] === '' || m[0] === '+' || m[0] === '-')
        throw new TemplateSyntaxError(`${line}: bad character ${JSON.stringify(c)}`);
      push('number', m[0]);
      p += m[0].length;
    } else if (IDENT.test(rest)) {
      const word = IDENT.exec(rest)![0];
      if (word === 'true' || word === 'false') push('bool', word);
      else if (word === 'nil') push('nil', word);
      else push('ident', word);
      p += word.length;
    } else {
      throw new TemplateSyntaxError(`${line}: unexpected ${JSON.stringify(c)} in command`);
    }
  }
}

function decodeGoString(quoted: string, line: number): string {
  const body = quoted.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_all, esc: string) => {
    switch (esc[0]) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'a':
        return '\x07';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case '\\':
        return '\\';
      case '"':
        return '"';
      case "'":
        return "'";
      case 'x':
      case 'u':
      case 'U':
        return String.fromCodePoint(parseInt(esc.slice(1), 16));
      default:
        if (/^[0-7]{3}$/.test(esc)) return String.fromCharCode(parseInt(esc, 8));
        throw new TemplateSyntaxError(`${line}: unknown escape sequence \\${esc}`);
    }
  });
}
