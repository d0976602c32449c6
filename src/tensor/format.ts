/** PyTorch-style printing and nested-array conversion. */
import type { Storage } from "./dtype.js";
import type { Concrete } from "./tensor.js";

/** Nested arrays of a scalar type, as produced by `toArray()`. */
export type Nested<T> = T | Nested<T>[];

/** Converts flat row-major data to nested arrays. */
export function toNested(data: Storage, shape: readonly number[], bool: boolean): Nested<number | boolean> {
  const conv = (v: number): number | boolean => (bool ? v !== 0 : v);
  if (shape.length === 0) return conv(data[0]!);
  const rec = (dim: number, offset: number, stride: number): Nested<number | boolean> => {
    const n = shape[dim]!;
    const inner = stride / n;
    const out: Nested<number | boolean>[] = [];
    for (let i = 0; i < n; i++) {
      out.push(dim === shape.length - 1 ? conv(data[offset + i]!) : rec(dim + 1, offset + i * inner, inner));
    }
    return out;
  };
  let size = 1;
  for (const d of shape) size *= d;
  return rec(0, 0, size);
}

const THRESHOLD = 1000;
const EDGE = 3;

function makeFormatter(t: Concrete): (v: number) => string {
  if (t.dtype === "bool") return (v) => (v ? "True" : "False");
  if (t.dtype === "int32") return (v) => String(v);
  let maxAbs = 0;
  let minAbs = Infinity;
  let allInt = true;
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i]!;
    if (!Number.isFinite(v)) continue;
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a !== 0 && a < minAbs) minAbs = a;
    if (!Number.isInteger(v)) allInt = false;
  }
  const sci = maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Infinity) || (minAbs !== Infinity && maxAbs / minAbs > 1000 && !allInt);
  const special = (v: number): string | undefined =>
    Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : undefined;
  if (sci) return (v) => special(v) ?? v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
  if (allInt) return (v) => special(v) ?? `${v.toFixed(0)}.`;
  return (v) => special(v) ?? v.toFixed(4);
}

/** Formats a concrete tensor like PyTorch, with its shape and dtype appended. */
export function formatTensor(t: Concrete): string {
  const fmt = makeFormatter(t);
  const summarize = t.size > THRESHOLD;
  const shape = t.shape;
  const cells: string[] = [];
  const strides: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i]!;
  }
  for (let i = 0; i < t.data.length; i++) cells.push(fmt(t.data[i]!));
  const width = cells.reduce((w, c) => Math.max(w, c.length), 0);
  const pad = (s: string): string => s.padStart(width);
  const indices = (n: number): (number | null)[] =>
    summarize && n > 2 * EDGE
      ? [...Array.from({ length: EDGE }, (_, i) => i), null, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)]
      : Array.from({ length: n }, (_, i) => i);
  const rec = (dim: number, offset: number, indent: number): string => {
    if (dim === shape.length) return pad(cells[offset]!);
    const parts = indices(shape[dim]!).map((i) => (i === null ? "..." : rec(dim + 1, offset + i * strides[dim]!, indent + 1)));
    if (dim === shape.length - 1) return `[${parts.join(", ")}]`;
    const sep = `,${"\n".repeat(shape.length - dim - 1)}${" ".repeat(indent + 1)}`;
    return `[${parts.join(sep)}]`;
  };
  const body = shape.length === 0 ? cells[0]! : rec(0, 0, "tensor(".length);
  return `tensor(${body}, shape=[${shape.join(", ")}], dtype=${t.dtype})`;
}
