/** The value of an attribute that must be a plain non-negative integer, or undefined if it is not one. */
export function parseWholeNumber(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return undefined;
  const value = Number(raw);
  return Number.isSafeInteger(value) ? value : undefined;
}
