/**
 * Matrix multiplication as one primitive, with transpose flags so that the three forms of training
 * (`X·W`, `dY·Wᵀ`, `Xᵀ·dY`) reach the kernel without a transposing copy. Operands have rank ≥ 2;
 * leading (batch) dims broadcast. Rank-1 operands are handled by the composite `matmul` in `ops/`.
 */
import { DTypeError, ShapeError } from "../errors.js";
import { broadcastShapes, sizeOf, stridesOf } from "../shape/runtime.js";
import { promote, isFloat, type Storage, type StorageSource } from "../tensor/dtype.js";
import type { Concrete, TensorImpl } from "../tensor/tensor.js";
import { bind } from "../core/trace.js";
import { definePrimitive, type Primitive } from "../core/primitive.js";
import { broadcastStrides } from "./kernels.js";
import { logicalRank } from "./util.js";
import { reshape, sumTo } from "./structure.js";
import { add, cast } from "./elementwise.js";
import { gemm } from "./gemm.js";

/** Whether each operand is used transposed (its last two dims swapped). */
export interface MatmulParams {
  readonly transA: boolean;
  readonly transB: boolean;
}

const rows = (s: readonly number[], t: boolean): number => s[s.length - (t ? 1 : 2)]!;
const cols = (s: readonly number[], t: boolean): number => s[s.length - (t ? 2 : 1)]!;

/** `op(a)·op(b)` over broadcast batch dims. */
export const matmulP: Primitive<MatmulParams> = definePrimitive<MatmulParams>({
  name: "matmul",
  abstract: ([a, b], p) => {
    const sa = a!.shape;
    const sb = b!.shape;
    if (sa.length < 2 || sb.length < 2) throw new ShapeError("matmul", `operands must have rank ≥ 2 here`, [sa, sb]);
    if (a!.dtype === "bool" || b!.dtype === "bool") throw new DTypeError("matmul", "does not accept bool tensors");
    const k1 = cols(sa, p.transA);
    const k2 = rows(sb, p.transB);
    if (k1 !== k2) throw new ShapeError("matmul", `inner dimensions ${k1} and ${k2} differ`, [sa, sb]);
    const batch = broadcastShapes("matmul", sa.slice(0, -2), sb.slice(0, -2));
    const m = rows(sa, p.transA);
    const n = cols(sb, p.transB);
    const an = a!.names;
    const bn = b!.names;
    const names = [...new Array<string | null>(batch.length).fill(null), an[an.length - (p.transA ? 1 : 2)] ?? null, bn[bn.length - (p.transB ? 2 : 1)] ?? null];
    return { shape: [...batch, m, n], dtype: promote(a!.dtype, b!.dtype), names };
  },
  impl: ([a, b], p, out, mem) => matmulImpl(a!, b!, p, out.shape, out.dtype, mem),
  jvp: ([a, b], [ta, tb], _o, p) => {
    const x = ta == null ? null : matmul(ta, b!, p.transA, p.transB);
    const y = tb == null ? null : matmul(a!, tb, p.transA, p.transB);
    return x == null ? y : y == null ? x : add(x, y);
  },
  vjp: (ct, [a, b], _o, { transA, transB }, needs) => {
    // C = op(A)·op(B): d op(A) = C̄·op(B)ᵀ and d op(B) = op(A)ᵀ·C̄, each transposed back when the operand was.
    // Skipping unwanted sides matters: a first layer's input needs no gradient (a third of its backward).
    const da = needs[0] === false || !isFloat(a!.dtype) ? null : !transA ? matmul(ct, b!, false, !transB) : matmul(b!, ct, transB, true);
    const db = needs[1] === false || !isFloat(b!.dtype) ? null : !transB ? matmul(a!, ct, !transA, false) : matmul(ct, a!, true, transA);
    return [da && sumTo(cast(da, a!.dtype), a!.shape), db && sumTo(cast(db, b!.dtype), b!.shape)];
  },
  vmap: ([a, b], batched, p) => {
    // Give batched operands explicit 1-dims so that the batch axis lines up with the other's batch dims.
    const ra = logicalRank(a!, batched[0]!);
    const rb = logicalRank(b!, batched[1]!);
    const r = Math.max(ra, rb);
    const pad = (x: TensorImpl, rx: number, isB: boolean): TensorImpl => {
      if (!isB || rx === r) return x;
      const [n, ...rest] = x.shape;
      return reshape(x, [n!, ...new Array<number>(r - rx).fill(1), ...rest]);
    };
    return matmul(pad(a!, ra, batched[0]!), pad(b!, rb, batched[1]!), p.transA, p.transB);
  },
});

/** Raw matmul with transpose flags. */
export const matmul = (a: TensorImpl, b: TensorImpl, transA = false, transB = false): TensorImpl =>
  bind(matmulP, [a, b], { transA, transB });

function matmulImpl(a: Concrete, b: Concrete, p: MatmulParams, outShape: readonly number[], dtype: Concrete["dtype"], mem: StorageSource): Storage {
  const r = outShape.length;
  const m = outShape[r - 2]!;
  const n = outShape[r - 1]!;
  const k = cols(a.shape, p.transA);
  const batch = outShape.slice(0, -2);
  const nb = sizeOf(batch);
  const ad = toKernelDtype(a, dtype);
  const bd = toKernelDtype(b, dtype);
  if (nb === 1) return finish(gemm(ad, bd, m, k, n, p.transA, p.transB, dtype, mem), dtype);
  // Every batch's product is written below.
  const out = mem.take(dtype, nb * m * n, false);
  const sa = broadcastStrides(a.shape.slice(0, -2), batch);
  const sbs = broadcastStrides(b.shape.slice(0, -2), batch);
  const sizeA = m * k;
  const sizeB = k * n;
  const idx = new Array<number>(batch.length).fill(0);
  const outStrides = stridesOf(batch);
  void outStrides;
  for (let i = 0; i < nb; i++) {
    let oa = 0;
    let ob = 0;
    for (let d = 0; d < batch.length; d++) {
      oa += idx[d]! * sa[d]!;
      ob += idx[d]! * sbs[d]!;
    }
    const res = gemm(ad.subarray(oa * sizeA, (oa + 1) * sizeA), bd.subarray(ob * sizeB, (ob + 1) * sizeB), m, k, n, p.transA, p.transB, dtype);
    out.set(res, i * m * n);
    for (let d = batch.length - 1; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < batch[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** Kernels run in float32 or float64; integer matmuls go through float64 and are truncated back. */
function toKernelDtype(x: Concrete, dtype: Concrete["dtype"]): Float32Array | Float64Array {
  if (dtype === "float32") return x.data instanceof Float32Array ? x.data : Float32Array.from(x.data);
  return x.data instanceof Float64Array ? x.data : Float64Array.from(x.data);
}

function finish(res: Float32Array | Float64Array, dtype: Concrete["dtype"]): Storage {
  if (dtype === "int32") return Int32Array.from(res, (v) => Math.trunc(v));
  return res;
}
