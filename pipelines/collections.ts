/** Two shapes the pipeline makes of lists again and again: groups by a key, and a value derived once per list. */

/** `items` grouped by `keyOf` (items whose key is undefined left out), the groups and each group's items in the items' order. */
export function groupBy<K, T>(items: readonly T[], keyOf: (item: T) => K | undefined): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/**
 * What `make` derives from `source`, made on the first call and kept in `memo` for as long as `source` lives: for
 * lists read once per run (the report stage's run-wide answers) that every report would otherwise reshape again.
 * The source is taken as unchanging.
 */
export function derivedOnce<S extends object, T>(memo: WeakMap<S, T>, source: S, make: () => T): T {
  let derived = memo.get(source);
  if (derived === undefined) memo.set(source, (derived = make()));
  return derived;
}
