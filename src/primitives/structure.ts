/**
 * Structural primitives: reshape, transpose, broadcast, slice/pad, concat, take/scatter-add, and
 * `stopGradient`. Each transpose pair is explicit: broadcast ↔ sum, slice ↔ pad, take ↔ scatter-add.
 */
import { DTypeError, ShapeError } from "../errors.js";
import { sameShape, sizeOf, stridesOf } from "../shape/runtime.js";
import { isFloat } from "../tensor/dtype.js";
import { noNames, type TensorImpl } from "../tensor/tensor.js";
import { bind } from "../core/trace.js";
import { definePrimitive, type Primitive } from "../core/primitive.js";
import { broadcastCopy, permuteCopy } from "./kernels.js";
import { invertPerm, logicalRank, pickNames, zerosLike } from "./util.js";
import { sum } from "./reduce.js";

// ---------------------------------------------------------------- reshape

/** Reshape to `shape` (same number of elements); `names` labels the new dims. */
export const reshapeP = definePrimitive<{ shape: readonly number[]; names: readonly (string | null)[] | null }>({
  name: "reshape",
  abstract: ([x], p) => {
    if (sizeOf(p.shape) !== sizeOf(x!.shape))
      throw new ShapeError("reshape", `cannot reshape ${sizeOf(x!.shape)} elements into ${sizeOf(p.shape)}`, [x!.shape, p.shape]);
    return { shape: p.shape, dtype: x!.dtype, names: p.names ?? noNames(p.shape.length) };
  },
  impl: ([x]) => x!.data,
  jvp: (_x, [t], _o, p) => (t == null ? null : reshape(t, p.shape)),
  vjp: (ct, [x]) => [reshape(ct, x!.shape)],
  vmap: ([x], _b, p, n) => reshape(x!, [n, ...p.shape]),
});
/** Raw reshape (a no-op when the shape is unchanged). */
export function reshape(x: TensorImpl, shape: readonly number[], names: readonly (string | null)[] | null = null): TensorImpl {
  if (names === null && sameShape(x.shape, shape)) return x;
  return bind(reshapeP, [x], { shape, names });
}

// ---------------------------------------------------------------- transpose

/** Permutes axes: output axis i is input axis perm[i]. */
export const transposeP = definePrimitive<{ perm: readonly number[] }>({
  name: "transpose",
  abstract: ([x], p) => {
    const r = x!.shape.length;
    if (p.perm.length !== r || [...p.perm].sort((a, b) => a - b).some((v, i) => v !== i))
      throw new ShapeError("transpose", `[${p.perm.join(", ")}] is not a permutation of ${r} axes`, [x!.shape]);
    return { shape: p.perm.map((i) => x!.shape[i]!), dtype: x!.dtype, names: pickNames(x!.names, p.perm) };
  },
  impl: ([x], p, _out, mem) => permuteCopy(x!.data, x!.shape, p.perm, x!.dtype, mem),
  jvp: (_x, [t], _o, p) => (t == null ? null : transpose(t, p.perm)),
  vjp: (ct, _x, _o, p) => [transpose(ct, invertPerm(p.perm))],
  vmap: ([x], _b, p) => transpose(x!, [0, ...p.perm.map((i) => i + 1)]),
});
/** Raw transpose (a no-op for the identity permutation). */
export function transpose(x: TensorImpl, perm: readonly number[]): TensorImpl {
  if (perm.every((p, i) => p === i) && perm.length === x.shape.length) return x;
  return bind(transposeP, [x], { perm });
}

// ---------------------------------------------------------------- broadcast

/** Broadcasts to `shape` (NumPy rules, right-aligned). Its transpose is {@link sumTo}. */
export const broadcastP = definePrimitive<{ shape: readonly number[] }>({
  name: "broadcastTo",
  abstract: ([x], p) => {
    const off = p.shape.length - x!.shape.length;
    if (off < 0 || x!.shape.some((d, i) => d !== 1 && d !== p.shape[off + i]))
      throw new ShapeError("broadcastTo", `cannot broadcast`, [x!.shape, p.shape]);
    return { shape: p.shape, dtype: x!.dtype, names: noNames(p.shape.length) };
  },
  impl: ([x], p, _out, mem) => broadcastCopy(x!.data, x!.shape, p.shape, x!.dtype, mem),
  jvp: (_x, [t], _o, p) => (t == null ? null : broadcastTo(t, p.shape)),
  vjp: (ct, [x]) => [sumTo(ct, x!.shape)],
  vmap: ([x], _b, p, n) => {
    const r = logicalRank(x!, true);
    const [b, ...rest] = x!.shape;
    const padded = reshape(x!, [b!, ...new Array<number>(p.shape.length - r).fill(1), ...rest]);
    return broadcastTo(padded, [n, ...p.shape]);
  },
});
/** Raw broadcast (a no-op when the shape is unchanged). */
export const broadcastTo = (x: TensorImpl, shape: readonly number[]): TensorImpl =>
  sameShape(x.shape, shape) ? x : bind(broadcastP, [x], { shape });

/** Sums `x` down to `shape`, undoing NumPy broadcasting (the transpose of {@link broadcastTo}). */
export function sumTo(x: TensorImpl, shape: readonly number[]): TensorImpl {
  if (sameShape(x.shape, shape)) return x;
  const off = x.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < x.shape.length; i++) {
    if (i < off || (shape[i - off] === 1 && x.shape[i] !== 1)) axes.push(i);
  }
  const s = axes.length > 0 ? sum(x, axes, false) : x;
  return reshape(s, shape);
}

// ---------------------------------------------------------------- slice / pad

interface SliceParams {
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

/** Contiguous slice `x[starts:ends]` on every axis. Its transpose is {@link pad}. */
export const sliceP: Primitive<SliceParams> = definePrimitive<SliceParams>({
  name: "slice",
  abstract: ([x], p) => {
    const s = x!.shape;
    if (p.starts.length !== s.length || p.ends.length !== s.length)
      throw new ShapeError("slice", `expected ${s.length} bounds, got ${p.starts.length}`, [s]);
    const shape = s.map((d, i) => {
      const a = p.starts[i]!;
      const b = p.ends[i]!;
      if (!(0 <= a && a <= b && b <= d)) throw new ShapeError("slice", `bounds ${a}:${b} out of range for axis ${i} of size ${d}`, [s]);
      return b - a;
    });
    return { shape, dtype: x!.dtype, names: x!.names.map((n, i) => (shape[i] === s[i] ? n : null)) };
  },
  impl: ([x], p, out, mem) => {
    const data = mem.take(out.dtype, sizeOf(out.shape), false);
    copyBlock(x!.data, x!.shape, p.starts, data, out.shape, null);
    return data;
  },
  jvp: (_x, [t], _o, p) => (t == null ? null : bind(sliceP, [t], p)),
  vjp: (ct, [x], _o, p) => [pad(ct, p.starts, x!.shape.map((d, i) => d - p.ends[i]!))],
  vmap: ([x], _b, p, n) => bind(sliceP, [x!], { starts: [0, ...p.starts], ends: [n, ...p.ends] }),
});
/** Raw slice. */
export const slice = (x: TensorImpl, starts: readonly number[], ends: readonly number[]): TensorImpl =>
  starts.every((s, i) => s === 0 && ends[i] === x.shape[i]) ? x : bind(sliceP, [x], { starts, ends });

interface PadParams {
  readonly lo: readonly number[];
  readonly hi: readonly number[];
}

/** Zero padding by `lo` before and `hi` after on each axis. Its transpose is {@link slice}. */
export const padP: Primitive<PadParams> = definePrimitive<PadParams>({
  name: "pad",
  abstract: ([x], p) => {
    if (p.lo.length !== x!.shape.length || [...p.lo, ...p.hi].some((v) => v < 0 || !Number.isInteger(v)))
      throw new ShapeError("pad", `bad padding [${p.lo.join(", ")}] / [${p.hi.join(", ")}]`, [x!.shape]);
    return { shape: x!.shape.map((d, i) => d + p.lo[i]! + p.hi[i]!), dtype: x!.dtype, names: noNames(x!.shape.length) };
  },
  impl: ([x], p, out, mem) => {
    const data = mem.take(out.dtype, sizeOf(out.shape), true);
    copyBlock(x!.data, x!.shape, null, data, out.shape, p.lo);
    return data;
  },
  jvp: (_x, [t], _o, p) => (t == null ? null : bind(padP, [t], p)),
  vjp: (ct, [x], _o, p) => [slice(ct, p.lo, p.lo.map((l, i) => l + x!.shape[i]!))],
  vmap: ([x], _b, p) => bind(padP, [x!], { lo: [0, ...p.lo], hi: [0, ...p.hi] }),
});
/** Raw zero-pad. */
export const pad = (x: TensorImpl, lo: readonly number[], hi: readonly number[]): TensorImpl =>
  [...lo, ...hi].every((v) => v === 0) ? x : bind(padP, [x], { lo, hi });

/**
 * Copies a block between buffers: with `srcStart`, reads the block of `dstShape` at that corner of the
 * source (slice); with `dstStart`, writes the whole source at that corner of the destination (pad).
 */
function copyBlock(
  src: ArrayLike<number>, srcShape: readonly number[], srcStart: readonly number[] | null,
  dst: { [i: number]: number }, dstShape: readonly number[], dstStart: readonly number[] | null,
): void {
  const block = srcStart ? dstShape : srcShape;
  const r = block.length;
  if (sizeOf(block) === 0) return;
  const ss = stridesOf(srcShape);
  const ds = stridesOf(dstShape);
  let so = 0;
  let d0 = 0;
  for (let i = 0; i < r; i++) {
    so += (srcStart?.[i] ?? 0) * ss[i]!;
    d0 += (dstStart?.[i] ?? 0) * ds[i]!;
  }
  if (r === 0) {
    dst[d0] = src[so]!;
    return;
  }
  const rowLen = block[r - 1]!;
  const idx = new Array<number>(r).fill(0);
  // Long rows between typed arrays of one kind: copy each row as a block (memcpy), not element by element.
  const rows = rowLen >= 16 && ArrayBuffer.isView(src) && ArrayBuffer.isView(dst) && src.constructor === dst.constructor;
  const s1 = src as Float32Array;
  const d1 = dst as Float32Array;
  for (;;) {
    let s = so;
    let d = d0;
    for (let i = 0; i < r - 1; i++) {
      s += idx[i]! * ss[i]!;
      d += idx[i]! * ds[i]!;
    }
    if (rows) d1.set(s1.subarray(s, s + rowLen), d);
    else for (let j = 0; j < rowLen; j++) dst[d + j] = src[s + j]!;
    let k = r - 2;
    while (k >= 0) {
      idx[k]!++;
      if (idx[k]! < block[k]!) break;
      idx[k] = 0;
      k--;
    }
    if (k < 0) break;
  }
}

// ---------------------------------------------------------------- concat

/** Joins tensors along an existing axis. */
export const concatP: Primitive<{ axis: number }> = definePrimitive<{ axis: number }>({
  name: "concat",
  abstract: (xs, p) => {
    const first = xs[0];
    if (first === undefined) throw new ShapeError("concat", "needs at least one tensor");
    const r = first.shape.length;
    let total = 0;
    for (const x of xs) {
      if (x.shape.length !== r || x.shape.some((d, i) => i !== p.axis && d !== first.shape[i]))
        throw new ShapeError("concat", `shapes differ outside axis ${p.axis}`, xs.map((t) => t.shape));
      if (x.dtype !== first.dtype) throw new DTypeError("concat", `dtypes differ: ${first.dtype} and ${x.dtype}`);
      total += x.shape[p.axis]!;
    }
    const shape = first.shape.map((d, i) => (i === p.axis ? total : d));
    return { shape, dtype: first.dtype, names: first.names.map((n, i) => (i === p.axis ? null : n)) };
  },
  impl: (xs, p, out, mem) => {
    const data = mem.take(out.dtype, sizeOf(out.shape), true);
    let start = 0;
    for (const x of xs) {
      const dstStart = out.shape.map((_, i) => (i === p.axis ? start : 0));
      copyBlock(x.data, x.shape, null, data, out.shape, dstStart);
      start += x.shape[p.axis]!;
    }
    return data;
  },
  jvp: (xs, ts, _o, p) => (ts.every((t) => t == null) ? null : concat(xs.map((x, i) => ts[i] ?? zerosLike(x)), p.axis)),
  vjp: (ct, xs, _o, p) => {
    let start = 0;
    return xs.map((x) => {
      const a = start;
      start += x.shape[p.axis]!;
      if (!isFloat(x.dtype)) return null;
      return slice(ct, ct.shape.map((_, i) => (i === p.axis ? a : 0)), ct.shape.map((d, i) => (i === p.axis ? a + x.shape[p.axis]! : d)));
    });
  },
  vmap: (xs, batched, p, n) =>
    concat(xs.map((x, i) => (batched[i] ? x : broadcastTo(reshape(x, [1, ...x.shape]), [n, ...x.shape]))), p.axis + 1),
});
/** Raw concat along a non-negative axis. */
export const concat = (xs: readonly TensorImpl[], axis: number): TensorImpl => (xs.length === 1 ? xs[0]! : bind(concatP, xs, { axis }));

// ---------------------------------------------------------------- take / scatter-add

function checkIndices(op: string, idx: { dtype: string }): void {
  if (idx.dtype !== "int32") throw new DTypeError(op, `indices must be int32, got ${idx.dtype}`);
}

/** Gathers along `axis` with integer indices: out = x[:axis] ++ idx.shape ++ x[axis+1:]. */
export const takeP: Primitive<{ axis: number }> = definePrimitive<{ axis: number }>({
  name: "take",
  abstract: ([x, idx], p) => {
    checkIndices("take", idx!);
    const s = x!.shape;
    const shape = [...s.slice(0, p.axis), ...idx!.shape, ...s.slice(p.axis + 1)];
    const names = [...x!.names.slice(0, p.axis), ...idx!.names, ...x!.names.slice(p.axis + 1)];
    return { shape, dtype: x!.dtype, names };
  },
  impl: ([x, idx], p, out, mem) => {
    const s = x!.shape;
    const outer = sizeOf(s.slice(0, p.axis));
    const n = s[p.axis]!;
    const inner = sizeOf(s.slice(p.axis + 1));
    const ix = idx!.data;
    const k = ix.length;
    const data = mem.take(out.dtype, sizeOf(out.shape), false);
    const src = x!.data;
    for (let j = 0; j < k; j++) {
      const v = ix[j]!;
      if (!(v >= -n && v < n)) throw new ShapeError("take", `index ${v} is out of range for axis ${p.axis} of size ${n}`, [s]);
    }
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < k; j++) {
        const v = ix[j]!;
        const from = (o * n + (v < 0 ? v + n : v)) * inner;
        const to = (o * k + j) * inner;
        if (inner === 1) data[to] = src[from]!;
        else if (inner >= 16) data.set(src.subarray(from, from + inner), to);
        else for (let i = 0; i < inner; i++) data[to + i] = src[from + i]!;
      }
    return data;
  },
  jvp: ([, idx], [t], _o, p) => (t == null ? null : take(t, idx!, p.axis)),
  vjp: (ct, [x, idx], _o, p) => [isFloat(x!.dtype) ? scatterAdd(ct, idx!, p.axis, x!.shape) : null, null],
  vmap: ([x, idx], batched, p, n) => {
    if (batched[0] && !batched[1]) return take(x!, idx!, p.axis + 1);
    if (!batched[0]) {
      // The batch axis of the indices lands at `axis`; move it to the front.
      const out = take(x!, idx!, p.axis);
      const perm = out.shape.map((_, i) => i);
      perm.splice(p.axis, 1);
      return transpose(out, [p.axis, ...perm]);
    }
    return vmapByLoop(takeP, [x!, idx!], batched, p, n);
  },
});
/** Raw take along a non-negative axis. */
export const take = (x: TensorImpl, idx: TensorImpl, axis: number): TensorImpl => bind(takeP, [x, idx], { axis });

/**
 * The batching rule of last resort: runs the primitive once per example and stacks the results.
 * Correct for every primitive; used only where a vectorised rule would be intricate and rare.
 */
export function vmapByLoop<P>(prim: Primitive<P>, args: readonly TensorImpl[], batched: readonly boolean[], params: P, n: number): TensorImpl {
  const rows: TensorImpl[] = [];
  for (let i = 0; i < n; i++) {
    const ins = args.map((x, j) => {
      if (!batched[j]) return x;
      const [, ...rest] = x.shape;
      return reshape(slice(x, x.shape.map((_, k) => (k === 0 ? i : 0)), x.shape.map((d, k) => (k === 0 ? i + 1 : d))), rest);
    });
    const y = bind(prim, ins, params);
    rows.push(reshape(y, [1, ...y.shape]));
  }
  return concat(rows, 0);
}

/** Adds slices of `x` into zeros of `shape` at the indices along `axis` (the transpose of take). */
export const scatterAddP: Primitive<{ axis: number; shape: readonly number[] }> = definePrimitive<{ axis: number; shape: readonly number[] }>({
  name: "scatterAdd",
  abstract: ([x, idx], p) => {
    checkIndices("scatterAdd", idx!);
    const expect = [...p.shape.slice(0, p.axis), ...idx!.shape, ...p.shape.slice(p.axis + 1)];
    if (!sameShape(expect, x!.shape)) throw new ShapeError("scatterAdd", `updates do not match the indexed shape`, [x!.shape, expect]);
    return { shape: p.shape, dtype: x!.dtype, names: noNames(p.shape.length) };
  },
  impl: ([x, idx], p, out, mem) => {
    const s = p.shape;
    const outer = sizeOf(s.slice(0, p.axis));
    const n = s[p.axis]!;
    const inner = sizeOf(s.slice(p.axis + 1));
    const ix = idx!.data;
    const k = ix.length;
    const data = mem.take(out.dtype, sizeOf(s), true);
    const src = x!.data;
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < k; j++) {
        const v = ix[j]!;
        const to = (o * n + (v < 0 ? v + n : v)) * inner;
        const from = (o * k + j) * inner;
        for (let i = 0; i < inner; i++) data[to + i]! += src[from + i]!;
      }
    return data;
  },
  jvp: ([, idx], [t], _o, p) => (t == null ? null : scatterAdd(t, idx!, p.axis, p.shape)),
  vjp: (ct, [, idx], _o, p) => [take(ct, idx!, p.axis), null],
  vmap: ([x, idx], batched, p, n) => {
    if (!batched[1]) return scatterAdd(x!, idx!, p.axis + 1, [n, ...p.shape]);
    return vmapByLoop(scatterAddP, [x!, idx!], batched, p, n);
  },
});
/** Raw scatter-add. */
export const scatterAdd = (x: TensorImpl, idx: TensorImpl, axis: number, shape: readonly number[]): TensorImpl =>
  bind(scatterAddP, [x, idx], { axis, shape });

// ---------------------------------------------------------------- stopGradient

/** Identity whose derivative is zero in every mode. */
export const stopGradientP = definePrimitive<null>({
  name: "stopGradient",
  abstract: ([x]) => x!,
  impl: ([x]) => x!.data,
  jvp: () => null,
  vjp: () => [null],
  vmap: ([x]) => stopGradient(x!),
});
/** Raw stopGradient. */
export const stopGradient = (x: TensorImpl): TensorImpl => bind(stopGradientP, [x], null);

// ---------------------------------------------------------------- index checks

interface CheckIndexParams {
  readonly op: string;
  readonly lo: number;
  readonly hi: number;
  readonly ignore: number | null;
}

/**
 * Identity on int32 indices that throws when one lies outside `[lo, hi)` (other than `ignore`). A
 * primitive so the check also runs in programs staged by `jit`, where values are unknown at staging.
 */
export const checkIndexP: Primitive<CheckIndexParams> = definePrimitive<CheckIndexParams>({
  name: "checkIndex",
  abstract: ([x], p) => {
    checkIndices(p.op, x!);
    return x!;
  },
  impl: ([x], p) => {
    const d = x!.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (v !== p.ignore && (v < p.lo || v >= p.hi))
        throw new ShapeError(p.op, `index ${v} is out of range [${p.lo}, ${p.hi}) (at flat position ${i})`, [x!.shape]);
    }
    return d;
  },
  jvp: () => null,
  vjp: () => [null],
  vmap: ([x], _b, p) => bind(checkIndexP, [x!], p),
});
/** Raw index check. */
export const checkIndex = (x: TensorImpl, op: string, lo: number, hi: number, ignore: number | null = null): TensorImpl =>
  bind(checkIndexP, [x], { op, lo, hi, ignore });
