/** A whole-number setting from a `[vars]` string: a positive integer, else the fallback (an empty or junk value is not fatal). */
export function positiveInt(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}
