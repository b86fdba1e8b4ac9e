import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, Stripe-style. Every delivery carries
 *
 *   X-CBEC-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, `${t}.${rawBody}`)>
 *
 * To verify (any language):
 *  1. Read the raw request body as bytes, before any JSON parsing or re-serialisation.
 *  2. Split the header on `,`; take `t` and every `v1` value.
 *  3. Compute HMAC-SHA256 with the subscription secret (the whole `whsec_…` string, as UTF-8)
 *     over `${t}.` followed by the raw body; hex-encode it.
 *  4. Compare it with each `v1` in constant time; accept if one matches.
 *  5. Refuse if |now − t| exceeds your tolerance (5 minutes is usual): this stops replays.
 *  6. Deliveries are at-least-once: dedupe items by their receipt `id` (or keep the highest
 *     `seq` seen per subscription, since items arrive in `seq` order).
 *
 * In Node: `verifyWebhookSignature(secret, req.headers['x-cbec-signature'], rawBody, 300)`.
 */
export function signatureOf(secret: string, t: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
}

/** The X-CBEC-Signature header value for `body` at unix time `t` (seconds). */
export function signWebhook(secret: string, body: string | Buffer, t: number): string {
  return `t=${t},v1=${signatureOf(secret, t, body)}`;
}

/** True when `header` signs `body` with `secret` and its time is within `toleranceSeconds` of now. */
export function verifyWebhookSignature(
  secret: string,
  header: string | string[] | null | undefined,
  body: string | Buffer,
  toleranceSeconds = 300,
  nowMs: number = Date.now(),
): boolean {
  if (typeof header !== 'string') return false;
  let t: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) candidates.push(value);
  }
  if (t === undefined || candidates.length === 0) return false;
  if (Math.abs(nowMs / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signatureOf(secret, t, body), 'hex');
  return candidates.some((c) => timingSafeEqual(Buffer.from(c, 'hex'), expected));
}
