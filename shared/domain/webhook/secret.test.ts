import { describe, expect, it } from 'vitest';
import { webhookType } from './index.ts';
import { sameSecret } from '../same-secret.ts';
import { hubSignature, verifySecret } from './secret.ts';
import { request, sample } from '../../../test/fixtures/webhook-samples.ts';

const SAMPLE_SIGNATURE = 'sha256=e950a9f44dfec4177e6a78ef5526dc582a67511a0fe10a484a251f213c1a97a8';

describe('webhook secrets', () => {
  it('computes GitHub’s documented signature vector and the sample’s', () => {
    expect(hubSignature("It's a Secret to Everybody", 'Hello, World!')).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
    expect(hubSignature('test-webhook-secret', sample('ghcr.json'))).toBe(SAMPLE_SIGNATURE);
  });

  it('ghcr.io: accepts the right signature over the raw body, refuses a wrong or missing one', () => {
    const t = webhookType('ghcr.io')!;
    const raw = sample('ghcr.json');
    const signed = request(raw, { headers: { 'x-hub-signature-256': SAMPLE_SIGNATURE } });
    expect(verifySecret(t, signed, ['test-webhook-secret'])).toEqual({ ok: true });
    expect(verifySecret(t, signed, ['other'])).toMatchObject({ ok: false, reason: 'bad-secret' });
    // the same JSON re-serialised is another body: the signature no longer matches
    const reformatted = request(JSON.stringify(JSON.parse(raw)), {
      headers: { 'x-hub-signature-256': SAMPLE_SIGNATURE },
    });
    expect(verifySecret(t, reformatted, ['test-webhook-secret'])).toMatchObject({ ok: false, reason: 'bad-secret' });
    expect(verifySecret(t, request(raw), ['test-webhook-secret'])).toMatchObject({
      ok: false,
      reason: 'missing-secret',
    });
  });

  it('query types: ?secret=, compared whole', () => {
    const t = webhookType('docker.io')!;
    expect(verifySecret(t, request('{}', { query: 'secret=s3cret' }), ['s3cret'])).toEqual({ ok: true });
    expect(verifySecret(t, request('{}', { query: 'secret=s3cre' }), ['s3cret']).ok).toBe(false);
    expect(verifySecret(t, request('{}', { query: 'secret=s3crett' }), ['s3cret']).ok).toBe(false);
    expect(verifySecret(t, request('{}'), ['s3cret'])).toMatchObject({ reason: 'missing-secret' });
  });

  it('authorization types: the header as the secret, or Bearer <secret>; any configured secret', () => {
    const t = webhookType('distribution')!;
    const auth = (v: string) => request('{}', { headers: { authorization: v } });
    expect(verifySecret(t, auth('tok'), ['tok']).ok).toBe(true);
    expect(verifySecret(t, auth('Bearer tok'), ['tok']).ok).toBe(true);
    expect(verifySecret(t, auth('Bearer tok'), ['Bearer tok']).ok).toBe(true);
    expect(verifySecret(t, auth('Basic tok'), ['tok']).ok).toBe(false);
    expect(verifySecret(t, auth('two'), ['one', 'two']).ok).toBe(true);
  });

  it('cloudevents: ?secret= or X-Webhook-Secret', () => {
    const t = webhookType('cloudevents')!;
    expect(verifySecret(t, request('{}', { headers: { 'x-webhook-secret': 'k' } }), ['k']).ok).toBe(true);
    expect(verifySecret(t, request('{}', { query: 'secret=k' }), ['k']).ok).toBe(true);
  });

  it('compares strings of different lengths without throwing', () => {
    expect(sameSecret('a', 'a much longer secret')).toBe(false);
    expect(sameSecret('', '')).toBe(true);
  });
});
