/**
 * Memoisation for pure functions of core/ that a turn calls many times with the same arguments
 * (the same shift for every candidate, the same names on every card): results by a string key, at
 * most `max` of them. When full, everything is dropped and filling starts again: no bookkeeping per
 * hit, and what a night's turns use comes back at once. Only for functions whose result depends on
 * nothing but their arguments; a result that is a mutable object must be copied by the caller.
 * Keys longer than {@link MAX_KEY_LENGTH} are computed and not kept, so input cannot fill memory.
 */
export const MAX_KEY_LENGTH = 200;

export function memoize<A extends unknown[], V>(fn: (...args: A) => V, key: (...args: A) => string, max = 2000): (...args: A) => V {
  const results = new Map<string, V>();
  return (...args: A): V => {
    const k = key(...args);
    if (k.length > MAX_KEY_LENGTH) {
      // Arguments that long come from forged input, not from a night's turns: never kept.
      return fn(...args);
    }
    const hit = results.get(k);
    if (hit !== undefined || results.has(k)) {
      return hit as V;
    }
    const v = fn(...args);
    if (results.size >= max) {
      results.clear();
    }
    results.set(k, v);
    return v;
  };
}
