/**
 * Each item whose key an earlier item already had, paired with that first item, so a message can
 * point at both. Items without a key are skipped: a missing name is its own problem.
 */
export function findDuplicates<T>(items: readonly T[], keyOf: (item: T) => string | undefined): [T, T][] {
  const first = new Map<string, T>();
  const duplicates: [T, T][] = [];
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, item);
    else duplicates.push([item, earlier]);
  }
  return duplicates;
}
