/**
 * Parser for the Go `text/template` subset: text, `{{ pipeline }}`, `if`/`else if`/`else`,
 * `range` (with `$i, $v :=` declarations and `else`), `with`/`else`, variables (`:=`, `=`),
 * parenthesised pipelines, `|` chaining and the builtin functions listed in FUNCTION_NAMES.
 * Like Go, unknown functions and undefined variables are parse-time errors.
 */
import { lexTemplate, TemplateSyntaxError, type Token } from './go-template-lex.ts';

export type Operand =
  | { kind: 'field'; chain: string[] } // `.` has an empty chain
  | { kind: 'var'; name: string; chain: string[] }
  | { kind: 'func'; name: string }
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'pipe'; pipe: Pipe; chain: string[] };

export interface Command {
  args: Operand[];
  line: number;
}
export interface Pipe {
  decl: string[];
  assign: boolean;
  cmds: Command[];
}

export interface ControlNode {
  kind: 'if' | 'with' | 'range';
  pipe: Pipe;
  list: TemplateNode[];
  elseList: TemplateNode[] | null;
}

export type TemplateNode = { kind: 'text'; text: string } | { kind: 'action'; pipe: Pipe } | ControlNode;

export const FUNCTION_NAMES = new Set([
  'and',
  'or',
  'not',
  'len',
  'index',
  'slice',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'print',
  'printf',
  'println',
]);

const UNSUPPORTED = new Set(['define', 'template', 'block', 'break', 'continue', 'call', 'html', 'js', 'urlquery']);

class Parser {
  private i = 0;
  private scopes: string[][] = [['$']];
  constructor(private readonly tokens: Token[]) {}

  parse(): TemplateNode[] {
    const { list, stop } = this.parseList();
    if (stop) throw this.error(stop.line, `unexpected {{${stop.word}}}`);
    return list;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
  private next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new TemplateSyntaxError('unexpected EOF');
    return t;
  }
  private error(line: number, msg: string): TemplateSyntaxError {
    return new TemplateSyntaxError(`${line}: ${msg}`);
  }

  /** Parse nodes until EOF or a `{{end}}`/`{{else ...}}` (returned as `stop`, consumed up to the keyword). */
  private parseList(): { list: TemplateNode[]; stop: { word: 'end' | 'else'; line: number } | null } {
    const list: TemplateNode[] = [];
    for (;;) {
      const t = this.peek();
      if (!t) return { list, stop: null };
      this.i++;
      if (t.kind === 'text') {
        list.push({ kind: 'text', text: t.value });
        continue;
      }
      const head = this.peek();
      if (head?.kind === 'ident' && (head.value === 'end' || head.value === 'else')) {
        this.i++;
        return { list, stop: { word: head.value, line: head.line } };
      }
      if (head?.kind === 'ident' && (head.value === 'if' || head.value === 'with' || head.value === 'range')) {
        this.i++;
        list.push(this.parseControl(head.value, head.line));
        continue;
      }
      if (head?.kind === 'ident' && UNSUPPORTED.has(head.value))
        throw this.error(head.line, `{{${head.value}}} is not supported`);
      const pipe = this.parsePipe(true, false);
      this.expect('right');
      list.push({ kind: 'action', pipe });
    }
  }

  private parseControl(word: 'if' | 'with' | 'range', line: number): TemplateNode {
    this.scopes.push([]);
    try {
      const pipe = this.parsePipe(true, word === 'range');
      this.expect('right');
      const body = this.parseList();
      if (!body.stop) throw this.error(line, 'unexpected EOF');
      let elseList: TemplateNode[] | null = null;
      if (body.stop.word === 'else') {
        const t = this.peek();
        if (word === 'if' && t?.kind === 'ident' && t.value === 'if') {
          // `{{else if x}}` is sugar for `{{else}}{{if x}}...{{end}}` sharing the outer {{end}}
          this.i++;
          return { kind: word, pipe, list: body.list, elseList: [this.parseControl('if', t.line)] };
        }
        this.expect('right');
        const alt = this.parseList();
        if (!alt.stop) throw this.error(line, 'unexpected EOF');
        if (alt.stop.word !== 'end') throw this.error(alt.stop.line, 'expected end; found {{else}}');
        elseList = alt.list;
      }
      this.expect('right');
      return { kind: word, pipe, list: body.list, elseList };
    } finally {
      this.scopes.pop();
    }
  }

  private expect(kind: Token['kind']): Token {
    const t = this.next();
    if (t.kind !== kind)
      throw this.error(t.line, `unexpected ${JSON.stringify(t.value)}, expected ${kind === 'right' ? '}}' : kind}`);
    return t;
  }

  private parsePipe(allowDecl: boolean, isRange: boolean): Pipe {
    const pipe: Pipe = { decl: [], assign: false, cmds: [] };
    if (allowDecl && this.peek()?.kind === 'var') {
      const save = this.i;
      const names: string[] = [this.next().value];
      if (isRange && this.peek()?.kind === 'comma') {
        this.i++;
        const v = this.next();
        if (v.kind !== 'var') throw this.error(v.line, 'range can only initialize variables');
        names.push(v.value);
      }
      const op = this.peek();
      if (op?.kind === 'declare' || (op?.kind === 'assign' && names.length === 1)) {
        this.i++;
        pipe.assign = op.kind === 'assign';
        if (pipe.assign && !this.isDefined(names[0]!)) throw this.error(op.line, `undefined variable "${names[0]}"`);
        pipe.decl = names;
      } else {
        this.i = save;
      }
    }
    for (;;) {
      pipe.cmds.push(this.parseCommand());
      if (this.peek()?.kind !== 'pipe') break;
      this.i++;
    }
    if (!pipe.assign) this.scopes[this.scopes.length - 1]!.push(...pipe.decl);
    return pipe;
  }

  private isDefined(name: string): boolean {
    return this.scopes.some((s) => s.includes(name));
  }

  private parseCommand(): Command {
    const args: Operand[] = [];
    const line = this.peek()?.line ?? 0;
    for (;;) {
      const t = this.peek();
      if (!t || t.kind === 'right' || t.kind === 'pipe' || t.kind === 'rparen') break;
      args.push(this.parseOperand());
    }
    if (args.length === 0) throw this.error(line, 'missing value for command');
    return { args, line };
  }

  private parseOperand(): Operand {
    const t = this.next();
    switch (t.kind) {
      case 'field':
        return { kind: 'field', chain: t.value === '.' ? [] : t.value.slice(1).split('.') };
      case 'var': {
        if (!this.isDefined(t.value)) throw this.error(t.line, `undefined variable "${t.value}"`);
        return { kind: 'var', name: t.value, chain: this.fieldChain() };
      }
      case 'ident':
        if (!FUNCTION_NAMES.has(t.value)) throw this.error(t.line, `function "${t.value}" not defined`);
        return { kind: 'func', name: t.value };
      case 'string':
        return { kind: 'literal', value: t.value };
      case 'number': {
        const n = Number(t.value.replace(/_/g, ''));
        if (Number.isNaN(n)) throw this.error(t.line, `bad number syntax: ${JSON.stringify(t.value)}`);
        return { kind: 'literal', value: n };
      }
      case 'bool':
        return { kind: 'literal', value: t.value === 'true' };
      case 'nil':
        return { kind: 'literal', value: null };
      case 'lparen': {
        const pipe = this.parsePipe(false, false);
        this.expect('rparen');
        return { kind: 'pipe', pipe, chain: this.fieldChain() };
      }
      default:
        throw this.error(t.line, `unexpected ${JSON.stringify(t.value)} in operand`);
    }
  }

  private fieldChain(): string[] {
    const t = this.peek();
    if (t?.kind === 'field' && t.value !== '.') {
      this.i++;
      return t.value.slice(1).split('.');
    }
    return [];
  }
}

/** Parse a template; throws TemplateSyntaxError (`<line>: <problem>`) on invalid input. */
export function parseGoTemplate(src: string): TemplateNode[] {
  return new Parser(lexTemplate(src)).parse();
}
