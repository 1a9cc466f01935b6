import { Writable } from 'node:stream';

/** Where `tagflow plan` reports how far it got; log lines go through `logs` so they never tear the bar. */
export interface PlanProgress {
  /** The destination of the logger: lines are written above the bar. */
  readonly logs: Writable;
  /** Before the cycle started: the control planes are being listed. */
  listing(): void;
  checked(done: number, total: number): void;
  /** Clears the bar (TTY) or prints the last line. */
  finish(done: number, total: number): void;
}

const WIDTH = 30;
const CLEAR = '\r\x1b[K';

/**
 * On a terminal (`out.isTTY`): one line redrawn in place, `checking applications [████░░░░] 3/5`.
 * Otherwise plain lines, one each time the count changes (`plan: 3/5 applications checked`).
 */
export function planProgress(out: NodeJS.WriteStream = process.stderr): PlanProgress {
  const tty = out.isTTY === true;
  let bar = '';
  let last = '';
  const draw = (line: string) => {
    if (tty) {
      bar = line;
      out.write(`${CLEAR}${line}`);
    } else if (line !== last) {
      out.write(`plan: ${line}\n`);
    }
    last = line;
  };
  const logs = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.write(tty && bar ? `${CLEAR}${chunk.toString('utf8')}${bar}` : chunk);
      done();
    },
  });
  return {
    logs,
    listing: () => draw('listing the control planes'),
    checked: (n, total) => draw(tty ? barLine(n, total) : `${n}/${total} applications checked`),
    finish(n, total) {
      if (tty) {
        if (bar) out.write(CLEAR);
        bar = '';
      } else draw(`${n}/${total} applications checked`);
    },
  };
}

export function barLine(done: number, total: number): string {
  const filled = total > 0 ? Math.min(WIDTH, Math.round((done / total) * WIDTH)) : WIDTH;
  return `checking applications [${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}] ${done}/${total}`;
}
