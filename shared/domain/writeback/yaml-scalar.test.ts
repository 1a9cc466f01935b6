import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatGoYamlScalar, goYamlScalarStyle, resolvesAsNonString } from './yaml-scalar.ts';

describe('go-yaml v3 string scalar style', () => {
  it.each([
    // plain
    ['nginx', 'nginx'],
    ['v2.0', 'v2.0'],
    ['1.2.3', '1.2.3'],
    [
      'registry.cn-hangzhou.aliyuncs.com/haoshuwei24/echo-server',
      'registry.cn-hangzhou.aliyuncs.com/haoshuwei24/echo-server',
    ],
    ['nginx:1.2@sha256:abc', 'nginx:1.2@sha256:abc'],
    ['orig=ghcr.io/x:1', 'orig=ghcr.io/x:1'],
    ['a-b', 'a-b'],
    ['a#b', 'a#b'],
    ['_1', '_1'],
    ['2024-13-45', '2024-13-45'],
    // double-quoted: would read back as another type
    ['', '""'],
    ['1.0', '"1.0"'],
    ['16', '"16"'],
    ['0755', '"0755"'],
    ['0x1F', '"0x1F"'],
    ['1_000', '"1_000"'],
    ['1e3', '"1e3"'],
    ['.5', '".5"'],
    ['true', '"true"'],
    ['False', '"False"'],
    ['null', '"null"'],
    ['~', '"~"'],
    ['yes', '"yes"'],
    ['off', '"off"'],
    ['y', '"y"'],
    ['2024-01-02', '"2024-01-02"'],
    ['1:20', '"1:20"'],
    ['.inf', '".inf"'],
    ['<<', '"<<"'],
    // single-quoted: the emitter does not allow plain
    ['*anchor', "'*anchor'"],
    ['@ref', "'@ref'"],
    ['a: b', "'a: b'"],
    ['tag #1', "'tag #1'"],
    ['- x', "'- x'"],
    [' lead', "' lead'"],
    ['trail ', "'trail '"],
    ["it's: x", "'it''s: x'"],
    ['---', "'---'"],
    ['[x]', "'[x]'"],
    // double-quoted: not printable
    ['a\tb', '"a\\tb"'],
  ])('%j → %s', (input, expected) => {
    expect(formatGoYamlScalar(input)).toBe(expected);
    expect(parse(`k: ${expected}`).k).toBe(input);
  });

  it('uses a literal block for multi-line strings', () => {
    expect(goYamlScalarStyle('a\nb')).toBe('literal');
  });

  it.each([
    ['1.20', true],
    ['v1', false],
    ['-1', true],
    ['+.5', true],
    ['-', false],
    ['.x', false],
    ['0b101', true],
    ['0o17', true],
  ])('resolvesAsNonString(%j) = %s', (s, expected) => {
    expect(resolvesAsNonString(s)).toBe(expected);
  });
});
