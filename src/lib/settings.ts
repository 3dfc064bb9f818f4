/** A whole-number setting from a `[vars]` string: a positive integer, else the fallback (an empty or junk value is not fatal). */
export function positiveInt(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

/** A whole number from 0 to `max` from a `[vars]` string, else the fallback (0 is a real value here, e.g. no cut-off). */
export function wholeNumber(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed >= 0 && parsed <= max ? parsed : fallback;
}

/** A comma-separated list of positive whole numbers (e.g. "24,2"), without repeats, largest first; else the fallback. */
export function positiveIntList(value: string | undefined, fallback: number[]): number[] {
  const parts = (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const numbers = parts.map(Number);
  if (numbers.length === 0 || !numbers.every((n) => Number.isInteger(n) && n > 0)) return fallback;
  return [...new Set(numbers)].sort((a, b) => b - a);
}
