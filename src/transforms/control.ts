/**
 * Control flow as primitives (JAX's `lax.scan`, `lax.while_loop`, `lax.cond`): each is one equation whose
 * parameters hold the body programs, staged once — never unrolled — with JVP, VJP (scan and cond; a while
 * loop runs an unknown number of times, so like JAX it has forward mode only) and batching rules.
 *
 * Values the bodies close over become extra inputs of the equation ("constants" of the loop), so loops
 * compose with enclosing transformations: `grad` of a function whose loop body uses its argument by
 * closure differentiates through the loop.
 */
import { ShapeError, TransformError } from "../errors.js";
import { alloc, isFloat } from "../tensor/dtype.js";
import { sizeOf } from "../shape/runtime.js";
import { Concrete, impl, typed, type Tensor, type TensorImpl } from "../tensor/tensor.js";
import { bindMulti } from "../core/trace.js";
import { defineMultiPrimitive, type Linear, type Meta, type MultiPrimitive } from "../core/primitive.js";
import { evalProgram, Program, traceProgram, typeText, Var } from "../core/program.js";
import { flatten } from "../core/pytree.js";
import { zerosLike } from "../primitives/util.js";
import { broadcastTo, reshape, transpose } from "../primitives/structure.js";
import { add, cast, where } from "../primitives/elementwise.js";
import { max } from "../primitives/reduce.js";
import { jvpFlat } from "./jvp.js";
import { vjpPrograms } from "./call.js";
import { vmapFlat, type Batched } from "./vmap.js";
import { compiledOf, runCompiled } from "./runner.js";

const same = (a: Meta, b: Meta): boolean => a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
const meta = (shape: readonly number[], m: Meta): Meta => ({ shape, dtype: m.dtype, names: shape.map(() => null) });
const run = (p: Program, xs: readonly Concrete[]): Concrete[] => runCompiled(compiledOf(p), xs);

/** A program from a function over flat values (it may not close over values of other transformations). */
function stageFlat(fn: (xs: readonly TensorImpl[]) => readonly TensorImpl[], metas: readonly Meta[]): Program {
  const { program, captured } = traceProgram(fn, metas);
  if (captured.length > 0) throw new TransformError("jit", "a derived loop body closed over a value of an enclosing transformation");
  return program;
}

/** Moves axis 1 to the front (and back: the same permutation swaps the first two axes). */
const swap01 = (x: TensorImpl): TensorImpl => transpose(x, [1, 0, ...x.shape.slice(2).map((_, i) => i + 2)]);

/** A value with a leading batch axis of `size` (broadcast when it has none). */
const batchOf = (x: TensorImpl, batched: boolean, size: number): TensorImpl => (batched ? x : broadcastTo(reshape(x, [1, ...x.shape]), [size, ...x.shape]));

// ---------------------------------------------------------------- scan

/** Parameters of {@link scanP}. Inputs: carries, stacked xs, constants; outputs: carries, stacked ys. */
export interface ScanParams {
  /** `(carry…, x…, const…) ↦ (carry…, y…)`. */
  readonly body: Program;
  readonly carries: number;
  readonly xs: number;
  readonly length: number;
  readonly reverse: boolean;
}

/** Rows `i` of a stacked concrete tensor. */
function row(x: Concrete, i: number): Concrete {
  const n = x.size / x.shape[0]!;
  return new Concrete(x.shape.slice(1), x.dtype, x.data.slice(i * n, (i + 1) * n), x.names.slice(1));
}

/** The scan primitive. */
export const scanP: MultiPrimitive<ScanParams> = defineMultiPrimitive<ScanParams>({
  name: "scan",
  abstract: (inputs, p) => {
    const body = p.body;
    if (inputs.length !== body.inputs.length) throw new TransformError("scan", `the body takes ${body.inputs.length} inputs, got ${inputs.length}`);
    inputs.forEach((x, i) => {
      const v = body.inputs[i]!;
      const want = i >= p.carries && i < p.carries + p.xs ? [p.length, ...v.shape] : v.shape;
      if (x.dtype !== v.dtype || x.shape.join() !== want.join()) throw new ShapeError("scan", `input ${i} is ${typeText(x)} but the body expects ${typeText(meta(want, v))}`, [x.shape]);
    });
    const outs = body.outputs;
    for (let i = 0; i < p.carries; i++)
      if (!same(outs[i]!, body.inputs[i]!)) throw new ShapeError("scan", `the body returns carry ${i} as ${typeText(outs[i]!)} but takes it as ${typeText(body.inputs[i]!)}`, [outs[i]!.shape, body.inputs[i]!.shape]);
    return [...outs.slice(0, p.carries), ...outs.slice(p.carries).map((y) => meta([p.length, ...y.shape], y))];
  },
  impl: (inputs, p) => {
    let carry = inputs.slice(0, p.carries);
    const xs = inputs.slice(p.carries, p.carries + p.xs);
    const consts = inputs.slice(p.carries + p.xs);
    const yMetas = p.body.outputs.slice(p.carries);
    const ys = yMetas.map((y) => {
      const n = sizeOf(y.shape);
      return { data: alloc(y.dtype, p.length * n), n };
    });
    for (let j = 0; j < p.length; j++) {
      const i = p.reverse ? p.length - 1 - j : j;
      const outs = run(p.body, [...carry, ...xs.map((x) => row(x, i)), ...consts]);
      carry = outs.slice(0, p.carries);
      outs.slice(p.carries).forEach((y, k) => ys[k]!.data.set(y.data as never, i * ys[k]!.n));
    }
    return [...carry, ...ys.map((y, k) => new Concrete([p.length, ...yMetas[k]!.shape], yMetas[k]!.dtype, y.data as never))];
  },
  jvp: (primals, tangents, p) => {
    // Every float carry gets a tangent (zero where none flows in): the body may make one non-zero.
    const nC = p.carries;
    const nX = p.xs;
    const carryT = primals.slice(0, nC).map((c, i) => (isFloat(c.dtype) ? (tangents[i] ?? zerosLike(c)) : null));
    const restMask = tangents.slice(nC).map((t) => t != null);
    const bodyIn = p.body.inputs;
    const cMask = carryT.map((t) => t != null);
    const xMask = restMask.slice(0, nX);
    const kMask = restMask.slice(nX);
    const outFloat = p.body.outputs.map((o) => isFloat(o.dtype));
    // New body: (carry, carryT, x, xT, const, constT) ↦ (carry', carryT', y, yT).
    const metas = [
      ...bodyIn.slice(0, nC), ...bodyIn.slice(0, nC).filter((_, i) => cMask[i]),
      ...bodyIn.slice(nC, nC + nX), ...bodyIn.slice(nC, nC + nX).filter((_, i) => xMask[i]),
      ...bodyIn.slice(nC + nX), ...bodyIn.slice(nC + nX).filter((_, i) => kMask[i]),
    ];
    const nCT = cMask.filter(Boolean).length;
    const nXT = xMask.filter(Boolean).length;
    const body = stageFlat((zs) => {
      let k = 0;
      const take = (n: number) => zs.slice(k, (k += n));
      const c = take(nC), ct = take(nCT), x = take(nX), xt = take(nXT), q = take(bodyIn.length - nC - nX), qt = take(kMask.filter(Boolean).length);
      const spread = (vals: readonly TensorImpl[], mask: readonly boolean[]): Linear[] => {
        let j = 0;
        return mask.map((m) => (m ? vals[j++]! : null));
      };
      const [outs, touts] = jvpFlat((ys) => evalProgram(p.body, ys), [...c, ...x, ...q], [...spread(ct, cMask), ...spread(xt, xMask), ...spread(qt, kMask)]);
      const tOf = (i: number): TensorImpl => touts[i] ?? zerosLike(outs[i]!);
      const carryTs = outs.slice(0, nC).flatMap((_, i) => (cMask[i] ? [tOf(i)] : []));
      const yTs = outs.slice(nC).flatMap((_, i) => (outFloat[nC + i] ? [tOf(nC + i)] : []));
      return [...outs.slice(0, nC), ...carryTs, ...outs.slice(nC), ...yTs];
    }, metas);
    const pick = (vals: readonly Linear[], mask: readonly boolean[]) => vals.filter((_, i) => mask[i]) as TensorImpl[];
    const args = [
      ...primals.slice(0, nC), ...pick(carryT, cMask),
      ...primals.slice(nC, nC + nX), ...pick(tangents.slice(nC, nC + nX), xMask),
      ...primals.slice(nC + nX), ...pick(tangents.slice(nC + nX), kMask),
    ];
    const res = bindMulti(scanP, args, { body, carries: nC + nCT, xs: nX + nXT, length: p.length, reverse: p.reverse });
    const nY = p.body.outputs.length - nC;
    const outs = [...res.slice(0, nC), ...res.slice(nC + nCT, nC + nCT + nY)];
    let kc = nC;
    let ky = nC + nCT + nY;
    const touts: Linear[] = [
      ...cMask.map((m) => (m ? res[kc++]! : null)),
      ...outFloat.slice(nC).map((f) => (f ? res[ky++]! : null)),
    ];
    return [outs, touts];
  },
  vjp: (primals, p, needs) => {
    const nC = p.carries;
    const nX = p.xs;
    // The body's reverse mode: every float carry is on the path; xs and constants as needed.
    const bodyNeeds = primals.map((x, i) => isFloat(x.dtype) && (i < nC || needs[i]!));
    const vp = vjpPrograms(p.body, bodyNeeds);
    const nOut = p.body.outputs.length;
    const nRes = vp.forward.outputs.length - nOut;
    // Forward: the scan of the body's forward program, stacking its residuals as extra outputs.
    const fwd = bindMulti(scanP, primals, { body: vp.forward, carries: nC, xs: nX, length: p.length, reverse: p.reverse });
    const outs = fwd.slice(0, nOut);
    const residuals = fwd.slice(nOut);
    const pull = (cts: readonly Linear[]): Linear[] => {
      const ctOf = (i: number): TensorImpl => cts[i] ?? zerosLike(outs[i]!);
      const carryF = primals.slice(0, nC).map((c, i) => isFloat(c.dtype));
      const cNeeded = bodyNeeds.slice(0, nC);
      const kNeeded = bodyNeeds.slice(nC + nX);
      const xNeeded = bodyNeeds.slice(nC, nC + nX);
      const ctCarry = primals.slice(0, nC).flatMap((_, i) => (carryF[i] ? [ctOf(i)] : []));
      const ctYs = p.body.outputs.slice(nC).flatMap((o, i) => (vp.ctMask[nC + i] ? [ctOf(nC + i)] : []));
      const kMetas = primals.slice(nC + nX).filter((_, i) => kNeeded[i]);
      // Backward: a scan the other way. Carry: (carry cotangents, constant cotangent sums); xs: (residuals, y cotangents).
      const bwdIn = vp.backward.inputs;
      const resMetas = bwdIn.slice(0, nRes);
      const ctMetasC = bwdIn.slice(nRes, nRes + ctCarry.length);
      const ctMetasY = bwdIn.slice(nRes + ctCarry.length);
      const nKN = kMetas.length;
      const body = stageFlat((zs) => {
        let k = 0;
        const take = (n: number) => zs.slice(k, (k += n));
        const cc = take(ctCarry.length), kacc = take(nKN), res = take(nRes), cy = take(ctYs.length);
        const g = evalProgram(vp.backward, [...res, ...cc, ...cy]);
        // g: cotangents of the needed body inputs, in order (carries, xs, constants).
        let j = 0;
        const gC = cNeeded.map((nd) => (nd ? g[j++]! : null));
        const gX = xNeeded.map((nd) => (nd ? g[j++]! : null));
        const gK = kNeeded.map((nd) => (nd ? g[j++]! : null)).filter((x): x is TensorImpl => x !== null);
        const nextC = gC.filter((x): x is TensorImpl => x !== null);
        return [...nextC, ...gK.map((x, i) => add(kacc[i]!, x)), ...gX.filter((x): x is TensorImpl => x !== null)];
      }, [...ctMetasC, ...kMetas, ...resMetas.map((r) => meta(r.shape, r)), ...ctMetasY]);
      const init = [...ctCarry, ...kMetas.map((m) => zerosLike(m))];
      const stackedCtY = ctYs;
      const back = bindMulti(scanP, [...init, ...residuals, ...stackedCtY], { body, carries: ctCarry.length + nKN, xs: nRes + ctYs.length, length: p.length, reverse: !p.reverse });
      let kc = 0;
      const gCarry = cNeeded.map((nd) => (nd ? back[kc++]! : null));
      const gConst = kNeeded.map((nd) => (nd ? back[kc++]! : null));
      const gXs = xNeeded.map((nd) => (nd ? back[kc++]! : null));
      return [...gCarry, ...gXs, ...gConst].map((g, i) => (needs[i] ? g : null));
    };
    return [outs, pull];
  },
  vmap: (args, batched, p, size) => {
    // Every carry is batched (an unbatched one may become batched in the body); xs put the scan axis first.
    const nC = p.carries;
    const nX = p.xs;
    const ins = args.map((x, i) => {
      if (i < nC) return batchOf(x, batched[i]!, size);
      if (i < nC + nX) return batched[i] ? swap01(x) : x;
      return x;
    });
    const mask = args.map((_, i) => i < nC || batched[i]!);
    const bodyIn = p.body.inputs;
    const metas = bodyIn.map((v, i) => (mask[i] ? meta([size, ...v.shape], v) : v));
    const body = stageFlat((zs) => vmapFlat((ys) => evalProgram(p.body, ys), zs, mask, size), metas);
    // Unbatched xs keep their shape; batched xs are [length, size, …].
    const outs = bindMulti(scanP, ins, { ...p, body });
    return outs.map((o, i) => (i < nC ? o : swap01(o)));
  },
  show: (p) => ({ text: `[length=${p.length} reverse=${p.reverse} carries=${p.carries}]`, programs: [["body", p.body]] }),
});

/** Flat leaves of a tree as tensors, and the tree's rebuild. */
function leavesOfTree(op: string, tree: unknown): { xs: TensorImpl[]; rebuild: (xs: readonly TensorImpl[]) => unknown } {
  const f = flatten(tree);
  const xs = f.leaves.map((l) => {
    if (typeof l === "number") throw new TransformError(op, `values carried or returned by a loop or branch must be tensors, got the number ${l} (use scalar(${l}))`);
    return impl(l);
  });
  return { xs, rebuild: (vals) => f.unflatten(vals.map((v) => typed(v))) };
}

/** Options of {@link scan}. */
export interface ScanOptions {
  /** Run from the last element of `xs` to the first (the stacked outputs keep the input order). */
  readonly reverse?: boolean;
  /** Number of steps when there are no `xs` (`xs` null). */
  readonly length?: number;
}

/**
 * `lax.scan`: applies `f(carry, x) → [carry, y]` along the leading axis of `xs` (a tree of tensors),
 * threading the carry and stacking the `y`s. Staged as one equation (traced once, never unrolled); `grad`
 * through it equals `grad` through the unrolled loop.
 *
 * @example
 * // Running sum: carry the total, emit it at each step.
 * const [total, partial] = scan((c: Tensor<[]>, x: Tensor<[]>) => [add(c, x), add(c, x)] as const, scalar(0), tensor([1, 2, 3]));
 * // total: 6, partial: [1, 3, 6]
 */
export function scan<C, X, Y>(f: (carry: C, x: X) => readonly [C, Y], init: C, xs: Batched<X> | null, opts: ScanOptions = {}): [C, Batched<Y>] {
  const c = leavesOfTree("scan", init);
  const x = xs === null ? { xs: [] as TensorImpl[], rebuild: () => null } : leavesOfTree("scan", xs);
  const lengths = new Set(x.xs.map((t) => {
    if (t.shape.length === 0) throw new ShapeError("scan", "every leaf of xs needs a leading axis to scan over", [t.shape]);
    return t.shape[0]!;
  }));
  if (opts.length !== undefined) lengths.add(opts.length);
  if (lengths.size === 0) throw new TransformError("scan", "give xs or a length");
  if (lengths.size > 1) throw new ShapeError("scan", `the leading axes of xs and length disagree: ${[...lengths].join(" vs ")}`, x.xs.map((t) => t.shape));
  const length = [...lengths][0]!;
  let yRebuild: (ys: readonly TensorImpl[]) => unknown = () => undefined;
  const traced = traceProgram((zs) => {
    const carry = c.rebuild(zs.slice(0, c.xs.length)) as C;
    const xv = x.rebuild(zs.slice(c.xs.length)) as X;
    const [c2, y] = f(carry, xv);
    const co = leavesOfTree("scan", c2);
    if (co.xs.length !== c.xs.length) throw new TransformError("scan", `the body returns a carry with ${co.xs.length} leaves, but it takes one with ${c.xs.length}`);
    const yo = leavesOfTree("scan", y);
    yRebuild = yo.rebuild;
    return [...co.xs.map((t, i) => (t.dtype === c.xs[i]!.dtype ? t : cast(t, c.xs[i]!.dtype))), ...yo.xs];
  }, [...c.xs, ...x.xs.map((t) => meta(t.shape.slice(1), t))]);
  const outs = bindMulti(scanP, [...c.xs, ...x.xs, ...traced.captured], { body: traced.program, carries: c.xs.length, xs: x.xs.length, length, reverse: opts.reverse ?? false });
  return [c.rebuild(outs.slice(0, c.xs.length)) as C, yRebuild(outs.slice(c.xs.length)) as Batched<Y>];
}

// ---------------------------------------------------------------- while

/** Parameters of {@link whileP}. Inputs: carries, the condition's constants, the body's constants. */
export interface WhileParams {
  /** `(carry…, condConst…) ↦ bool[]`. */
  readonly cond: Program;
  /** `(carry…, bodyConst…) ↦ carry…`. */
  readonly body: Program;
  readonly carries: number;
  readonly condConsts: number;
}

const splitWhile = <T>(xs: readonly T[], p: WhileParams): [T[], T[], T[]] => [
  xs.slice(0, p.carries), xs.slice(p.carries, p.carries + p.condConsts), xs.slice(p.carries + p.condConsts),
];

/** The while-loop primitive. */
export const whileP: MultiPrimitive<WhileParams> = defineMultiPrimitive<WhileParams>({
  name: "while",
  abstract: (inputs, p) => {
    const pred = p.cond.outputs[0]!;
    if (pred.dtype !== "bool" || pred.shape.length !== 0) throw new ShapeError("whileLoop", `the condition must return a bool scalar, got ${typeText(pred)}`, [pred.shape]);
    const carries = inputs.slice(0, p.carries);
    p.body.outputs.forEach((o, i) => {
      if (!same(o, carries[i]!)) throw new ShapeError("whileLoop", `the body returns carry ${i} as ${typeText(o)} but takes it as ${typeText(carries[i]!)}`, [o.shape, carries[i]!.shape]);
    });
    return carries.map((m) => ({ shape: m.shape, dtype: m.dtype, names: m.names }));
  },
  impl: (inputs, p) => {
    let [carry, cc, bc] = splitWhile(inputs, p);
    while (run(p.cond, [...carry, ...cc])[0]!.data[0]) carry = run(p.body, [...carry, ...bc]);
    return carry;
  },
  jvp: (primals, tangents, p) => {
    const [carry, cc, bc] = splitWhile(primals, p);
    const [, , bt] = splitWhile(tangents, p);
    const n = p.carries;
    const cMask = carry.map((c) => isFloat(c.dtype));
    const bMask = bt.map((t) => t != null);
    const ct = carry.map((c, i) => (cMask[i] ? (tangents[i] ?? zerosLike(c)) : null)).filter((t): t is TensorImpl => t != null);
    const nT = ct.length;
    // Carry: (carry, carryT); the condition ignores the tangents; the body is the body's JVP.
    const condMetas = [...p.cond.inputs.slice(0, n), ...p.cond.inputs.slice(0, n).filter((_, i) => cMask[i]), ...p.cond.inputs.slice(n)];
    const cond = stageFlat((zs) => evalProgram(p.cond, [...zs.slice(0, n), ...zs.slice(n + nT)]), condMetas);
    const bodyIn = p.body.inputs;
    const bodyMetas = [...bodyIn.slice(0, n), ...bodyIn.slice(0, n).filter((_, i) => cMask[i]), ...bodyIn.slice(n), ...bodyIn.slice(n).filter((_, i) => bMask[i])];
    const nB = bodyIn.length - n;
    const body = stageFlat((zs) => {
      const c = zs.slice(0, n);
      const t = zs.slice(n, n + nT);
      const q = zs.slice(n + nT, n + nT + nB);
      const qt = zs.slice(n + nT + nB);
      let j = 0;
      let k = 0;
      const [outs, touts] = jvpFlat((ys) => evalProgram(p.body, ys), [...c, ...q], [...cMask.map((m) => (m ? t[j++]! : null)), ...bMask.map((m) => (m ? qt[k++]! : null))]);
      return [...outs, ...outs.flatMap((o, i) => (cMask[i] ? [touts[i] ?? zerosLike(o)] : []))];
    }, bodyMetas);
    const res = bindMulti(whileP, [...carry, ...ct, ...cc, ...bc, ...bt.filter((t): t is TensorImpl => t != null)], { cond, body, carries: n + nT, condConsts: cc.length });
    let k = n;
    return [res.slice(0, n), cMask.map((m) => (m ? res[k++]! : null))];
  },
  vjp: () => {
    throw new TransformError("whileLoop", "reverse-mode differentiation of a while loop is not supported (its number of steps is not known in advance); use scan with a fixed length, or forward mode (jvp, jacfwd)");
  },
  vmap: (args, batched, p, size) => {
    const [carry, cc, bc] = splitWhile(args, p);
    const [, ccB, bcB] = splitWhile(batched, p);
    const n = p.carries;
    const ins = carry.map((c, i) => batchOf(c, batched[i]!, size));
    const condMask = [...carry.map(() => true), ...ccB];
    const bodyMask = [...carry.map(() => true), ...bcB];
    const bm = (v: Var, b: boolean): Meta => (b ? meta([size, ...v.shape], v) : v);
    const condB = (zs: readonly TensorImpl[]) => vmapFlat((ys) => evalProgram(p.cond, ys), zs, condMask, size)[0]!;
    // Loop while any example's condition holds; finished examples keep their carry.
    const cond = stageFlat((zs) => [cast(max(cast(condB(zs.slice(0, n).concat(zs.slice(n, n + cc.length))), "int32"), [0], false), "bool")], [...p.body.inputs.slice(0, n).map((v) => bm(v, true)), ...p.cond.inputs.slice(n).map((v, i) => bm(v, ccB[i]!))]);
    const body = stageFlat((zs) => {
      const c = zs.slice(0, n);
      const q = zs.slice(n, n + cc.length);
      const r = zs.slice(n + cc.length);
      const live = condB([...c, ...q]);
      const next = vmapFlat((ys) => evalProgram(p.body, ys), [...c, ...r], bodyMask, size);
      return next.map((x, i) => where(reshape(live, [size, ...new Array<number>(x.shape.length - 1).fill(1)]), x, c[i]!));
    }, [...p.body.inputs.slice(0, n).map((v) => bm(v, true)), ...p.cond.inputs.slice(n).map((v, i) => bm(v, ccB[i]!)), ...p.body.inputs.slice(n).map((v, i) => bm(v, bcB[i]!))]);
    return bindMulti(whileP, [...ins, ...cc, ...cc, ...bc], { cond, body, carries: n, condConsts: cc.length }).slice(0, n);
  },
  show: () => ({ text: "", programs: [] }),
});

/**
 * `lax.while_loop`: `while (cond(carry)) carry = body(carry)`, staged as one equation. Forward-mode
 * differentiable (`jvp`, `jacfwd`); reverse mode needs a known number of steps (use {@link scan}).
 *
 * @example
 * const [i, x] = whileLoop(([i]) => less(i, 10), ([i, x]) => [add(i, 1), mul(x, 2)] as const, [scalar(0, "int32"), scalar(1)] as const);
 * // x = 1024
 */
export function whileLoop<C>(cond: (carry: C) => Tensor<[], "bool">, body: (carry: C) => C, init: C): C {
  const c = leavesOfTree("whileLoop", init);
  const metas = c.xs.map((t) => meta(t.shape, t));
  const condT = traceProgram((zs) => [impl(cond(c.rebuild(zs) as C))], metas);
  const bodyT = traceProgram((zs) => {
    const o = leavesOfTree("whileLoop", body(c.rebuild(zs) as C));
    if (o.xs.length !== c.xs.length) throw new TransformError("whileLoop", `the body returns a carry with ${o.xs.length} leaves, but it takes one with ${c.xs.length}`);
    return o.xs.map((t, i) => (t.dtype === c.xs[i]!.dtype ? t : cast(t, c.xs[i]!.dtype)));
  }, metas);
  const outs = bindMulti(whileP, [...c.xs, ...condT.captured, ...bodyT.captured], { cond: condT.program, body: bodyT.program, carries: c.xs.length, condConsts: condT.captured.length });
  return c.rebuild(outs) as C;
}

// ---------------------------------------------------------------- cond

/** Parameters of {@link condP}: the branches (false, true), each taking every operand. */
export interface CondParams {
  readonly branches: readonly [Program, Program];
}

/** The conditional primitive. Inputs: the predicate, then the operands. */
export const condP: MultiPrimitive<CondParams> = defineMultiPrimitive<CondParams>({
  name: "cond",
  abstract: (inputs, { branches: [f, t] }) => {
    const pred = inputs[0]!;
    if (pred.dtype !== "bool" || pred.shape.length !== 0) throw new ShapeError("cond", `the predicate must be a bool scalar, got ${typeText(pred)}`, [pred.shape]);
    if (f.outputs.length !== t.outputs.length) throw new TransformError("cond", `the branches return ${t.outputs.length} and ${f.outputs.length} values`);
    f.outputs.forEach((o, i) => {
      if (!same(o, t.outputs[i]!)) throw new ShapeError("cond", `output ${i} is ${typeText(t.outputs[i]!)} in the true branch but ${typeText(o)} in the false one`, [t.outputs[i]!.shape, o.shape]);
    });
    return t.outputs;
  },
  impl: (inputs, { branches }) => run(branches[inputs[0]!.data[0] ? 1 : 0], inputs.slice(1)),
  jvp: (primals, tangents, { branches }) => {
    const mask = tangents.slice(1).map((t) => t != null);
    const ops = branches[0].inputs;
    const outFloat = branches[0].outputs.map((o) => isFloat(o.dtype));
    const jb = branches.map((b) =>
      stageFlat((zs) => {
        const xs = zs.slice(0, ops.length);
        let k = ops.length;
        const [outs, touts] = jvpFlat((ys) => evalProgram(b, ys), xs, mask.map((m) => (m ? zs[k++]! : null)));
        return [...outs, ...outs.flatMap((o, i) => (outFloat[i] ? [touts[i] ?? zerosLike(o)] : []))];
      }, [...ops, ...ops.filter((_, i) => mask[i])]),
    ) as unknown as [Program, Program];
    const res = bindMulti(condP, [primals[0]!, ...primals.slice(1), ...(tangents.slice(1).filter((t) => t != null) as TensorImpl[])], { branches: jb });
    const n = outFloat.length;
    let k = n;
    return [res.slice(0, n), outFloat.map((f) => (f ? res[k++]! : null))];
  },
  vjp: (primals, { branches }, needs) => {
    const ops = primals.slice(1);
    const opNeeds = needs.slice(1);
    const vps = branches.map((b) => vjpPrograms(b, opNeeds));
    const n = branches[0].outputs.length;
    const resMetas = vps.map((vp) => vp.forward.outputs.slice(n));
    // Forward: each branch returns its outputs, its residuals, and zeros in place of the other's.
    const fwd = vps.map((vp, b) =>
      stageFlat((zs) => {
        const outs = evalProgram(vp.forward, zs);
        const mine = outs.slice(n);
        const other = resMetas[1 - b]!.map((m) => zerosLike(m));
        return [...outs.slice(0, n), ...(b === 0 ? [...mine, ...other] : [...other, ...mine])];
      }, branches[b]!.inputs),
    ) as unknown as [Program, Program];
    const res = bindMulti(condP, [primals[0]!, ...ops], { branches: fwd });
    const outs = res.slice(0, n);
    const r0 = res.slice(n, n + resMetas[0]!.length);
    const r1 = res.slice(n + resMetas[0]!.length);
    const pull = (cts: readonly Linear[]): Linear[] => {
      const ctMask = vps[0]!.ctMask;
      const full = outs.flatMap((o, i) => (ctMask[i] ? [cts[i] ?? zerosLike(o)] : []));
      const bwd = vps.map((vp, b) =>
        stageFlat((zs) => {
          const a = zs.slice(0, r0.length);
          const c = zs.slice(r0.length, r0.length + r1.length);
          const ct = zs.slice(r0.length + r1.length);
          return evalProgram(vp.backward, [...(b === 0 ? a : c), ...ct]);
        }, [...r0, ...r1, ...full]),
      ) as unknown as [Program, Program];
      const gs = bindMulti(condP, [primals[0]!, ...r0, ...r1, ...full], { branches: bwd });
      let k = 0;
      return [null, ...opNeeds.map((nd) => (nd ? gs[k++]! : null))];
    };
    return [outs, pull];
  },
  vmap: (args, batched, { branches }, size) => {
    const mask = batched.slice(1);
    const ops = args.slice(1);
    const vb = branches.map((b) => stageFlat((zs) => vmapFlat((ys) => evalProgram(b, ys), zs, mask, size), b.inputs.map((v, i) => (mask[i] ? meta([size, ...v.shape], v) : v))));
    if (!batched[0]) return bindMulti(condP, [args[0]!, ...ops], { branches: vb as unknown as [Program, Program] });
    // A batched predicate: both branches run, and each example takes its own (as JAX does).
    const outF = evalProgram(vb[0]!, ops);
    const outT = evalProgram(vb[1]!, ops);
    const pred = args[0]!;
    return outT.map((t, i) => where(reshape(pred, [size, ...new Array<number>(t.shape.length - 1).fill(1)]), t, outF[i]!));
  },
  show: ({ branches }) => ({ text: "", programs: [["false", branches[0]], ["true", branches[1]]] }),
});

/**
 * `lax.cond`: `pred ? t(...operands) : f(...operands)` with a bool scalar tensor `pred`, staged as one
 * equation holding both branches (which must return the same shapes and dtypes). Under `vmap` with a
 * batched predicate both branches run and each example takes its own.
 *
 * @example
 * const safeLog = (x: Tensor<[]>) => cond(greater(x, 0), (v: Tensor<[]>) => log(v), () => scalar(-Infinity), x);
 */
export function cond<Args extends readonly unknown[], R>(pred: Tensor<[], "bool">, t: (...args: Args) => R, f: (...args: Args) => R, ...operands: Args): R {
  const ops = leavesOfTree("cond", operands);
  const metas = ops.xs.map((x) => meta(x.shape, x));
  let rebuild: (xs: readonly TensorImpl[]) => unknown = () => undefined;
  const traceBranch = (fn: (...a: Args) => R) =>
    traceProgram((zs) => {
      const o = leavesOfTree("cond", fn(...(ops.rebuild(zs) as unknown as Args)));
      rebuild = o.rebuild;
      return o.xs;
    }, metas);
  const tt = traceBranch(t);
  const ft = traceBranch(f);
  // Both branches take every operand and every value either closed over.
  const widen = (tr: { program: Program; captured: readonly TensorImpl[] }, caps: readonly TensorImpl[]): Program => {
    const own = new Map(tr.captured.map((c, i) => [c, tr.program.inputs[metas.length + i]!]));
    const inputs = [...tr.program.inputs.slice(0, metas.length), ...caps.map((c) => own.get(c) ?? new Var(c.shape, c.dtype, c.names))];
    return new Program(inputs, tr.program.eqns, tr.program.outputs);
  };
  const caps = [...new Set([...ft.captured, ...tt.captured])];
  const outs = bindMulti(condP, [impl(pred), ...ops.xs, ...caps], { branches: [widen(ft, caps), widen(tt, caps)] });
  return rebuild(outs) as R;
}
