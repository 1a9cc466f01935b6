import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../errors.ts';
import { compileGoTemplate, TemplateExecError } from './go-template.ts';

const run = (tpl: string, data: unknown = {}) => compileGoTemplate('t', tpl).execute(data);

describe('Go template subset: rendering', () => {
  it.each([
    ['plain text', 'hello', {}, 'hello'],
    ['field', '{{ .A }}', { A: 'x' }, 'x'],
    ['nested field', '{{ .A.B }}', { A: { B: 'y' } }, 'y'],
    ['dot', '{{ . }}', 'z', 'z'],
    ['trim left', 'a  \n {{- .A }}', { A: 'b' }, 'ab'],
    ['trim right', '{{ .A -}}  \n c', { A: 'b' }, 'bc'],
    ['trim both', 'x {{- .A -}} y', { A: '-' }, 'x-y'],
    ['comment', 'a{{/* note */}}b', {}, 'ab'],
    ['trimmed comment', 'a {{- /* note */ -}} b', {}, 'ab'],
    ['if true', '{{ if .A }}yes{{ end }}', { A: 'v' }, 'yes'],
    ['if empty string false', '{{ if .A }}yes{{ else }}no{{ end }}', { A: '' }, 'no'],
    ['else if', '{{ if .A }}a{{ else if .B }}b{{ else }}c{{ end }}', { A: 0, B: [1] }, 'b'],
    ['range slice', '{{ range .L }}[{{ . }}]{{ end }}', { L: ['a', 'b'] }, '[a][b]'],
    ['range else', '{{ range .L }}x{{ else }}none{{ end }}', { L: [] }, 'none'],
    ['range vars', '{{ range $i, $v := .L }}{{ $i }}={{ $v }};{{ end }}', { L: ['a', 'b'] }, '0=a;1=b;'],
    [
      'range map sorted',
      '{{ range $k, $v := .M }}{{ $k }}:{{ $v }} {{ end }}',
      {
        M: new Map([
          ['b', '2'],
          ['a', '1'],
        ]),
      },
      'a:1 b:2 ',
    ],
    ['root var in range', '{{ range .L }}{{ $.N }}{{ . }}{{ end }}', { L: ['1', '2'], N: 'n' }, 'n1n2'],
    ['with', '{{ with .A }}<{{ .B }}>{{ end }}', { A: { B: 'in' } }, '<in>'],
    ['with else', '{{ with .A }}x{{ else }}empty{{ end }}', { A: '' }, 'empty'],
    ['variable', '{{ $x := .A }}{{ $x }}{{ $x }}', { A: 'q' }, 'qq'],
    ['assignment', '{{ $x := "a" }}{{ if true }}{{ $x = "b" }}{{ end }}{{ $x }}', {}, 'b'],
    ['index map', '{{ index .M "k" }}', { M: new Map([['k', 'v']]) }, 'v'],
    ['index missing map key is empty', '[{{ index .M "nope" }}]', { M: new Map() }, '[]'],
    ['missing map key via field', '{{ .M.nope }}', { M: new Map() }, '<no value>'],
    ['index slice', '{{ index .L 1 }}', { L: ['a', 'b'] }, 'b'],
    ['len', '{{ len .L }}', { L: [1, 2, 3] }, '3'],
    ['pipeline into func', '{{ .A | printf "%s!" }}', { A: 'hey' }, 'hey!'],
    ['paren pipeline', '{{ (index .L 0).N }}', { L: [{ N: 'first' }] }, 'first'],
    ['eq/ne', '{{ if eq .A "x" "y" }}1{{ end }}{{ if ne .A "y" }}2{{ end }}', { A: 'y' }, '1'],
    ['and/or/not', '{{ and .A .B }}|{{ or .C .A }}|{{ not .C }}', { A: 'a', B: 'b', C: '' }, 'b|a|true'],
    ['lt/gt', '{{ lt 1 2 }} {{ gt "a" "b" }} {{ le 2 2 }} {{ ge 1 2 }}', {}, 'true false true false'],
    ['print spacing', '{{ print "a" 1 2 "b" }}', {}, 'a1 2b'],
    ['println', '{{ println "a" 1 }}', {}, 'a 1\n'],
    ['printf verbs', '{{ printf "%d-%q-%5s-%-3s|%%" 7 "x" "ab" "c" }}', {}, '7-"x"-   ab-c  |%'],
    ['slice', '{{ slice "abcdef" 1 3 }}', {}, 'bc'],
    ['raw string', '{{ `a"b` }}', {}, 'a"b'],
    ['string escapes', '{{ "a\\tb" }}', {}, 'a\tb'],
    ['struct printing', '{{ .L }}', { L: ['x', 'y'] }, '[x y]'],
    ['nil prints', '{{ nil }}', {}, '<nil>'],
  ])('%s', (_name, tpl, data, expected) => {
    expect(run(tpl, data)).toBe(expected);
  });
});

describe('Go template subset: errors', () => {
  it.each([
    ['unclosed action', 'a {{ .A '],
    ['unexpected end', 'a {{ end }}'],
    ['missing end', '{{ if .A }}x'],
    ['unknown function', '{{ foo .A }}'],
    ['undefined variable', '{{ $nope }}'],
    ['unsupported define', '{{ define "x" }}{{ end }}'],
    ['unterminated string', '{{ "abc }}'],
    ['two else', '{{ if .A }}{{ else }}{{ else }}{{ end }}'],
    ['unclosed comment', '{{/* abc }}'],
  ])('parse error: %s', (_name, tpl) => {
    const err = (() => {
      try {
        compileGoTemplate('t', tpl);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as PermanentError).code).toBe('writeback.template');
    expect((err as PermanentError).message).toMatch(/^template: t:\d+: /);
  });

  it.each([
    ['missing struct field', '{{ .Nope }}', { A: 1 }],
    ['field of nil', '{{ .A.B }}', { A: null }],
    ['field of string', '{{ .A.B }}', { A: 's' }],
    ['index out of range', '{{ index .L 5 }}', { L: [] }],
    ['argument to non-function', '{{ .A 1 }}', { A: 'x' }],
    ['incompatible eq', '{{ eq 1 "1" }}', {}],
    ['range over string', '{{ range .A }}{{ end }}', { A: 's' }],
  ])('execution error: %s', (_name, tpl, data) => {
    expect(() => run(tpl, data)).toThrow(TemplateExecError);
  });

  it('reports the line of a parse error', () => {
    expect(() => compileGoTemplate('t', 'line1\nline2 {{ bad }}')).toThrow(/t:2: function "bad" not defined/);
  });
});
