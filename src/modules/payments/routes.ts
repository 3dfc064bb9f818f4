import { ownBookingOnly } from '../bookings/access';
import { currentUser } from '../../http/auth';
import { createRouter } from '../../http/factory';
import { validate } from '../../http/validate';
import { describeRoute } from '../../http/route-marks';
import {
  claimBody,
  confirmBookingAnswer,
  confirmBookingBody,
  createPaymentAnswer,
  createPaymentBody,
  webhookAnswer,
} from './schemas';
import { idParam } from '../../http/params';
import { maxActiveBookings } from '../bookings/limit';
import { confirmPayment } from './confirm';
import { claimOffer } from './claim';
import { createPayment } from './hold';
import { paymentSettings } from './settings';
import { handleProviderEvent, readProviderEvent } from './webhook';

export const paymentRoutes = createRouter()
  .post(
    '/bookings/:id/claim',
    describeRoute({
      summary: 'Claim a seat offered from the waitlist: a payment hold, answered like /create-payment (the booking’s user)',
      rateLimit: 'user',
      tags: ['Payments'],
      description:
        'An offered booking (a seat freed on a full paid event) becomes a pending_payment hold of PAYMENT_HOLD_MINUTES ' +
        'with its provider order; pay and confirm it with POST /confirm-booking as usual.',
      responses: { 201: { description: 'Seat held; pay on the client with these details', schema: createPaymentAnswer } },
      errors: [
        'not_found',
        'forbidden',
        'booking_not_offered',
        'offer_expired',
        'payment_provider_error',
        'voucher_invalid',
        'voucher_exhausted',
      ],
    }),
    validate('param', idParam),
    ownBookingOnly,
    validate('json', claimBody),
    async (c) => {
      const answer = await claimOffer(c.get('db'), c.env.CRM_QUEUE, paymentSettings(c.env), {
        bookingId: c.req.valid('param').id,
        actor: currentUser(c),
        provider: c.req.valid('json').provider,
        voucherCode: c.req.valid('json').voucher_code,
      });
      return c.json(answer, 201);
    },
  )
  .post(
    '/create-payment',
    describeRoute({
      summary: 'Hold a seat of a paid event and create the provider order (Razorpay) or PaymentIntent (Stripe)',
      tags: ['Payments'],
      rateLimit: 'user',
      description: 'The hold (a pending_payment booking) lasts PAYMENT_HOLD_MINUTES; confirm it with POST /confirm-booking.',
      responses: {
        201: { description: 'Seat held; pay on the client with these details', schema: createPaymentAnswer },
      },
      errors: [
        'not_found',
        'event_full',
        'already_booked',
        'event_not_bookable',
        'payment_not_required',
        'booking_limit_reached',
        'payment_provider_error',
        'voucher_invalid',
        'voucher_exhausted',
      ],
    }),
    validate('json', createPaymentBody),
    async (c) => {
      const body = c.req.valid('json');
      const answer = await createPayment(c.get('db'), c.env.CRM_QUEUE, paymentSettings(c.env), {
        userId: currentUser(c).id,
        eventId: body.event_id,
        provider: body.provider,
        maxActiveBookings: maxActiveBookings(c.env),
        voucherCode: body.voucher_code,
      });
      return c.json(answer, 201);
    },
  )
  .post(
    '/confirm-booking',
    describeRoute({
      summary: 'Confirm a held booking after payment, verified on the server',
      tags: ['Payments'],
      description:
        'Razorpay: HMAC-SHA256 of order_id|payment_id with the key secret, over the order id stored for the booking, and ' +
        'the payment read back from Razorpay (captured, of that order, for the stored amount and currency). ' +
        'Stripe: the PaymentIntent is read back and must be succeeded, with the stored amount and currency.',
      responses: {
        200: { description: 'Confirmed and paid', schema: confirmBookingAnswer },
      },
      errors: [
        'payment_verification_failed',
        'forbidden',
        'not_found',
        'payment_hold_expired',
        'payment_already_used',
        'booking_already_paid',
        'booking_not_payable',
        'payment_provider_error',
      ],
    }),
    validate('json', confirmBookingBody),
    async (c) => {
      const booking = await confirmPayment(
        c.get('db'),
        c.env.CRM_QUEUE,
        paymentSettings(c.env),
        currentUser(c),
        c.req.valid('json'),
      );
      return c.json({ msg: 'Booking confirmed' as const, booking });
    },
  )
  .post(
    '/payment-webhook',
    describeRoute({
      summary: 'Payment provider webhooks (Razorpay: X-Razorpay-Signature; Stripe: Stripe-Signature)',
      tags: ['Payments'],
      public: true,
      description:
        'The raw body is verified before anything is read. Each provider event is processed once (Stripe: its id; Razorpay: ' +
        'the event type and entity id from the signed body). Handles payment success ' +
        '(confirms a held booking even without /confirm-booking), a cancelled PaymentIntent (frees the hold) and refunds; ' +
        'a declined attempt changes nothing (the order stays payable).',
      headers: [
        { name: 'X-Razorpay-Signature', description: 'hex HMAC-SHA256 of the raw body with RAZORPAY_WEBHOOK_SECRET' },
        { name: 'Stripe-Signature', description: 't=<unix>,v1=<hex HMAC-SHA256 of "t.body">; 300 s tolerance' },
      ],
      responses: {
        200: { description: 'Processed (or a duplicate, ignored)', schema: webhookAnswer },
      },
      errors: ['invalid_signature', 'invalid_webhook', 'payment_already_used'],
    }),
    async (c) => {
      const settings = paymentSettings(c.env);
      const event = await readProviderEvent(settings, await c.req.text(), (name) => c.req.header(name));
      const { duplicate } = await handleProviderEvent(c.get('db'), c.env.CRM_QUEUE, settings, event);
      return c.json({ received: true as const, duplicate });
    },
  );
