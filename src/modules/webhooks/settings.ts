/** ALLOW_HTTP_WEBHOOKS=true lets a subscription use http:// to localhost or 127.0.0.1 (local receivers); else https only. */
export function allowHttpWebhooks(env: Env): boolean {
  return (env.ALLOW_HTTP_WEBHOOKS ?? '').trim().toLowerCase() === 'true';
}
