import { describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch } from './kube-patch.ts';

describe('RFC 7386 merge patch', () => {
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j + %j', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it('does not mutate its inputs', () => {
    const target = { a: { b: 1 } };
    applyMergePatch(target, { a: { b: 2 } });
    expect(target).toEqual({ a: { b: 1 } });
  });
});

describe('RFC 6902 JSON patch', () => {
  const doc = { foo: ['bar', 'baz'], obj: { 'a/b': 1, 'm~n': 2 } };
  it.each([
    [[{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
    [[{ op: 'add', path: '/foo/-', value: 'end' }], { foo: ['bar', 'baz', 'end'] }],
    [[{ op: 'remove', path: '/foo/0' }], { foo: ['baz'] }],
    [[{ op: 'replace', path: '/obj/a~1b', value: 9 }], { obj: { 'a/b': 9, 'm~n': 2 } }],
    [[{ op: 'move', from: '/obj/m~0n', path: '/moved' }], { moved: 2, obj: { 'a/b': 1 } }],
    [[{ op: 'copy', from: '/foo/0', path: '/first' }], { first: 'bar' }],
    [[{ op: 'test', path: '/foo', value: ['bar', 'baz'] }], {}],
  ])('%j', (patch, expected) => {
    expect(applyJsonPatch(doc, patch)).toMatchObject(expected);
  });

  it.each([
    [[{ op: 'test', path: '/foo/0', value: 'nope' }], 422],
    [[{ op: 'replace', path: '/missing', value: 1 }], 422],
    [[{ op: 'remove', path: '/foo/5' }], 422],
    [[{ op: 'add', path: '/a/b/c', value: 1 }], 422],
    [[{ op: 'frobnicate', path: '/x' }], 400],
    [{ op: 'add' }, 400],
    [[{ op: 'add', path: '/x' }], 400],
  ])('%j fails with %i', (patch, code) => {
    expect(() => applyJsonPatch(doc, patch)).toThrow(expect.objectContaining({ code }));
  });

  it('applies all operations or none', () => {
    const d = { a: 1 };
    expect(() =>
      applyJsonPatch(d, [
        { op: 'replace', path: '/a', value: 2 },
        { op: 'test', path: '/a', value: 1 },
      ]),
    ).toThrow();
    expect(d).toEqual({ a: 1 });
  });
});
