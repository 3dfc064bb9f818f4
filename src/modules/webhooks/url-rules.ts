import { validationFailed } from '../../http/errors';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1']);

/**
 * The contract's URL rules: https, or http to localhost/127.0.0.1 only when ALLOW_HTTP_WEBHOOKS is true. Credentials
 * in the URL are refused (they would be sent in clear in logs and the listing). A broken URL is a validation error.
 */
export function assertWebhookUrl(text: string, allowHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw validationFailed([{ path: 'url', message: 'Must be an absolute URL, e.g. https://example.com/hooks/ahoum' }]);
  }
  if (url.username || url.password) {
    throw validationFailed([{ path: 'url', message: 'Must not carry a user name or password' }]);
  }
  if (url.protocol === 'https:') return url.toString();
  if (url.protocol === 'http:' && allowHttp && LOCAL_HOSTS.has(url.hostname)) return url.toString();
  throw validationFailed([
    {
      path: 'url',
      message: allowHttp
        ? 'Must be https (http only to localhost or 127.0.0.1)'
        : 'Must be https (ALLOW_HTTP_WEBHOOKS is off here)',
    },
  ]);
}
