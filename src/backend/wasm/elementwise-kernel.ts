/**
 * Generates a float32 elementwise kernel: a small program of lane-wise operations over broadcasting
 * operands (a fused chain staged by `jit`, or one eager op), evaluated four lanes at a time with f32x4.
 *
 * Every operation reproduces the TypeScript formula of its primitive bit for bit: the arithmetic ones are
 * correctly rounded in both, and the selecting ones (relu, maximum, sign, where) are written with the same
 * comparisons, so NaN and signed zeros come out as in the reference loops.
 */
import { encodeModule, func, i32, v128, type Emitter } from "./encoder.js";

/** Operations a kernel can evaluate (comparisons yield 0/1 values, or masks when they feed `where`). */
export type SimdOp =
  | "add" | "sub" | "mul" | "div" | "neg" | "abs" | "sqrt" | "floor" | "sign" | "relu" | "maximum" | "minimum"
  | "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "where";

/**
 * How an operand is read at flat output index `i`: `full` x[i], `scalar` x[0], `mod` x[i % m] (a row
 * broadcast down the leading axes, like a bias), `div` x[⌊i / m⌋] (a column broadcast along trailing axes).
 */
export type EwAccess =
  | { readonly mode: "full" }
  | { readonly mode: "scalar" }
  | { readonly mode: "mod"; readonly m: number }
  | { readonly mode: "div"; readonly m: number };

/** An operand of a node: a program input or an earlier node. */
export type EwArg = { readonly kind: "in"; readonly index: number } | { readonly kind: "node"; readonly index: number };

/** One operation of a program. */
export interface EwNode {
  readonly op: SimdOp;
  readonly args: readonly EwArg[];
}

/** A kernel's work: `total` output elements, the inputs' access modes, the nodes, the nodes stored as outputs. */
export interface EwProgram {
  readonly total: number;
  readonly inputs: readonly EwAccess[];
  readonly nodes: readonly EwNode[];
  readonly outputs: readonly number[];
}

/** Byte addresses of a program's buffers. */
export interface EwLayout {
  readonly offIn: readonly number[];
  readonly offOut: readonly number[];
  readonly bytes: number;
}

const ARITY: Readonly<Record<SimdOp, number>> = {
  add: 2, sub: 2, mul: 2, div: 2, neg: 1, abs: 1, sqrt: 1, floor: 1, sign: 1, relu: 1, maximum: 2, minimum: 2,
  eq: 2, ne: 2, lt: 2, le: 2, gt: 2, ge: 2, where: 3,
};
const COMPARE = new Set<SimdOp>(["eq", "ne", "lt", "le", "gt", "ge"]);

/** Floats an input buffer holds. */
function inputLength(a: EwAccess, total: number): number {
  return a.mode === "full" ? total : a.mode === "scalar" ? 1 : a.mode === "mod" ? a.m : Math.ceil(total / a.m);
}

/**
 * Whether a program can be generated: `mod`/`div` periods must be multiples of four (a vector never
 * straddles a period), operands must exist and come before their use, arities must match.
 */
export function ewSupported(p: EwProgram): boolean {
  if (!(p.total >= 1) || p.outputs.length === 0) return false;
  for (const a of p.inputs) if ((a.mode === "mod" || a.mode === "div") && (a.m % 4 !== 0 || a.m < 4 || p.total % a.m !== 0)) return false;
  return (
    p.nodes.every((n, k) => n.args.length === ARITY[n.op] && n.args.every((a) => (a.kind === "in" ? a.index < p.inputs.length : a.index < k))) &&
    p.outputs.every((o) => o >= 0 && o < p.nodes.length && !COMPARE.has(p.nodes[o]!.op))
  );
}

const align64 = (x: number): number => Math.ceil(x / 64) * 64;

/** Lays out inputs then outputs from `base`, each with room for a last partial vector. */
export function ewLayout(p: EwProgram, base = 64): EwLayout {
  let at = align64(base);
  const take = (floats: number): number => {
    const addr = at;
    at = align64(at + floats * 4 + 16);
    return addr;
  };
  const offIn = p.inputs.map((a) => take(inputLength(a, p.total)));
  const offOut = p.outputs.map(() => take(p.total));
  return { offIn, offOut, bytes: at };
}

/** Generates the module exporting `run()`, with every address and count baked in. */
export function ewModuleBytes(p: EwProgram, L: EwLayout, shared: boolean, maxPages: number): Uint8Array {
  if (!ewSupported(p)) throw new RangeError("unsupported elementwise program");
  const f = func([], [], "run");
  const c = f.code;
  const pos = f.local(i32);
  const inLocal = p.inputs.map(() => f.local(v128));
  // mod: [byte offset in the row]; div: [byte address of the current element, lanes done in its period, wrapped?].
  const counters = p.inputs.map((a) => (a.mode === "mod" ? [f.local(i32)] : a.mode === "div" ? [f.local(i32), f.local(i32), f.local(i32)] : []));
  const nodeLocal = p.nodes.map(() => f.local(v128));
  const [zero, one, minusOne] = [f.local(v128), f.local(v128), f.local(v128)];
  c.v128ConstF32(0, 0, 0, 0).set(zero).v128ConstF32(1, 1, 1, 1).set(one).v128ConstF32(-1, -1, -1, -1).set(minusOne);
  // Scalars are splatted once; counters start at 0 (locals are zero-initialised).
  p.inputs.forEach((a, i) => {
    if (a.mode === "scalar") c.i32Const(0).v128Load32Splat(L.offIn[i]!).set(inLocal[i]!);
  });

  const isMask = (a: EwArg): boolean => a.kind === "node" && COMPARE.has(p.nodes[a.index]!.op);
  const local = (a: EwArg): number => (a.kind === "in" ? inLocal[a.index]! : nodeLocal[a.index]!);
  // The 0/1 value of a comparison, or the operand itself.
  const val = (a: EwArg): Emitter => (isMask(a) ? c.get(local(a)).get(one).v128("and") : c.get(local(a)));
  // A lane mask: true where the operand is truthy (non-zero and not NaN, as in JavaScript).
  const mask = (a: EwArg): Emitter => {
    if (isMask(a)) return c.get(local(a));
    val(a).get(zero).f32x4("ne");
    return val(a).get(local(a)).f32x4("eq").v128("and");
  };

  const nvec = Math.ceil(p.total / 4);
  c.loop();
  p.inputs.forEach((a, i) => {
    if (a.mode === "full") c.get(pos).v128Load(L.offIn[i]!).set(inLocal[i]!);
    else if (a.mode === "mod") c.get(counters[i]![0]!).v128Load(L.offIn[i]!).set(inLocal[i]!);
    else if (a.mode === "div") c.get(counters[i]![0]!).v128Load32Splat(L.offIn[i]!).set(inLocal[i]!);
  });
  p.nodes.forEach((n, k) => {
    const [x, y, z] = n.args as [EwArg, EwArg, EwArg];
    switch (n.op) {
      case "add": case "sub": case "mul": case "div":
        val(x), val(y), c.f32x4(n.op);
        break;
      case "neg": case "abs": case "sqrt": case "floor":
        val(x), c.f32x4(n.op);
        break;
      case "relu": // a > 0 ? a : (a === a ? 0 : a)
        val(x).get(zero);
        val(x).get(zero).f32x4("gt");
        val(x), val(x), c.f32x4("ne").v128("or").v128("bitselect");
        break;
      case "sign": // a > 0 ? 1 : a < 0 ? -1 : a
        c.get(one).get(minusOne);
        val(x);
        val(x).get(zero).f32x4("lt").v128("bitselect");
        val(x).get(zero).f32x4("gt").v128("bitselect");
        break;
      case "maximum": case "minimum": // (a > b || a !== a) ? a : b, and with < for minimum
        val(x), val(y);
        val(x), val(y), c.f32x4(n.op === "maximum" ? "gt" : "lt");
        val(x), val(x), c.f32x4("ne").v128("or").v128("bitselect");
        break;
      case "where": // c ? a : b
        val(y), val(z), mask(x), c.v128("bitselect");
        break;
      default: // comparisons, kept as masks
        val(x), val(y), c.f32x4(n.op);
    }
    c.set(nodeLocal[k]!);
  });
  p.outputs.forEach((o, k) => c.get(pos).get(nodeLocal[o]!).v128Store(L.offOut[k]!));
  // Advance: a row operand wraps to its start every m lanes; a column operand steps once per m lanes.
  p.inputs.forEach((a, i) => {
    if (a.mode === "mod") {
      const q = counters[i]![0]!;
      c.i32Const(0).get(q).i32Const(16).i32("add").tee(q).get(q).i32Const(a.m * 4).i32("eq").select().set(q);
    } else if (a.mode === "div") {
      const [r, cnt, w] = counters[i] as [number, number, number];
      c.get(cnt).i32Const(4).i32("add").tee(cnt).i32Const(a.m).i32("eq").set(w);
      c.get(r).get(w).i32Const(2).i32("shl").i32("add").set(r);
      c.i32Const(0).get(cnt).get(w).select().set(cnt);
    }
  });
  c.get(pos).i32Const(16).i32("add").tee(pos).i32Const(nvec * 16).i32("ne").brIf(0);
  c.end();
  return encodeModule({ minPages: 1, maxPages, shared }, [f.build()]);
}
