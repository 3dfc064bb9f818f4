// A local stand-in for Razorpay, Stripe and the CRM webhook, so the payment flows and CRM deliveries can be
// exercised against `npm start` with no internet. Answers in the providers' real formats (the subset we use).
//   npm run fake:providers            # listens on 127.0.0.1:8790
//   npm start -- --var RAZORPAY_API_URL:http://127.0.0.1:8790/razorpay --var STRIPE_API_URL:http://127.0.0.1:8790/stripe \
//                --var RAZORPAY_KEY_ID:rzp_test_local --var CRM_WEBHOOK_URL:http://127.0.0.1:8790/crm
// Stripe PaymentIntents read back as `succeeded` (as if the customer completed checkout) unless created with an
// amount ending in 13, which stays `requires_payment_method`. A Razorpay payment id it has not seen reads back as a
// captured payment of the newest order no payment was read for yet (what Checkout would have made), then stays so.
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8790);
const crmSecret = process.env.CRM_WEBHOOK_SECRET ?? 'local-dev-crm-secret';
const id = (prefix) => `${prefix}_${randomBytes(7).toString('hex')}`;
const intents = new Map();
const orders = [];
const payments = new Map();

const send = (res, status, body) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

const server = createServer(async (req, res) => {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  const url = new URL(req.url, `http://127.0.0.1:${port}`);
  const path = url.pathname;

  if (req.method === 'POST' && path === '/razorpay/v1/orders') {
    const { amount, currency, receipt } = JSON.parse(raw);
    const order = { id: id('order'), entity: 'order', amount, amount_paid: 0, amount_due: amount, currency, receipt, status: 'created' };
    orders.push(order);
    return send(res, 200, order);
  }
  const razorpayPayment = /^\/razorpay\/v1\/payments\/([^/]+)$/.exec(path);
  if (req.method === 'GET' && razorpayPayment) {
    if (!payments.has(razorpayPayment[1])) {
      const order = orders.findLast((o) => o.status === 'created');
      if (!order) return send(res, 400, { error: { code: 'BAD_REQUEST_ERROR', description: 'The id provided does not exist' } });
      order.status = 'paid';
      payments.set(razorpayPayment[1], { id: razorpayPayment[1], entity: 'payment', amount: order.amount, currency: order.currency, status: 'captured', order_id: order.id });
    }
    return send(res, 200, payments.get(razorpayPayment[1]));
  }
  const razorpayRefund = /^\/razorpay\/v1\/payments\/([^/]+)\/refund$/.exec(path);
  if (req.method === 'POST' && razorpayRefund) {
    const { amount } = JSON.parse(raw);
    return send(res, 200, { id: id('rfnd'), entity: 'refund', amount, currency: 'INR', payment_id: razorpayRefund[1], status: 'processed' });
  }
  if (req.method === 'POST' && path === '/stripe/v1/payment_intents') {
    const form = new URLSearchParams(raw);
    const intent = { id: id('pi'), object: 'payment_intent', amount: Number(form.get('amount')), currency: form.get('currency'), status: 'requires_payment_method' };
    intent.client_secret = `${intent.id}_secret_${randomBytes(8).toString('hex')}`;
    intents.set(intent.id, intent);
    return send(res, 200, intent);
  }
  const stripeRead = /^\/stripe\/v1\/payment_intents\/([^/]+)$/.exec(path);
  if (req.method === 'GET' && stripeRead) {
    const intent = intents.get(stripeRead[1]);
    if (!intent) return send(res, 404, { error: { type: 'invalid_request_error', message: 'No such payment_intent' } });
    const status = intent.amount % 100 === 13 ? 'requires_payment_method' : 'succeeded';
    return send(res, 200, { ...intent, status, amount_received: status === 'succeeded' ? intent.amount : 0 });
  }
  if (req.method === 'POST' && path === '/stripe/v1/refunds') {
    const form = new URLSearchParams(raw);
    return send(res, 200, { id: id('re'), object: 'refund', amount: Number(form.get('amount')), payment_intent: form.get('payment_intent'), status: 'succeeded' });
  }
  if (req.method === 'POST' && path === '/crm') {
    const expected = `sha256=${createHmac('sha256', crmSecret).update(raw).digest('hex')}`;
    const verified = req.headers['x-ahoum-signature'] === expected;
    console.log(JSON.stringify({ crm: 'received', verified, idempotency_key: req.headers['idempotency-key'], body: JSON.parse(raw) }));
    return send(res, verified ? 200 : 401, { ok: verified });
  }
  if (req.method === 'POST' && path === '/webhooks/receiver') {
    // A third-party webhook receiver: Ahoum-Signature is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">, checked
    // with FAKE_WEBHOOK_SECRET (the secret POST /webhooks returned) when given. ?status=410 answers that status.
    const parts = Object.fromEntries(String(req.headers['ahoum-signature'] ?? '').split(',').map((p) => p.split('=')));
    const secret = process.env.FAKE_WEBHOOK_SECRET;
    const expected = secret ? createHmac('sha256', secret).update(`${parts.t}.${raw}`).digest('hex') : null;
    const verified = expected === null ? 'no FAKE_WEBHOOK_SECRET' : expected === parts.v1;
    console.log(JSON.stringify({ webhook: 'received', verified, event_id: req.headers['ahoum-event-id'], signature: req.headers['ahoum-signature'], body: JSON.parse(raw) }));
    return send(res, Number(url.searchParams.get('status') ?? (verified === false ? 401 : 200)), { ok: verified !== false });
  }
  send(res, 404, { error: { message: `fake providers: no route for ${req.method} ${path}` } });
});

server.listen(port, '127.0.0.1', () => console.log(`fake Razorpay/Stripe/CRM on http://127.0.0.1:${port}`));
