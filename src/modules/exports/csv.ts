/**
 * RFC 4180 CSV with the OWASP formula-injection guard: a cell that starts with `=`, `+`, `-`, `@` (or a tab or carriage
 * return, which some spreadsheets skip before reading a formula) gets a leading `'`, so a spreadsheet shows it as text
 * instead of running it. A cell holding a comma, a quote or a line break is quoted, quotes doubled. Lines end in CRLF.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

export function csvLine(values: Array<string | number | boolean | null | undefined>): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';
