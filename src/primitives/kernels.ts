/**
 * Plain TypeScript kernels for elementwise maps and reductions.
 *
 * Each elementwise primitive gives its scalar formula as a short expression string; it is compiled once
 * into a specialised loop with `new Function`, so every primitive has its own monomorphic hot loop
 * (a shared loop calling a per-op closure is several times slower in V8).
 */
import { FRESH, type DType, type Storage, type StorageSource } from "../tensor/dtype.js";
import { stridesOf } from "../shape/runtime.js";

type UnaryLoop = (x: Storage, out: Storage, n: number) => void;

/** Scalar helpers visible to expressions as `H.name(...)`. */
export const H = {
  erf(x: number): number {
    // Series for small |x|, Lentz's continued fraction for erfc beyond: accurate to ~1e-15 in float64.
    const ax = Math.abs(x);
    if (ax < 2.5) {
      let term = x;
      let sum = x;
      const x2 = x * x;
      for (let n = 1; n < 200; n++) {
        term *= -x2 / n;
        const add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
      }
      return (2 / Math.sqrt(Math.PI)) * sum;
    }
    if (ax > 6) return Math.sign(x);
    // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
    let f = ax;
    let c = ax;
    let d = 0;
    for (let i = 1; i < 300; i++) {
      const an = i / 2;
      d = ax + an * d;
      d = d === 0 ? 1e-300 : 1 / d;
      c = ax + an / c;
      if (c === 0) c = 1e-300;
      const delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
    return Math.sign(x) * (1 - erfc);
  },
};
type BinaryLoop = (a: Storage, b: Storage, out: Storage, n: number, ia: number, sa: number, ib: number, sb: number, io: number) => void;
type TernaryLoop = (c: Storage, a: Storage, b: Storage, out: Storage, n: number, ic: number, sc: number, ia: number, sa: number, ib: number, sb: number, io: number) => void;

const unaryCache = new Map<string, UnaryLoop>();
const binaryCache = new Map<string, BinaryLoop>();
type FlatLoop = (x: Storage, y: Storage, out: Storage, n: number) => void;
const flatCache = new Map<string, FlatLoop>();

/**
 * Compiles (once) a contiguous loop for the common layouts: both operands full ("vv"), `b` a scalar
 * ("vs") or `a` a scalar ("sv"). Without strides in the loop V8 generates much tighter code.
 */
function flatLoop(expr: string, layout: "vv" | "vs" | "sv"): FlatLoop {
  const key = `${layout}:${expr}`;
  let f = flatCache.get(key);
  if (f === undefined) {
    const load = layout === "vv" ? "const a = x[i]; const b = y[i];" : layout === "vs" ? "const a = x[i];" : "const b = y[i];";
    const pre = layout === "vs" ? "const b = y[0];" : layout === "sv" ? "const a = x[0];" : "";
    f = new Function("H", `return function ${kname(layout, expr)}(x, y, out, n) { ${pre} for (let i = 0; i < n; i++) { ${load} out[i] = ${expr}; } }`)(H) as FlatLoop;
    flatCache.set(key, f);
  }
  return f;
}

/** Compiles (once) a loop applying the expression in `a` to every element. */
export function unaryLoop(expr: string): UnaryLoop {
  let f = unaryCache.get(expr);
  if (f === undefined) {
    f = new Function("H", `return function ${kname("u", expr)}(x, out, n) { for (let i = 0; i < n; i++) { const a = x[i]; out[i] = ${expr}; } }`)(H) as UnaryLoop;
    unaryCache.set(expr, f);
  }
  return f;
}

/** Compiles (once) a strided loop applying the expression in `a` and `b`. */
export function binaryLoop(expr: string): BinaryLoop {
  let f = binaryCache.get(expr);
  if (f === undefined) {
    f = new Function(
      "H",
      `return function ${kname("b", expr)}(x, y, out, n, ia, sa, ib, sb, io) { for (let i = 0; i < n; i++) { const a = x[ia]; const b = y[ib]; out[io + i] = ${expr}; ia += sa; ib += sb; } }`,
    )(H) as BinaryLoop;
    binaryCache.set(expr, f);
  }
  return f;
}

/** A readable function name for a generated kernel (shows up in CPU profiles). */
const kname = (prefix: string, expr: string): string => `${prefix}_${expr.replace(/[^A-Za-z0-9]+/g, "_").slice(0, 40)}`;

const selectLoop: TernaryLoop = (c, a, b, out, n, ic, sc, ia, sa, ib, sb, io) => {
  for (let i = 0; i < n; i++) {
    out[io + i] = c[ic] ? a[ia]! : b[ib]!;
    ic += sc;
    ia += sa;
    ib += sb;
  }
};

/** Strides of an input broadcast to `outShape` (0 along broadcast axes), right-aligned as in NumPy. */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const s = stridesOf(inShape);
  const r = outShape.length;
  const off = r - inShape.length;
  const out = new Array<number>(r).fill(0);
  for (let i = 0; i < inShape.length; i++) out[off + i] = inShape[i] === 1 ? 0 : s[i]!;
  return out;
}

/**
 * Walks every row (last axis) of `outShape`, giving the starting offsets of each input;
 * `inner(offsets, outOffset)` processes one row of length `outShape[last]`.
 */
function forEachRow(outShape: readonly number[], strides: readonly (readonly number[])[], inner: (offs: number[], io: number) => void): void {
  const r = outShape.length;
  const k = strides.length;
  const offs = new Array<number>(k).fill(0);
  if (r <= 1) {
    inner(offs, 0);
    return;
  }
  const rowLen = outShape[r - 1]!;
  const idx = new Array<number>(r - 1).fill(0);
  let rows = 1;
  for (let i = 0; i < r - 1; i++) rows *= outShape[i]!;
  if (rowLen === 0) return;
  for (let row = 0; row < rows; row++) {
    inner(offs, row * rowLen);
    for (let d = r - 2; d >= 0; d--) {
      idx[d]!++;
      for (let j = 0; j < k; j++) offs[j]! += strides[j]![d]!;
      if (idx[d]! < outShape[d]!) break;
      for (let j = 0; j < k; j++) offs[j]! -= strides[j]![d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}

/** Applies a unary expression elementwise. */
export function mapUnary(expr: string, x: Storage, dtype: DType, mem: StorageSource = FRESH): Storage {
  const out = mem.take(dtype, x.length, false);
  unaryLoop(expr)(x, out, x.length);
  return out;
}

/** Applies a binary expression with NumPy broadcasting. */
export function mapBinary(
  expr: string, a: Storage, aShape: readonly number[], b: Storage, bShape: readonly number[], outShape: readonly number[], dtype: DType,
  mem: StorageSource = FRESH,
): Storage {
  let n = 1;
  for (const d of outShape) n *= d;
  const out = mem.take(dtype, n, false);
  if (a.length === n && b.length === n) flatLoop(expr, "vv")(a, b, out, n);
  else if (b.length === 1 && a.length === n) flatLoop(expr, "vs")(a, b, out, n);
  else if (a.length === 1 && b.length === n) flatLoop(expr, "sv")(a, b, out, n);
  else {
    const loop = binaryLoop(expr);
    const sa = broadcastStrides(aShape, outShape);
    const sb = broadcastStrides(bShape, outShape);
    const r = outShape.length;
    const rowLen = r === 0 ? 1 : outShape[r - 1]!;
    const la = r === 0 ? 0 : sa[r - 1]!;
    const lb = r === 0 ? 0 : sb[r - 1]!;
    forEachRow(outShape, [sa, sb], (offs, io) => loop(a, b, out, rowLen, offs[0]!, la, offs[1]!, lb, io));
  }
  return out;
}

/** `where(c, a, b)` with broadcasting of all three. */
export function mapSelect(
  c: Storage, cShape: readonly number[], a: Storage, aShape: readonly number[], b: Storage, bShape: readonly number[],
  outShape: readonly number[], dtype: DType, mem: StorageSource = FRESH,
): Storage {
  let n = 1;
  for (const d of outShape) n *= d;
  const out = mem.take(dtype, n, false);
  if (c.length === n && a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = c[i] ? a[i]! : b[i]!;
    return out;
  }
  if (c.length === n && a.length === n && b.length === 1) {
    const bv = b[0]!;
    for (let i = 0; i < n; i++) out[i] = c[i] ? a[i]! : bv;
    return out;
  }
  const sc = broadcastStrides(cShape, outShape);
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const r = outShape.length;
  const rowLen = r === 0 ? 1 : outShape[r - 1]!;
  const last = (s: number[]): number => (r === 0 ? 0 : s[r - 1]!);
  forEachRow(outShape, [sc, sa, sb], (offs, io) =>
    selectLoop(c, a, b, out, rowLen, offs[0]!, last(sc), offs[1]!, last(sa), offs[2]!, last(sb), io),
  );
  return out;
}

/** Copies `x` (of `shape`) into a new buffer of `outShape` by broadcasting. */
export function broadcastCopy(x: Storage, shape: readonly number[], outShape: readonly number[], dtype: DType, mem: StorageSource = FRESH): Storage {
  let n = 1;
  for (const d of outShape) n *= d;
  const out = mem.take(dtype, n, false);
  const s = broadcastStrides(shape, outShape);
  const r = outShape.length;
  const rowLen = r === 0 ? 1 : outShape[r - 1]!;
  const step = r === 0 ? 0 : s[r - 1]!;
  forEachRow(outShape, [s], (offs, io) => {
    let ia = offs[0]!;
    if (step === 1) out.set(x.subarray(ia, ia + rowLen), io);
    else for (let i = 0; i < rowLen; i++, ia += step) out[io + i] = x[ia]!;
  });
  return out;
}

/**
 * Splits a shape around a set of reduced axes. Reductions first move the reduced axes last
 * (a transpose copy when they are not already last) and then reduce contiguous runs.
 */
export function reductionPlan(shape: readonly number[], axes: readonly number[]): { perm: number[] | null; outer: number; inner: number } {
  const keep = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...keep, ...axes];
  const identity = perm.every((p, i) => p === i);
  let outer = 1;
  for (const i of keep) outer *= shape[i]!;
  let inner = 1;
  for (const i of axes) inner *= shape[i]!;
  return { perm: identity ? null : perm, outer, inner };
}

/** Permutes the axes of a buffer (a copy). */
export function permuteCopy(x: Storage, shape: readonly number[], perm: readonly number[], dtype: DType, mem: StorageSource = FRESH): Storage {
  const r = shape.length;
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = stridesOf(shape);
  const strides = perm.map((p) => inStrides[p]!);
  let n = 1;
  for (const d of shape) n *= d;
  const out = mem.take(dtype, n, false);
  if (r === 2 && perm[0] === 1) {
    // Blocked 2-D transpose: stays in cache for big matrices.
    const rows = shape[0]!;
    const cols = shape[1]!;
    const B = 32;
    for (let i0 = 0; i0 < rows; i0 += B)
      for (let j0 = 0; j0 < cols; j0 += B) {
        const i1 = Math.min(i0 + B, rows);
        const j1 = Math.min(j0 + B, cols);
        for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * rows + i] = x[i * cols + j]!;
      }
    return out;
  }
  const rowLen = r === 0 ? 1 : outShape[r - 1]!;
  const step = r === 0 ? 0 : strides[r - 1]!;
  forEachRow(outShape, [strides], (offs, io) => {
    let ia = offs[0]!;
    for (let i = 0; i < rowLen; i++, ia += step) out[io + i] = x[ia]!;
  });
  return out;
}
