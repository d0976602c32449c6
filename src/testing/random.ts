/** The law of explicit randomness: a function of a PRNG key is a pure function of that key. */
import fc from "fast-check";
import { keyData, type Key } from "../random/key.js";
import { arbKey } from "./arbitraries.js";
import { law, violated, type LawOptions, type LawResult } from "./law.js";
import { snapshot, snapshotDiff } from "./tree.js";

/** Options of {@link deterministicUnderKey}. */
export interface KeyLawOptions extends LawOptions<readonly [Key, Key]> {
  /**
   * Whether different keys must give different outputs (default true). Turn it off for outputs with
   * little entropy (one coin flip), where two keys agree by chance.
   */
  readonly distinct?: boolean;
}

/**
 * `fn(key)` is determined by the key: calling it twice with the same key gives bitwise the same tree,
 * and (unless `distinct: false`) two different keys give different trees.
 *
 * @example
 * ```ts
 * assertLaw(deterministicUnderKey((k) => random.normal(k, "4")));
 * ```
 */
export function deterministicUnderKey(fn: (key: Key) => unknown, opts: KeyLawOptions = {}): LawResult<readonly [Key, Key]> {
  const distinct = opts.distinct ?? true;
  return law(
    "deterministicUnderKey",
    fc.tuple(arbKey(), arbKey()),
    ([k1, k2]) => {
      const a = snapshot(fn(k1));
      const d = snapshotDiff(a, snapshot(fn(k1)), "fn(k1)");
      if (d !== null) violated(`two calls with the same key differ: ${d}`);
      if (!distinct || keyData(k1).join() === keyData(k2).join()) return;
      if (snapshotDiff(a, snapshot(fn(k2)), "fn(k1)") === null) violated("two different keys gave identical outputs");
    },
    opts.params,
  );
}
