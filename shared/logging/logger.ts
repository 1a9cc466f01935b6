import { pino, type Logger } from 'pino';
import { writeSync } from 'node:fs';
import { Writable } from 'node:stream';

export type { Logger };

/** Keys whose values never reach a log line. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'credentials.password',
  'secret',
  '*.secret',
  'auth',
  '*.auth',
];

export interface LoggerOptions {
  level: string;
  format: 'text' | 'json';
  destination?: NodeJS.WritableStream;
  base?: Record<string, unknown>;
}

/**
 * The process logger. `json` is pino's own output; `text` renders the same records as logfmt
 * (`time=… level=info msg="…" application=…`), the format argocd-image-updater prints by default.
 */
export function createLogger(options: LoggerOptions): Logger {
  const out = options.destination ?? stdoutBuffered();
  const stream = options.format === 'json' ? out : logfmtStream(out);
  return pino(
    {
      level: options.level,
      base: options.base ?? {},
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
}

function logfmtStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      let text = '';
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) text += `${toLogfmt(JSON.parse(line) as Record<string, unknown>)}\n`;
      }
      if (text) out.write(text);
      done();
    },
  });
}

let stdout: Writable | undefined;

/**
 * Standard output, with lines gathered into one write per turn of the event loop (a busy cycle
 * logs thousands of lines; a write each is what costs) and written synchronously on exit.
 */
function stdoutBuffered(): Writable {
  if (stdout) return stdout;
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!pending) return;
    const text = pending;
    pending = '';
    process.stdout.write(text);
  };
  process.once('exit', () => {
    if (pending) writeSync(1, pending);
    pending = '';
  });
  stdout = new Writable({
    write(chunk: Buffer, _enc, done) {
      pending += chunk.toString('utf8');
      if (pending.length > 65_536) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      done();
    },
  });
  return stdout;
}

/** Fields printed right after the message, as argocd-image-updater's lines have them. */
const LEADING_FIELDS = ['application', 'image', 'alias'];

export function toLogfmt(record: Record<string, unknown>): string {
  const { time, level, msg, ...rest } = record;
  const parts = [`time=${quote(String(time ?? ''))}`, `level=${String(level)}`, `msg=${quote(String(msg ?? ''))}`];
  const keys = [
    ...LEADING_FIELDS.filter((k) => k in rest),
    ...Object.keys(rest).filter((k) => !LEADING_FIELDS.includes(k)),
  ];
  for (const k of keys) {
    const v = rest[k];
    parts.push(`${k}=${quote(typeof v === 'string' ? v : JSON.stringify(v))}`);
  }
  return parts.join(' ');
}

function quote(v: string): string {
  return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
}

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
