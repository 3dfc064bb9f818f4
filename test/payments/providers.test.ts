import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createRazorpayOrder,
  razorpaySettings,
  refundRazorpayPayment,
  verifyRazorpayPaymentSignature,
  verifyRazorpayWebhook,
} from '../../src/modules/payments/razorpay';
import {
  createStripePaymentIntent,
  retrieveStripePaymentIntent,
  stripeSettings,
  verifyStripeWebhook,
} from '../../src/modules/payments/stripe';
import { ApiError } from '../../src/http/errors';
import { hmacSha256Hex } from '../../src/lib/crypto';
import { stripeSignatureHeader } from '../support/payments';

afterEach(() => vi.restoreAllMocks());

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('Razorpay client', () => {
  const settings = { ...razorpaySettings(env), apiUrl: 'https://razorpay.test' };

  it('creates an order with Basic auth, amount in paise and the booking in notes', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      json({
        id: 'order_Abc123',
        entity: 'order',
        amount: 49900,
        amount_paid: 0,
        amount_due: 49900,
        currency: 'INR',
        receipt: 'booking-7',
        status: 'created',
      }),
    );
    const order = await createRazorpayOrder(settings, { amount: 49900, currency: 'INR', receipt: 'booking-7', bookingId: 7 });
    expect(order.id).toBe('order_Abc123');
    const [url, init] = fetchSpy.mock.calls[0]!;
    expect(url).toBe('https://razorpay.test/v1/orders');
    expect(init?.method).toBe('POST');
    expect(new Headers(init?.headers).get('Authorization')).toBe(`Basic ${btoa(`${settings.keyId}:${settings.keySecret}`)}`);
    expect(JSON.parse(init?.body as string)).toEqual({
      amount: 49900,
      currency: 'INR',
      receipt: 'booking-7',
      notes: { booking_id: '7' },
    });
  });

  it('turns a provider error or a network failure into a 502 payment_provider_error', async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValueOnce(json({ error: { code: 'BAD_REQUEST_ERROR' } }, 400));
    await expect(createRazorpayOrder(settings, { amount: 1, currency: 'INR', receipt: 'r', bookingId: 1 })).rejects.toMatchObject(
      {
        status: 502,
        code: 'payment_provider_error',
      },
    );
    vi.spyOn(globalThis, 'fetch').mockRejectedValueOnce(new TypeError('fetch failed'));
    await expect(refundRazorpayPayment(settings, 'pay_1', { amount: 1, bookingId: 1 })).rejects.toBeInstanceOf(ApiError);
  });

  it('refunds through POST /v1/payments/:id/refund', async () => {
    const fetchSpy = vi
      .spyOn(globalThis, 'fetch')
      .mockResolvedValue(json({ id: 'rfnd_1', entity: 'refund', amount: 49900, payment_id: 'pay_1', status: 'processed' }));
    const refund = await refundRazorpayPayment(settings, 'pay_1', { amount: 49900, bookingId: 7 });
    expect(refund).toMatchObject({ id: 'rfnd_1', status: 'processed' });
    expect(fetchSpy.mock.calls[0]![0]).toBe('https://razorpay.test/v1/payments/pay_1/refund');
  });

  it('checks the checkout signature over order_id|payment_id with the key secret', async () => {
    const signature = await hmacSha256Hex(settings.keySecret, 'order_1|pay_1');
    expect(await verifyRazorpayPaymentSignature(settings, 'order_1', 'pay_1', signature)).toBe(true);
    expect(await verifyRazorpayPaymentSignature(settings, 'order_2', 'pay_1', signature)).toBe(false);
  });

  it('checks a webhook signature over the raw body with the webhook secret', async () => {
    const body = '{"event":"payment.captured"}';
    const signature = await hmacSha256Hex(settings.webhookSecret, body);
    expect(await verifyRazorpayWebhook(settings, body, signature)).toBe(true);
    expect(await verifyRazorpayWebhook(settings, `${body} `, signature)).toBe(false);
    expect(await verifyRazorpayWebhook(settings, body, undefined)).toBe(false);
  });
});

describe('Stripe client', () => {
  const settings = { ...stripeSettings(env), apiUrl: 'https://stripe.test' };

  it('creates a PaymentIntent form-encoded, with a lower-case currency and an idempotency key', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      json({
        id: 'pi_1',
        object: 'payment_intent',
        amount: 2500,
        currency: 'usd',
        status: 'requires_payment_method',
        client_secret: 'pi_1_secret_x',
      }),
    );
    const intent = await createStripePaymentIntent(settings, {
      amount: 2500,
      currency: 'USD',
      bookingId: 9,
      idempotencyKey: 'hold-key-1',
    });
    expect(intent.client_secret).toBe('pi_1_secret_x');
    const [url, init] = fetchSpy.mock.calls[0]!;
    expect(url).toBe('https://stripe.test/v1/payment_intents');
    const headers = new Headers(init?.headers);
    expect(headers.get('Authorization')).toBe(`Bearer ${settings.secretKey}`);
    expect(headers.get('Content-Type')).toBe('application/x-www-form-urlencoded');
    expect(headers.get('Idempotency-Key')).toBe('hold-key-1:intent');
    const form = new URLSearchParams(String(init?.body));
    expect(Object.fromEntries(form)).toMatchObject({ amount: '2500', currency: 'usd', 'metadata[booking_id]': '9' });
  });

  it('reads a PaymentIntent back', async () => {
    const fetchSpy = vi
      .spyOn(globalThis, 'fetch')
      .mockResolvedValue(json({ id: 'pi_1', object: 'payment_intent', amount: 2500, currency: 'usd', status: 'succeeded' }));
    expect(await retrieveStripePaymentIntent(settings, 'pi_1')).toMatchObject({ status: 'succeeded' });
    expect(fetchSpy.mock.calls[0]![0]).toBe('https://stripe.test/v1/payment_intents/pi_1');
    expect(fetchSpy.mock.calls[0]![1]?.method).toBe('GET');
  });

  describe('webhook signatures', () => {
    const body = '{"id":"evt_1","type":"payment_intent.succeeded"}';
    const now = Date.now();
    const t = Math.floor(now / 1000);

    it('accepts a valid v1 within 300 seconds, and any matching v1 among several', async () => {
      const header = await stripeSignatureHeader(settings.webhookSecret, body, t);
      expect(await verifyStripeWebhook(settings, body, header, now)).toBe(true);
      const rolled = `t=${t},v1=${'0'.repeat(64)},${header.split(',')[1]}`;
      expect(await verifyStripeWebhook(settings, body, rolled, now)).toBe(true);
    });

    it('refuses a stale, future, tampered, unsigned or other-secret signature', async () => {
      expect(
        await verifyStripeWebhook(settings, body, await stripeSignatureHeader(settings.webhookSecret, body, t - 301), now),
      ).toBe(false);
      expect(
        await verifyStripeWebhook(settings, body, await stripeSignatureHeader(settings.webhookSecret, body, t + 301), now),
      ).toBe(false);
      const header = await stripeSignatureHeader(settings.webhookSecret, body, t);
      expect(await verifyStripeWebhook(settings, body.replace('evt_1', 'evt_2'), header, now)).toBe(false);
      expect(await verifyStripeWebhook(settings, body, `t=${t}`, now)).toBe(false);
      expect(await verifyStripeWebhook(settings, body, await stripeSignatureHeader('whsec_other', body, t), now)).toBe(false);
      expect(await verifyStripeWebhook(settings, body, 'garbage', now)).toBe(false);
    });
  });
});
