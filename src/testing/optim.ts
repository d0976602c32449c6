/**
 * Laws of optimizers, generic over any pure `(init, update)` pair in the optax style (the library's
 * `GradientTransformation` is one): structure, purity, determinism, finiteness, and zero gradients
 * from the initial state giving zero updates.
 */
import fc from "fast-check";
import { flatten } from "../core/pytree.js";
import { jit } from "../transforms/jit.js";
import type { AnyTensor } from "../tensor/tensor.js";
import { arbTensors } from "./arbitraries.js";
import { seedOf } from "./autodiff.js";
import { law, violated, type LawOptions, type LawResult } from "./law.js";
import { concreteOf, fromFlat, isTensor, pathLeaves, randomLike, rng, snapshot, snapshotDiff, valuesOf, type Snapshot } from "./tree.js";

/** A pure optimizer: `init(params)` gives the state; `update(grads, state, params)` gives updates (same tree as grads) and the next state. */
export interface StepTransformation<P, S> {
  readonly init: (params: P) => S;
  readonly update: (grads: P, state: S, params?: P) => readonly [P, S];
}

/** A small parameter tree: `{ w: [R, C], b: [C], layers: [{ b: [C] }, …], scale: [] }` in float32. */
export interface ParamTree {
  readonly w: AnyTensor;
  readonly b: AnyTensor;
  readonly layers: readonly { readonly b: AnyTensor }[];
  readonly scale: AnyTensor;
}

/**
 * Arbitrary {@link ParamTree}s of varied shapes (a default for {@link optimizerStepLaws}).
 *
 * @example
 * ```ts
 * const trees = arbParamTree(); // nested records and arrays of float tensors, for optimizer laws
 * ```
 */
export function arbParamTree(): fc.Arbitrary<ParamTree> {
  return arbTensors({ w: "R C", b: "C", scale: "" }).chain((t) =>
    // The layers share C with w.
    fc.array(arbTensors({ b: "C" }, { sizes: { C: t.w.shape[1] } }), { maxLength: 2 }).map((layers): ParamTree => ({ w: t.w, b: t.b, layers, scale: t.scale })),
  );
}

/** Options of {@link optimizerStepLaws}. */
export interface OptimizerLawOptions<P> extends LawOptions<P> {
  /** Parameter trees to start from (default {@link arbParamTree}; use `arbParams(model.init)` for a model's). */
  readonly arb?: fc.Arbitrary<P>;
  /** Updates applied per drawn tree (default 3). */
  readonly steps?: number;
  /**
   * Whether a zero gradient from the initial state must give a zero update (default true: plain SGD,
   * momentum, Adam, RMSprop; false for weight decay, which moves parameters without a gradient).
   */
  readonly zeroGradientIsNoop?: boolean;
}

/** p + u over the leaves of two trees of the same structure (plain data). */
function addTrees<P>(p: P, u: unknown): P {
  const fp = flatten(p);
  const lu = flatten(u).leaves;
  return fp.unflatten(
    fp.leaves.map((l, i) => {
      const m = lu[i]!;
      if (typeof l === "number") return l + (m as number);
      const c = concreteOf(l);
      const vu = valuesOf(m);
      return fromFlat(c.shape, c.dtype, Array.from(c.data, (v, k) => v + vu[k]!));
    }),
  ) as P;
}

/** A random gradient tree shaped like `p`, its values uniform in ±1 times a scale drawn from 10^[−2, 2]. */
function drawGradients<P>(p: P, next: () => number): P {
  const scale = 10 ** (4 * next() - 2);
  const g = flatten(randomLike(p, next));
  return g.unflatten(g.leaves.map((l) => (isTensor(l) ? fromFlat(l.shape, l.dtype, valuesOf(l).map((v) => v * scale)) : (l as number) * scale))) as P;
}

/** Compares leaf paths, shapes and dtypes of two snapshots (not values). */
function sameStructure(a: Snapshot, b: Snapshot, an: string, bn: string): void {
  if (a.paths.join("|") !== b.paths.join("|")) violated(`${an} has leaves {${a.paths.join(", ")}} but ${bn} has {${b.paths.join(", ")}}`);
  a.paths.forEach((p, i) => {
    if (a.shapes[i]!.join(",") !== b.shapes[i]!.join(","))
      violated(`${an}.${p} has shape [${a.shapes[i]!.join(", ")}] but ${bn}.${p} has shape [${b.shapes[i]!.join(", ")}]`);
    if (a.dtypes[i] !== b.dtypes[i]) violated(`${an}.${p} has dtype ${a.dtypes[i]} but ${bn}.${p} has dtype ${b.dtypes[i]}`);
  });
}

/**
 * Laws of one optimizer step, over several steps from drawn parameter trees and gradients:
 * - the update tree has the gradients' structure, shapes and dtypes, and finite values for finite gradients;
 * - the state keeps the structure `init` gave it (so a training fold has one state type);
 * - `update` mutates none of its inputs and gives bitwise the same result when called twice;
 * - from the initial state, a zero gradient gives a zero update (unless `zeroGradientIsNoop: false`).
 *
 * @example
 * ```ts
 * assertLaw(optimizerStepLaws(optim.adam(1e-3)));
 * ```
 */
export function optimizerStepLaws<P, S>(opt: StepTransformation<P, S>, opts: OptimizerLawOptions<P> = {}): LawResult<P> {
  const arb = opts.arb ?? (arbParamTree() as unknown as fc.Arbitrary<P>);
  const steps = opts.steps ?? 3;
  return law(
    "optimizerStepLaws",
    arb,
    (p0) => {
      const s0 = opt.init(p0);
      const stateShape = snapshot(s0);
      if (opts.zeroGradientIsNoop ?? true) {
        const zeros = randomLike(p0, () => 0.5); // 2·0.5 − 1 = 0 everywhere
        const [u] = opt.update(zeros, s0, p0);
        for (const { path, leaf } of pathLeaves(u))
          valuesOf(leaf).forEach((v, k) => {
            if (v !== 0) violated(`a zero gradient from the initial state gave a non-zero update: updates.${path} element ${k} = ${v} (pass zeroGradientIsNoop: false for weight decay)`);
          });
      }
      const next = rng(seedOf(p0));
      let p = p0;
      let s = s0;
      for (let step = 0; step < steps; step++) {
        const grads = drawGradients(p, next);
        const before = { g: snapshot(grads), s: snapshot(s), p: snapshot(p) };
        const [u, s1] = opt.update(grads, s, p);
        const where = `step ${step + 1}`;
        for (const [name, snap, tree] of [["grads", before.g, grads], ["state", before.s, s], ["params", before.p, p]] as const) {
          const d = snapshotDiff(snap, snapshot(tree), name);
          if (d !== null) violated(`${where}: update mutated its input: ${d}`);
        }
        sameStructure(snapshot(u), before.g, "updates", "grads");
        sameStructure(snapshot(s1), stateShape, `state after ${where}`, "init(params)");
        for (const { path, leaf } of pathLeaves(u))
          valuesOf(leaf).forEach((v, k) => {
            if (!Number.isFinite(v)) violated(`${where}: update is not finite for finite gradients: updates.${path} element ${k} = ${v}`);
          });
        const [u2, s2] = opt.update(grads, s, p);
        const d = snapshotDiff(snapshot([u, s1]), snapshot([u2, s2]), "[updates, state]");
        if (d !== null) violated(`${where}: two calls of update with the same inputs differ: ${d}`);
        p = addTrees(p, u);
        s = s1;
      }
    },
    opts.params,
  );
}

/**
 * The staged update is the eager update: `jit((g, s, p) => opt.update(g, s, p))` is traced once for a
 * parameter tree and replayed for `steps` updates (default 5) on its own results, each giving bit for bit
 * the eager update and next state. It holds when the optimizer state is all tensors (counters as 0-d int32 tensors), so that
 * nothing `jit` treats as static changes from step to step. Parameter trees must hold tensors only.
 *
 * @example
 * ```ts
 * assertLaw(stagedUpdateMatchesEager(optim.adam(optim.cosineDecay(1e-3, 100))));
 * ```
 */
export function stagedUpdateMatchesEager<P, S>(opt: StepTransformation<P, S>, opts: Omit<OptimizerLawOptions<P>, "zeroGradientIsNoop"> = {}): LawResult<P> {
  const arb = opts.arb ?? (arbParamTree() as unknown as fc.Arbitrary<P>);
  const steps = opts.steps ?? 5;
  return law(
    "stagedUpdateMatchesEager",
    arb,
    (p0) => {
      const numbers = pathLeaves(p0).filter((l) => !isTensor(l.leaf));
      if (numbers.length > 0) violated(`parameter trees must hold tensors only (numbers are static under jit): params.${numbers[0]!.path} is a number`);
      let traces = 0;
      const staged = jit((g: P, s: S, p: P) => {
        traces++;
        return opt.update(g, s, p);
      });
      const next = rng(seedOf(p0));
      // Keys in pytree order: `applyUpdates` rebuilds records with sorted keys, and jit's signature (today)
      // tells records with the same keys in another order apart.
      let p = flatten(p0).unflatten(flatten(p0).leaves) as P;
      let s = opt.init(p);
      for (let step = 1; step <= steps; step++) {
        const grads = drawGradients(p, next);
        const eager = opt.update(grads, s, p);
        const replayed = staged(grads, s, p);
        const d = snapshotDiff(snapshot(eager), snapshot(replayed), "[updates, state]");
        if (d !== null) violated(`step ${step}: the staged update differs from the eager one: ${d}`);
        if (traces !== 1) violated(`step ${step}: the update was traced ${traces} times, not once: its signature changed (a JavaScript number in the state that changes at every step, such as a counter, or a record whose keys come back in another order)`);
        // Go on from the staged results, as a staged training loop does.
        p = addTrees(p, replayed[0]);
        s = replayed[1];
      }
    },
    opts.params,
  );
}
