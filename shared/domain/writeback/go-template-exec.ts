/**
 * Executor for parsed Go templates. Data model: plain objects behave like Go structs (a missing
 * field is an execution error), `Map`s behave like Go maps (a missing key is "no value"),
 * arrays like slices. Values print the way Go's fmt `%v` prints them.
 */
import { callFunction, fail, formatValue, isTrue, NO_VALUE } from './go-template-funcs.ts';
import type { Command, ControlNode, Operand, Pipe, TemplateNode } from './go-template-parse.ts';

export { TemplateExecError } from './go-template-funcs.ts';

type Value = unknown;
interface State {
  vars: [string, Value][];
  out: string[];
}

export function executeGoTemplate(nodes: readonly TemplateNode[], data: Value): string {
  const state: State = { vars: [['$', data]], out: [] };
  walk(nodes, data, state);
  return state.out.join('');
}

function walk(nodes: readonly TemplateNode[], dot: Value, s: State): void {
  for (const node of nodes) {
    if (node.kind === 'text') {
      s.out.push(node.text);
      continue;
    }
    const mark = s.vars.length;
    try {
      if (node.kind === 'action') {
        const v = evalPipe(node.pipe, dot, s);
        if (node.pipe.decl.length === 0) s.out.push(formatValue(v));
        continue;
      }
      if (node.kind === 'range') {
        walkRange(node, dot, s);
        continue;
      }
      const v = evalPipe(node.pipe, dot, s);
      if (isTrue(v)) walk(node.list, node.kind === 'with' ? v : dot, s);
      else if (node.elseList) walk(node.elseList, dot, s);
    } finally {
      // variables declared by an action live until the end of the enclosing list; control nodes pop theirs
      if (node.kind !== 'action') s.vars.length = mark;
    }
  }
}

function walkRange(node: ControlNode, dot: Value, s: State): void {
  const pipe: Pipe = { ...node.pipe, decl: [] };
  const v = evalPipe(pipe, dot, s);
  const entries: [Value, Value][] = Array.isArray(v)
    ? v.map((e, i) => [i, e])
    : v instanceof Map
      ? [...v.keys()].sort().map((k) => [k, v.get(k)])
      : v === null || v === NO_VALUE
        ? []
        : fail(`range can't iterate over ${formatValue(v)}`);
  if (entries.length === 0) {
    if (node.elseList) walk(node.elseList, dot, s);
    return;
  }
  const mark = s.vars.length;
  for (const [k, e] of entries) {
    s.vars.length = mark;
    const decl = node.pipe.decl;
    if (decl.length === 1) s.vars.push([decl[0]!, e]);
    if (decl.length === 2) s.vars.push([decl[0]!, k], [decl[1]!, e]);
    walk(node.list, e, s);
  }
}

function evalPipe(pipe: Pipe, dot: Value, s: State): Value {
  let v: Value = NO_VALUE;
  let piped = false;
  for (const cmd of pipe.cmds) {
    v = evalCommand(cmd, dot, s, piped ? [v] : []);
    piped = true;
  }
  if (pipe.assign) {
    const slot = [...s.vars].reverse().find(([n]) => n === pipe.decl[0]);
    if (!slot) fail(`undefined variable: ${pipe.decl[0]}`);
    slot[1] = v;
  } else {
    for (const name of pipe.decl) s.vars.push([name, v]);
  }
  return v;
}

function evalCommand(cmd: Command, dot: Value, s: State, piped: Value[]): Value {
  const [first, ...rest] = cmd.args;
  if (first!.kind === 'func') {
    const args = rest.map((a) => evalOperand(a, dot, s)).concat(piped);
    return callFunction(first!.name, args);
  }
  if (rest.length > 0 || piped.length > 0) fail(`can't give argument to non-function ${describe(first!)}`);
  return evalOperand(first!, dot, s);
}

function describe(op: Operand): string {
  if (op.kind === 'field') return '.' + op.chain.join('.');
  if (op.kind === 'var') return [op.name, ...op.chain].join('.');
  if (op.kind === 'literal') return JSON.stringify(op.value);
  return '(pipeline)';
}

function evalOperand(op: Operand, dot: Value, s: State): Value {
  switch (op.kind) {
    case 'literal':
      return op.value;
    case 'field':
      return chainFields(dot, op.chain);
    case 'var': {
      const slot = [...s.vars].reverse().find(([n]) => n === op.name);
      if (!slot) fail(`undefined variable: ${op.name}`);
      return chainFields(slot[1], op.chain);
    }
    case 'pipe':
      return chainFields(evalPipe(op.pipe, dot, s), op.chain);
    case 'func':
      return callFunction(op.name, []);
  }
}

function chainFields(v: Value, chain: readonly string[]): Value {
  let cur = v;
  for (const name of chain) {
    if (cur instanceof Map) cur = cur.has(name) ? cur.get(name) : NO_VALUE;
    else if (cur !== null && typeof cur === 'object' && !Array.isArray(cur)) {
      if (!Object.hasOwn(cur, name)) fail(`can't evaluate field ${name}`);
      cur = (cur as Record<string, Value>)[name];
    } else if (cur === null || cur === NO_VALUE) fail(`nil pointer evaluating .${name}`);
    else fail(`can't evaluate field ${name} in type ${typeName(cur)}`);
  }
  return cur;
}

function typeName(v: Value): string {
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  return typeof v;
}
