/**
 * The law of `vmap`: vectorising a function is the same as applying it to each example and stacking
 * the results. Checked against a plain loop over examples sliced and stacked by the kit itself, so it
 * tests every batching rule the function reaches, for any `inAxes` (null: not mapped) and `outAxes`.
 */
import fc from "fast-check";
import { flatten } from "../core/pytree.js";
import type { AnyTensor } from "../tensor/tensor.js";
import { vmap, type VmapOptions } from "../transforms/vmap.js";
import { assertClose, law, violated, type LawOptions, type LawResult, type Tolerance } from "./law.js";
import { fromFlat, indexAxis, isTensor, pathLeaves, shapeOf, showPath, showShape, stackAxis } from "./tree.js";

/** Options of {@link vmapMatchesLoop}: vmap's own options, a tolerance and run parameters. */
export interface VmapLawOptions<Args> extends LawOptions<Args>, Tolerance {
  /** The mapped axis of each argument (null = not mapped), as in `vmap` (default 0 for all). */
  readonly inAxes?: VmapOptions["inAxes"];
  /** Where the batch axis goes in every output leaf (default 0). */
  readonly outAxes?: number;
}

/** Example `b` of an argument tree mapped along `axis` (number leaves are not mapped). */
function exampleOf(arg: unknown, axis: number, b: number): unknown {
  const { leaves, unflatten } = flatten(arg);
  return unflatten(leaves.map((l) => (isTensor(l) ? indexAxis(l, axis, b) : l)));
}

/**
 * vmap(f, { inAxes, outAxes })(...args) equals stacking f applied to each example along `outAxes`.
 * `arb` draws the whole argument tuple, batched as `inAxes` says (the mapped axes must agree in size);
 * `f` is called with its elements.
 *
 * @example
 * ```ts
 * assertLaw(vmapMatchesLoop((x: Tensor<any>) => softmax(x), arbTensor("B 4").map((x) => [x] as const)));
 * ```
 */
export function vmapMatchesLoop<Args extends readonly unknown[]>(
  f: (...args: any[]) => unknown, arb: fc.Arbitrary<Args>, opts: VmapLawOptions<Args> = {},
): LawResult<Args> {
  const outAxis = opts.outAxes ?? 0;
  const vopts: VmapOptions = { ...(opts.inAxes !== undefined ? { inAxes: opts.inAxes } : {}), outAxes: outAxis };
  return law(
    "vmapMatchesLoop",
    arb,
    (args) => {
      const ia = opts.inAxes ?? 0;
      const axes = Array.isArray(ia) ? (ia as readonly (number | null)[]) : args.map(() => ia as number | null);
      if (axes.length !== args.length) violated(`inAxes has ${axes.length} entries for ${args.length} arguments`);
      let size = -1;
      args.forEach((a, i) => {
        const ax = axes[i] ?? null;
        if (ax === null) return;
        for (const { path, leaf } of pathLeaves(a)) {
          if (!isTensor(leaf)) continue;
          const s = shapeOf(leaf);
          const d = s[ax < 0 ? ax + s.length : ax];
          if (d === undefined) violated(`${showPath(`args[${i}]`, path)} of shape ${showShape(s)} has no axis ${ax}`);
          if (size === -1) size = d;
          else if (d !== size) violated(`${showPath(`args[${i}]`, path)} has ${d} examples on axis ${ax}, another argument has ${size}`);
        }
      });
      if (size === -1) violated("no argument is mapped");
      fc.pre(size > 0);
      const batched = vmap(f, vopts)(...args);
      const per = Array.from({ length: size }, (_, b) =>
        f(...(args.map((a, i) => {
          const ax = axes[i] ?? null;
          return ax === null ? a : exampleOf(a, ax, b);
        }) as unknown as Args)),
      );
      const flat = per.map((y) => flatten(y));
      const first = flat[0]!;
      const stacked = first.unflatten(
        first.leaves.map((_, j) =>
          stackAxis(
            flat.map((fl) => {
              const l = fl.leaves[j]!;
              return typeof l === "number" ? fromFlat([], "float64", [l]) : (l as AnyTensor);
            }),
            outAxis,
          ),
        ),
      );
      assertClose(batched, stacked, opts, { actual: "vmap(f)(...args)", expected: "stack([f(example) for each example])" });
    },
    opts.params,
  );
}
