import type { IncomingMessage } from 'node:http';

/** The anchor's webhook limit, the default: a larger body is answered 413 and not read further. */
export const MAX_WEBHOOK_BODY = 1 << 20;

export type BodyResult = { ok: true; body: string } | { ok: false; tooLarge: true } | { ok: false; tooLarge: false };

/** Reads the raw body up to `max` bytes; stops at once (no buffering past it) when it is larger. */
export function readBody(req: IncomingMessage, max = MAX_WEBHOOK_BODY): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.resolve({ ok: false, tooLarge: true });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: BodyResult) => {
      if (done) return;
      done = true;
      req.removeListener('data', onData);
      resolve(r);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.pause();
        return finish({ ok: false, tooLarge: true });
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => finish({ ok: true, body: Buffer.concat(chunks).toString('utf8') }));
    req.once('error', () => finish({ ok: false, tooLarge: false }));
    req.once('aborted', () => finish({ ok: false, tooLarge: false }));
  });
}
