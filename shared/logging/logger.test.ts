import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { createLogger, toLogfmt } from './logger.ts';

function capture(format: 'text' | 'json') {
  const out = new PassThrough();
  const lines: string[] = [];
  out.on('data', (c: Buffer) => lines.push(...c.toString().split('\n').filter(Boolean)));
  return { log: createLogger({ level: 'info', format, destination: out }), lines };
}

describe('logger', () => {
  it('prints the anchor line in logfmt', async () => {
    const { log, lines } = capture('text');
    log.info({ application: 'gitops-demo' }, 'Successfully updated the live application spec');
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatch(
      /^time=\S+ level=info msg="Successfully updated the live application spec" application=gitops-demo$/,
    );
  });

  it('redacts secrets', async () => {
    const { log, lines } = capture('json');
    log.info({ credentials: { username: 'u', password: 'hunter2' }, token: 'abc' }, 'x');
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).not.toContain('hunter2');
    expect(lines[0]).not.toContain('abc');
    expect(JSON.parse(lines[0]!).credentials.username).toBe('u');
  });

  it('quotes values with spaces', () => {
    expect(toLogfmt({ time: 't', level: 'info', msg: 'a b', n: 3, s: 'x=y' })).toBe(
      'time=t level=info msg="a b" n=3 s="x=y"',
    );
  });
});
