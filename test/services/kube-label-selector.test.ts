import { describe, expect, it } from 'vitest';
import { fieldSelector, matches, parseLabelSelector } from './kube-label-selector.ts';

const labels = { app: 'web', tier: 'front', 'example.com/team': 'a', n: '5' };

describe('label selectors', () => {
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['app in (web, db)', true],
    ['app in (db)', false],
    ['app notin (db)', true],
    ['missing notin (db)', true],
    ['missing in (db)', false],
    ['example.com/team=a', true],
    ['app=web,tier=back', false],
    ['app in (web,db),tier', true],
    ['n>4', true],
    ['n<4', false],
    [' app = web , tier ', true],
  ])('%j → %s', (selector, expected) => {
    expect(matches(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it.each(['app in (web', 'a=b=c', '=x', 'app in web', 'n>x', 'bad key=1'])('rejects %j with 400', (selector) => {
    expect(() => parseLabelSelector(selector)).toThrow(expect.objectContaining({ code: 400 }));
  });

  it('treats missing labels as empty', () => {
    expect(matches(parseLabelSelector('!a'), undefined)).toBe(true);
    expect(matches(parseLabelSelector('a'), undefined)).toBe(false);
  });
});

describe('field selectors', () => {
  const obj = { metadata: { name: 'demo', namespace: 'argocd' } };
  it('supports metadata.name and metadata.namespace', () => {
    expect(fieldSelector('metadata.name=demo')(obj)).toBe(true);
    expect(fieldSelector('metadata.name!=demo')(obj)).toBe(false);
    expect(fieldSelector('metadata.namespace==argocd,metadata.name=x')(obj)).toBe(false);
  });
  it('rejects other fields', () => {
    expect(() => fieldSelector('spec.x=1')).toThrow(expect.objectContaining({ code: 400 }));
  });
});
