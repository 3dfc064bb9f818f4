import { ApiError } from '../../http/errors';

/** A payment provider that did not answer, or answered with an error we cannot pass on: 502, nothing changed. */
export const paymentProviderUnavailable = (provider: string, detail: string) =>
  new ApiError(
    'payment_provider_error',
    `The payment provider (${provider}) could not be reached or refused the request: ${detail}`,
  );

export const PROVIDER_TIMEOUT_MS = 8000;

/** Calls a provider's REST API; any network failure or non-2xx answer becomes a payment_provider_error. */
export async function callProvider<T>(provider: string, url: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
  } catch (error) {
    throw paymentProviderUnavailable(provider, error instanceof Error ? error.name : 'network error');
  }
  const text = await response.text();
  if (!response.ok) throw paymentProviderUnavailable(provider, `HTTP ${response.status}`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw paymentProviderUnavailable(provider, 'answer was not JSON');
  }
}
