import { z } from 'zod';
import { fromBase64UrlText, toBase64Url } from '../lib/base64';
import { validationFailed } from './errors';

/**
 * Keyset pagination for lists that can grow without end: `?limit=` (1 to 100) and `?cursor=` (the `next_cursor` of the
 * page before, opaque: base64url of the last row's sort key). 101 is refused rather than silently capped.
 */
export const MAX_PAGE_SIZE = 100;

export const pageLimit = z
  .string()
  .regex(/^\d+$/, 'Must be a whole number')
  .transform(Number)
  .pipe(z.number().min(1).max(MAX_PAGE_SIZE, `At most ${MAX_PAGE_SIZE}`))
  .optional();

export const pageCursor = z.string().max(200).optional();

export const pageQuery = z.object({ limit: pageLimit, cursor: pageCursor });

export function encodeCursor(key: number[]): string {
  return toBase64Url(JSON.stringify(key));
}

/** The sort key a cursor carries (`size` whole numbers), or a validation error naming the query parameter. */
export function decodeCursor(cursor: string, size: number, path = 'cursor'): number[] {
  try {
    const value: unknown = JSON.parse(fromBase64UrlText(cursor));
    if (Array.isArray(value) && value.length === size && value.every(Number.isSafeInteger)) return value as number[];
  } catch {
    // fall through to the validation error
  }
  throw validationFailed([{ path, message: 'Not a cursor this API returned' }]);
}

/** One page of `rows` fetched with LIMIT size + 1: the page, and the cursor of its last row when more follow. */
export function pageOf<Row>(rows: Row[], size: number, keyOf: (row: Row) => number[]) {
  const page = rows.slice(0, size);
  return { page, nextCursor: rows.length > size ? encodeCursor(keyOf(page[page.length - 1]!)) : null };
}
