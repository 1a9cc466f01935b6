/**
 * A registry's throttling signals → what the shared budget should do: a 429 (or a 503 with
 * Retry-After) holds every request back for the time asked; `RateLimit-Remaining` with its window
 * (`RateLimit-Reset`, the `w=` parameter of Docker Hub's `ratelimit-remaining: 95;w=21600`, or the
 * combined `RateLimit: limit=…, remaining=…, reset=…`) caps the rate at what is left of the window,
 * or holds everything back until the window passes when nothing is left.
 */
import { parseRetryAfter } from './classify.ts';
import type { HeaderReader } from './http-transport.ts';

export interface RateSignal {
  /** Hold every request back this long. */
  blockMs?: number;
  /** Cap the rate at this many requests per second for windowMs. */
  ratePerSec?: number;
  windowMs?: number;
}

const MAX_WINDOW_MS = 24 * 3600_000;

/** `95;w=21600` → { value: 95, window: 21600 }; null when the value is not a number. */
function quota(raw: string | null): { value: number; window?: number } | null {
  if (raw === null) return null;
  const [first, ...params] = raw.split(';').map((s) => s.trim());
  if (!first || !/^\d+$/.test(first)) return null;
  const w = params.map((p) => /^w=(\d+)$/i.exec(p)?.[1]).find((v) => v !== undefined);
  return { value: Number(first), ...(w ? { window: Number(w) } : {}) };
}

/** `limit=100, remaining=50, reset=30` (also `r=`/`t=`) → its numbers. */
function combined(raw: string | null): { remaining?: number; reset?: number } {
  if (!raw) return {};
  const out: { remaining?: number; reset?: number } = {};
  for (const part of raw.split(/[,;]/)) {
    const m = /^\s*([a-z]+)\s*=\s*(\d+)\s*$/i.exec(part);
    if (!m) continue;
    const name = m[1]!.toLowerCase();
    if (name === 'remaining' || name === 'r') out.remaining = Number(m[2]);
    if (name === 'reset' || name === 't') out.reset = Number(m[2]);
  }
  return out;
}

export function rateSignal(status: number, headers: HeaderReader, now = Date.now()): RateSignal | null {
  const retryAfter = headers.get('retry-after');
  const reset = quota(headers.get('ratelimit-reset'))?.value;
  if (status === 429 || (status === 503 && retryAfter !== null)) {
    const blockMs = retryAfter === null && reset !== undefined ? reset * 1000 : parseRetryAfter(retryAfter, now);
    return { blockMs: Math.min(blockMs, MAX_WINDOW_MS) };
  }
  const remaining = quota(headers.get('ratelimit-remaining'));
  const both = combined(headers.get('ratelimit'));
  const left = remaining?.value ?? both.remaining;
  if (left === undefined) return null;
  const windowSec = reset ?? both.reset ?? remaining?.window ?? quota(headers.get('ratelimit-limit'))?.window;
  if (!windowSec) return null;
  const windowMs = Math.min(windowSec * 1000, MAX_WINDOW_MS);
  if (left === 0) return { blockMs: windowMs };
  return { ratePerSec: left / windowSec, windowMs };
}
