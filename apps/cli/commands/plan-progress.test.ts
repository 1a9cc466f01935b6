import { describe, expect, it } from 'vitest';
import { barLine, planProgress } from './plan-progress.ts';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  const out = { isTTY, write: (c: string | Buffer) => (chunks.push(String(c)), true) } as unknown as NodeJS.WriteStream;
  return { out, text: () => chunks.join('') };
}

describe('plan progress', () => {
  it('redraws one bar in place on a terminal, with log lines written above it', async () => {
    const s = fakeStream(true);
    const p = planProgress(s.out);
    p.checked(1, 4);
    await new Promise<void>((r) => p.logs.write('level=warn msg=x\n', () => r()));
    p.checked(4, 4);
    p.finish(4, 4);
    expect(s.text()).toBe(
      `\r\x1b[K${barLine(1, 4)}\r\x1b[Klevel=warn msg=x\n${barLine(1, 4)}\r\x1b[K${barLine(4, 4)}\r\x1b[K`,
    );
    expect(barLine(1, 4)).toBe(`checking applications [${'█'.repeat(8)}${'░'.repeat(22)}] 1/4`);
  });

  it('prints a plain line each time the count changes otherwise', () => {
    const s = fakeStream(false);
    const p = planProgress(s.out);
    p.listing();
    p.checked(0, 2);
    p.checked(0, 2);
    p.checked(2, 2);
    p.finish(2, 2);
    expect(s.text()).toBe(
      'plan: listing the control planes\nplan: 0/2 applications checked\nplan: 2/2 applications checked\n',
    );
  });
});
