/** Matrix products: `matmul` (NumPy semantics, batched, rank-1 operands allowed) and `einsum`. */
import { ShapeError } from "../errors.js";
import type { EinsumError, EinsumShape, ErrorIf, MatmulError, MatmulShape, Shape } from "../shape/types.js";
import type { DType } from "../tensor/dtype.js";
import { typed, type Tensor, type TensorImpl } from "../tensor/tensor.js";
import { matmul as rawMatmul } from "../primitives/matmul.js";
import { reshape, transpose } from "../primitives/structure.js";
import { sum } from "../primitives/reduce.js";
import { mul } from "../primitives/elementwise.js";
import { operand } from "./util.js";

/** Matrix product with NumPy semantics; curried `pipe(x, matmul(w))` is `matmul(x, w)`. */
export interface MatmulOp {
  <A extends Shape, B extends Shape, D extends DType>(a: Tensor<A, D>, b: ErrorIf<MatmulError<A, B>, Tensor<B, D>>): Tensor<MatmulShape<A, B>, D>;
  <B extends Shape, D extends DType>(b: Tensor<B, D>): <A extends Shape>(a: ErrorIf<MatmulError<A, B>, Tensor<A, D>>) => Tensor<MatmulShape<A, B>, D>;
}

/** Run-time matmul with NumPy's handling of rank-1 operands. */
export function matmulRaw(a: TensorImpl, b: TensorImpl): TensorImpl {
  if (a.shape.length === 0 || b.shape.length === 0) throw new ShapeError("matmul", "operands must have rank ≥ 1", [a.shape, b.shape]);
  const a2 = a.shape.length === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const b2 = b.shape.length === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  const out = rawMatmul(a2, b2);
  if (a.shape.length > 1 && b.shape.length > 1) return out;
  const s = out.shape.slice();
  if (b.shape.length === 1) s.splice(s.length - 1, 1);
  if (a.shape.length === 1) s.splice(s.length - (b.shape.length === 1 ? 1 : 2), 1);
  return reshape(out, s);
}

/**
 * Matrix product (batched over leading dims, which broadcast).
 *
 * @function
 *
 * @example
 * ```ts
 * const x: Tensor<[2, 3]> = tensor([[1, 2, 3], [4, 5, 6]]);
 * const w: Tensor<[3, 4]> = ones("3 4");
 * const y: Tensor<[2, 4]> = matmul(x, w);
 * const piped: Tensor<[2, 4]> = pipe(x, matmul(w));
 * const batched: Tensor<[8, 2, 4]> = matmul(zeros("8 2 3"), w);
 * // matmul(x, zeros("4 2"))  ← does not compile: "matmul: inner dimensions 3 and 4 differ"
 * ```
 */
export const matmul: MatmulOp = ((a: Tensor<any, any>, b?: Tensor<any, any>) =>
  b === undefined ? (x: Tensor<any, any>) => typed(matmulRaw(operand(x), operand(a))) : typed(matmulRaw(operand(a), operand(b)))) as MatmulOp;

type ShapesOf<T extends readonly Tensor<any, any>[]> = { readonly [K in keyof T]: T[K] extends Tensor<infer S extends Shape, any> ? S : never };

/**
 * Einstein summation: `einsum("bi,ij->bj", x, w)`. The spec is checked against the operands' ranks
 * and shared dims at compile time. Without `->`, the output is the letters used once, sorted.
 *
 * @example
 * ```ts
 * const y: Tensor<[2, 4]> = einsum("bi,ij->bj", zeros("2 3"), zeros("3 4"));
 * const inner: Tensor<[]> = einsum("ij,ij->", ones("2 3"), ones("2 3")); // 6
 * ```
 */
export function einsum<const Spec extends string, const Ops extends readonly Tensor<any, any>[]>(
  spec: ErrorIf<EinsumError<Spec, ShapesOf<Ops>>, Spec>, ...operands: Ops
): Tensor<EinsumShape<Spec, ShapesOf<Ops>>, Ops[0] extends Tensor<any, infer D> ? D : "float32"> {
  return typed(einsumRaw(spec as string, operands.map((o) => operand(o))));
}

/** Parses an einsum spec and checks it against run-time shapes. */
function parseEinsum(spec: string, shapes: readonly (readonly number[])[]): { inputs: string[]; output: string; sizes: Map<string, number> } {
  const s = spec.replace(/\s+/g, "");
  const [lhs, rhs] = s.split("->") as [string, string | undefined];
  const inputs = lhs.split(",");
  if (inputs.length !== shapes.length) throw new ShapeError("einsum", `spec "${spec}" has ${inputs.length} operands but ${shapes.length} were given`);
  const sizes = new Map<string, number>();
  const counts = new Map<string, number>();
  inputs.forEach((sub, k) => {
    if (!/^[A-Za-z]*$/.test(sub)) throw new ShapeError("einsum", `subscripts '${sub}' must be letters`);
    const shape = shapes[k]!;
    if (sub.length !== shape.length) throw new ShapeError("einsum", `subscripts '${sub}' have ${sub.length} letters but operand ${k} has rank ${shape.length}`, [shape]);
    if (new Set(sub).size !== sub.length) throw new ShapeError("einsum", `repeated index within operand ${k} ('${sub}') is not supported`);
    [...sub].forEach((ch, i) => {
      const d = shape[i]!;
      const prev = sizes.get(ch);
      if (prev !== undefined && prev !== d) throw new ShapeError("einsum", `index '${ch}' is ${prev} in an earlier operand but ${d} in operand ${k}`, [...shapes]);
      sizes.set(ch, d);
      counts.set(ch, (counts.get(ch) ?? 0) + 1);
    });
  });
  const output = rhs ?? [...counts.keys()].filter((c) => counts.get(c) === 1).sort().join("");
  for (const ch of output) if (!sizes.has(ch)) throw new ShapeError("einsum", `output index '${ch}' does not appear in any input`);
  if (new Set(output).size !== output.length) throw new ShapeError("einsum", `output '${output}' repeats an index`);
  return { inputs, output, sizes };
}

/** Run-time einsum: pairwise contractions lowered to transposes, reshapes and batched matmuls. */
export function einsumRaw(spec: string, ops: readonly TensorImpl[]): TensorImpl {
  const { inputs, output } = parseEinsum(spec, ops.map((o) => o.shape));
  let cur = ops[0]!;
  let curSub = inputs[0]!;
  // Letters needed after step k: in the output or in a later operand.
  const neededAfter = (k: number): Set<string> => new Set([...output, ...inputs.slice(k + 1).join("")]);
  cur = sumOut(cur, curSub, neededAfter(0), (s) => (curSub = s));
  for (let k = 1; k < ops.length; k++) {
    let b = ops[k]!;
    let bSub = inputs[k]!;
    const keep = neededAfter(k);
    // Letters only in b and not needed later can be summed right away.
    b = sumOut(b, bSub, new Set([...keep, ...curSub]), (s) => (bSub = s));
    cur = sumOut(cur, curSub, new Set([...keep, ...bSub]), (s) => (curSub = s));
    const batch = [...curSub].filter((c) => bSub.includes(c) && keep.has(c));
    const contract = [...curSub].filter((c) => bSub.includes(c) && !keep.has(c));
    const left = [...curSub].filter((c) => !bSub.includes(c));
    const right = [...bSub].filter((c) => !curSub.includes(c));
    const size = (t: TensorImpl, sub: string, cs: string[]): number => cs.reduce((p, c) => p * t.shape[sub.indexOf(c)]!, 1);
    const dims = (t: TensorImpl, sub: string, cs: string[]): number[] => cs.map((c) => t.shape[sub.indexOf(c)]!);
    const pa = transpose(cur, [...batch, ...left, ...contract].map((c) => curSub.indexOf(c)));
    const pb = transpose(b, [...batch, ...contract, ...right].map((c) => bSub.indexOf(c)));
    const nb = size(cur, curSub, batch);
    const ml = size(cur, curSub, left);
    const kc = size(cur, curSub, contract);
    const nr = size(b, bSub, right);
    let prod: TensorImpl;
    if (contract.length === 0 && (left.length === 0 || right.length === 0)) {
      // An outer or elementwise product: broadcasting multiply is cheaper than a degenerate matmul.
      prod = mul(reshape(pa, [nb, ml, 1]), reshape(pb, [nb, 1, nr]));
    } else prod = rawMatmul(reshape(pa, [nb, ml, kc]), reshape(pb, [nb, kc, nr]));
    const outDims = [...dims(cur, curSub, batch), ...dims(cur, curSub, left), ...dims(b, bSub, right)];
    cur = reshape(prod, outDims);
    curSub = [...batch, ...left, ...right].join("");
  }
  cur = sumOut(cur, curSub, new Set(output), (s) => (curSub = s));
  return transpose(cur, [...output].map((c) => curSub.indexOf(c)));
}

function sumOut(t: TensorImpl, sub: string, keep: Set<string>, setSub: (s: string) => void): TensorImpl {
  const axes = [...sub].map((c, i) => (keep.has(c) ? -1 : i)).filter((i) => i >= 0);
  if (axes.length === 0) return t;
  setSub([...sub].filter((c) => keep.has(c)).join(""));
  return sum(t, axes, false);
}
