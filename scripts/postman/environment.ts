// The Postman environment: where the API is and the local demo credentials. No tokens: the flows log in.
export function buildEnvironment(baseUrl = 'http://localhost:8787') {
  const values: Array<[string, string, 'default' | 'secret']> = [
    ['baseUrl', baseUrl, 'default'],
    ['adminEmail', 'admin@ahoum.local', 'default'],
    ['adminPassword', 'ahoum-admin-dev', 'secret'],
    ['facilitatorEmail', 'ananya@ahoum.local', 'default'],
    ['facilitatorPassword', 'ahoum-facilitator-dev', 'secret'],
    // The local development secrets of .dev.vars.example, to sign as Razorpay Checkout and Razorpay webhooks do.
    ['razorpayKeySecret', 'local-dev-razorpay-secret', 'secret'],
    ['razorpayWebhookSecret', 'local-dev-razorpay-webhook-secret', 'secret'],
  ];
  return {
    id: '9a5d3f1e-0c4b-4d7e-8f2a-61686f756d65',
    name: 'Ahoum Booking API (local)',
    values: values.map(([key, value, type]) => ({ key, value, type, enabled: true })),
    _postman_variable_scope: 'environment',
  };
}
