/**
 * Elementwise primitives: unary maps, broadcasting binary maps, comparisons and `select` (where).
 * Each is one entry with its formula (compiled into a specialised loop), its derivative, and its
 * batching rule. Unary derivatives are diagonal, so one `deriv` gives both the JVP and the VJP.
 */
import { DTypeError } from "../errors.js";
import { broadcastShapes } from "../shape/runtime.js";
import { isFloat, promote, type DType, type StorageSource } from "../tensor/dtype.js";
import type { TensorImpl } from "../tensor/tensor.js";
import { bind } from "../core/trace.js";
import { definePrimitive, type ElementwiseFormula, type Linear, type Meta, type Primitive } from "../core/primitive.js";
import type { Concrete } from "../tensor/tensor.js";
import { sizeOf } from "../shape/runtime.js";
import { accessFor, elementwiseKernel, SIMD_MIN_ELEMENTS, type EwAccess, type SimdOp } from "../backend/elementwise.js";
import { mapBinary, mapSelect, mapUnary } from "./kernels.js";
import { constant, logicalRank, mergeNames, zerosLike } from "./util.js";
import { broadcastTo, reshape, sumTo } from "./structure.js";

/** A formula record: the scalar expression over `vars`, and the SIMD operation computing the same bits, if any. */
const formula = (vars: readonly string[], expr: string, simd: SimdOp | undefined): ElementwiseFormula =>
  simd === undefined ? { vars, expr } : { vars, expr, simd };

/**
 * The eager float32 fast path: one SIMD kernel over the operands (broadcast as rows, columns or scalars),
 * or null to use the TypeScript loop (other dtypes, small tensors, other broadcasts, no SIMD).
 */
function simdEager(op: SimdOp | undefined, ins: readonly Concrete[], out: Meta, mem: StorageSource): Float32Array | null {
  if (op === undefined || out.dtype !== "float32" || ins.some((x) => x.dtype !== "float32")) return null;
  const total = sizeOf(out.shape);
  if (total < SIMD_MIN_ELEMENTS) return null;
  const inputs: EwAccess[] = [];
  for (const x of ins) {
    const a = accessFor(x.shape, out.shape);
    if (a === null) return null;
    inputs.push(a);
  }
  const kernel = elementwiseKernel({ total, inputs, nodes: [{ op, args: ins.map((_, index) => ({ kind: "in", index })) }], outputs: [0] });
  return kernel === null ? null : kernel(ins.map((x) => x.data as Float32Array), mem)[0]!;
}

// ---------------------------------------------------------------- unary

type UnaryKind = "float" | "numeric" | "any";

interface UnarySpec {
  readonly name: string;
  /** The SIMD kernel operation, where there is one. */
  readonly simd?: SimdOp;
  /** Scalar formula in `a`. */
  readonly expr: string;
  /** float: ints are promoted to float32 (PyTorch); numeric: keeps int dtypes; any: bool too. */
  readonly kind: UnaryKind;
  /** dOut/dx as a tensor, or "linear" when the op is its own derivative map, or null when zero. */
  readonly deriv: ((x: TensorImpl, out: TensorImpl) => TensorImpl) | "linear" | null;
  /** Optional cheaper form of `t · deriv(x, out)` (one fewer pass over the data). */
  readonly scale?: (t: TensorImpl, x: TensorImpl, out: TensorImpl) => TensorImpl;
}

function unaryOutType(op: string, d: DType, kind: UnaryKind): DType {
  if (d === "bool" && kind !== "any") throw new DTypeError(op, `does not accept bool tensors`);
  if (kind === "float" && !isFloat(d)) return "float32";
  return d;
}

function unaryPrimitive(spec: UnarySpec): Primitive<null> {
  const apply = (x: TensorImpl): TensorImpl => bind(prim, [x], null);
  const prim: Primitive<null> = definePrimitive<null>({
    name: spec.name,
    abstract: ([x]) => ({ shape: x!.shape, dtype: unaryOutType(spec.name, x!.dtype, spec.kind), names: x!.names }),
    impl: ([x], _p, out, mem) => simdEager(spec.simd, [x!], out, mem) ?? mapUnary(spec.expr, x!.data, out.dtype, mem),
    jvp: ([x], [t], out) => {
      if (t == null || spec.deriv === null || !isFloat(out.dtype)) return null;
      return spec.deriv === "linear" ? apply(t) : spec.scale ? spec.scale(t, x!, out) : mul(t, spec.deriv(x!, out));
    },
    vjp: (ct, [x], out) => {
      if (spec.deriv === null || !isFloat(x!.dtype)) return [null];
      return [spec.deriv === "linear" ? apply(ct) : spec.scale ? spec.scale(ct, x!, out) : mul(ct, spec.deriv(x!, out))];
    },
    vmap: ([x]) => apply(x!),
    formula: formula(["a"], spec.expr, spec.simd),
  });
  return prim;
}

const u = (name: string, expr: string, kind: UnaryKind, deriv: UnarySpec["deriv"], scale?: UnarySpec["scale"]): Primitive<null> => {
  const simd = SIMD_UNARY.get(name);
  return unaryPrimitive({ name, expr, kind, deriv, ...(scale ? { scale } : {}), ...(simd ? { simd } : {}) });
};
const SIMD_UNARY = new Map<string, SimdOp>([["neg", "neg"], ["sqrt", "sqrt"], ["abs", "abs"], ["sign", "sign"], ["relu", "relu"], ["floor", "floor"]]);

export const negP = u("neg", "-a", "numeric", "linear");
export const expP = u("exp", "Math.exp(a)", "float", (_x, out) => out);
export const logP = u("log", "Math.log(a)", "float", (x) => reciprocal(x));
export const log1pP = u("log1p", "Math.log1p(a)", "float", (x) => reciprocal(add(x, constant(1, x.dtype))));
export const expm1P = u("expm1", "Math.expm1(a)", "float", (_x, out) => add(out, constant(1, out.dtype)));
export const sqrtP = u("sqrt", "Math.sqrt(a)", "float", (_x, out) => div(constant(0.5, out.dtype), out));
export const absP = u("abs", "Math.abs(a)", "numeric", (x) => sign(x));
export const signP = u("sign", "(a > 0 ? 1 : a < 0 ? -1 : a)", "numeric", null);
export const sinP = u("sin", "Math.sin(a)", "float", (x) => cos(x));
export const cosP = u("cos", "Math.cos(a)", "float", (x) => neg(sin(x)));
export const tanhP = u("tanh", "Math.tanh(a)", "float", (_x, out) => sub(constant(1, out.dtype), mul(out, out)));
export const sigmoidP = u("sigmoid", "1 / (1 + Math.exp(-a))", "float", (_x, out) => mul(out, sub(constant(1, out.dtype), out)));
// relu'(0) = 0, as in PyTorch; NaN propagates.
export const reluP = u(
  "relu", "(a > 0 ? a : a === a ? 0 : a)", "numeric",
  (x) => cast(gt(x, constant(0, x.dtype)), x.dtype),
  (t, x) => where(gt(x, constant(0, x.dtype)), t, constant(0, t.dtype)),
);
export const erfP = u("erf", "H.erf(a)", "float", (x) =>
  mul(constant(2 / Math.sqrt(Math.PI), x.dtype), exp(neg(mul(x, x)))),
);
export const floorP = u("floor", "Math.floor(a)", "numeric", null);
export const notP = u("logicalNot", "(a ? 0 : 1)", "any", null);

const una = (p: Primitive<null>) => (x: TensorImpl): TensorImpl => bind(p, [x], null);
/** Raw unary ops on run-time tensors (the typed, curried API is in `ops/`). */
export const neg = una(negP), exp = una(expP), log = una(logP), log1p = una(log1pP), expm1 = una(expm1P),
  sqrt = una(sqrtP), abs = una(absP), sign = una(signP), sin = una(sinP), cos = una(cosP), tanh = una(tanhP),
  sigmoid = una(sigmoidP), relu = una(reluP), erf = una(erfP), floor = una(floorP), logicalNot = una(notP);

// ---------------------------------------------------------------- cast

/** Converts dtype; gradients flow between float dtypes only. */
export const castP = definePrimitive<{ dtype: DType }>({
  name: "cast",
  abstract: ([x], p) => ({ shape: x!.shape, dtype: p.dtype, names: x!.names }),
  impl: ([x], p, _out, mem) =>
    mapUnary(p.dtype === "bool" ? "(a !== 0 ? 1 : 0)" : p.dtype === "int32" ? "(Math.trunc(a) | 0)" : "a", x!.data, p.dtype, mem),
  jvp: ([x], [t], _out, p) => (t != null && isFloat(x!.dtype) && isFloat(p.dtype) ? cast(t, p.dtype) : null),
  vjp: (ct, [x], _out, p) => [isFloat(x!.dtype) && isFloat(p.dtype) ? cast(ct, x!.dtype) : null],
  vmap: ([x], _b, p) => cast(x!, p.dtype),
});
/** Raw cast. */
export const cast = (x: TensorImpl, dtype: DType): TensorImpl => (x.dtype === dtype ? x : bind(castP, [x], { dtype }));

// ---------------------------------------------------------------- binary

type BinaryKind = "arith" | "truediv" | "compare" | "logical";

function binaryAbstract(name: string, kind: BinaryKind) {
  return ([a, b]: readonly Meta[]): Meta => {
    const shape = broadcastShapes(name, a!.shape, b!.shape);
    const names = mergeNames(shape.length, [a!, b!]);
    if (kind === "compare" || kind === "logical") return { shape, dtype: "bool", names };
    let dtype = promote(a!.dtype, b!.dtype);
    if (dtype === "bool") {
      if (kind === "arith" && name !== "maximum" && name !== "minimum") dtype = "int32";
    }
    if (kind === "truediv" && !isFloat(dtype)) dtype = "float32";
    return { shape, dtype, names };
  };
}

/** Batching for broadcasting ops: give batched operands explicit 1-dims so the batch axis lines up. */
export function alignBatched(args: readonly TensorImpl[], batched: readonly boolean[]): TensorImpl[] {
  const rank = Math.max(...args.map((x, i) => logicalRank(x, batched[i]!)));
  return args.map((x, i) => {
    if (!batched[i]) return x;
    const r = logicalRank(x, true);
    if (r === rank) return x;
    const [n, ...rest] = x.shape;
    return reshape(x, [n!, ...new Array<number>(rank - r).fill(1), ...rest]);
  });
}

type BinaryRule = (a: TensorImpl, b: TensorImpl, ta: Linear, tb: Linear, out: TensorImpl) => Linear;
type BinaryVjp = (ct: TensorImpl, a: TensorImpl, b: TensorImpl, out: TensorImpl, needs: readonly boolean[]) => readonly [Linear, Linear];

const SIMD_BINARY = new Map<string, SimdOp>([
  ["add", "add"], ["sub", "sub"], ["mul", "mul"], ["div", "div"], ["maximum", "maximum"], ["minimum", "minimum"],
  ["equal", "eq"], ["notEqual", "ne"], ["less", "lt"], ["lessEqual", "le"], ["greater", "gt"], ["greaterEqual", "ge"],
]);

function binaryPrimitive(name: string, expr: string, kind: BinaryKind, jvp: BinaryRule | null, vjp: BinaryVjp | null): Primitive<null> {
  const simd = SIMD_BINARY.get(name);
  const prim: Primitive<null> = definePrimitive<null>({
    name,
    abstract: binaryAbstract(name, kind),
    impl: ([a, b], _p, out, mem) => simdEager(simd, [a!, b!], out, mem) ?? mapBinary(expr, a!.data, a!.shape, b!.data, b!.shape, out.shape, out.dtype, mem),
    jvp: ([a, b], [ta, tb], out) => (jvp === null || !isFloat(out.dtype) || (ta == null && tb == null) ? null : jvp(a!, b!, ta ?? null, tb ?? null, out)),
    vjp: (ct, [a, b], out, _p, needs) => {
      if (vjp === null || !isFloat(out.dtype)) return [null, null];
      const [ga, gb] = vjp(ct, a!, b!, out, needs);
      // Cotangents take each input's own shape and dtype (a float32 input times a float64 constant gets a float32 gradient).
      return [isFloat(a!.dtype) && ga ? cast(sumTo(ga, a!.shape), a!.dtype) : null, isFloat(b!.dtype) && gb ? cast(sumTo(gb, b!.shape), b!.dtype) : null];
    },
    vmap: (args, batched) => {
      const [a, b] = alignBatched(args, batched);
      return bind(prim, [a!, b!], null);
    },
    formula: formula(["a", "b"], expr, simd),
  });
  return prim;
}

/** Adds two possibly-null tangents, broadcasting a lone one to the output shape. */
function addT(x: Linear, y: Linear, out: Meta): Linear {
  if (x == null && y == null) return null;
  const s = x == null ? y! : y == null ? x : add(x, y);
  return s.shape.length === out.shape.length && s.shape.every((d, i) => d === out.shape[i]) ? s : broadcastTo(s, out.shape);
}

export const addP = binaryPrimitive("add", "a + b", "arith", (_a, _b, ta, tb, out) => addT(ta, tb, out), (ct) => [ct, ct]);
export const subP = binaryPrimitive(
  "sub", "a - b", "arith",
  (_a, _b, ta, tb, out) => addT(ta, tb == null ? null : neg(tb), out),
  (ct, _a, _b, _o, needs) => [ct, needs[1] === false ? null : neg(ct)],
);
export const mulP = binaryPrimitive(
  "mul", "a * b", "arith",
  (a, b, ta, tb, out) => addT(ta == null ? null : mul(ta, b), tb == null ? null : mul(a, tb), out),
  (ct, a, b, _o, needs) => [needs[0] === false ? null : mul(ct, b), needs[1] === false ? null : mul(ct, a)],
);
export const divP = binaryPrimitive(
  "div", "a / b", "truediv",
  (_a, b, ta, tb, out) => addT(ta == null ? null : div(ta, b), tb == null ? null : neg(div(mul(tb, out), b)), out),
  (ct, _a, b, out, needs) => [needs[0] === false ? null : div(ct, b), needs[1] === false ? null : neg(div(mul(ct, out), b))],
);
// d/db a^b = a^b log a, taken as 0 where a = 0 (as JAX does) so that 0^b stays differentiable in a.
const powDb = (a: TensorImpl, out: TensorImpl): TensorImpl => {
  const zero = constant(0, a.dtype);
  const safe = where(eq(a, zero), constant(1, a.dtype), a);
  return where(eq(a, zero), zero, mul(out, log(safe)));
};
// d/da a^b = b·a^(b−1), taken as 0 where b = 0 (as JAX does: 0·0^−1 would be NaN at a = 0).
const powDa = (a: TensorImpl, b: TensorImpl): TensorImpl =>
  where(eq(b, constant(0, b.dtype)), constant(0, promote(a.dtype, b.dtype)), mul(b, pow(a, sub(b, constant(1, b.dtype)))));
export const powP = binaryPrimitive(
  "pow", "Math.pow(a, b)", "arith",
  (a, b, ta, tb, out) => addT(ta == null ? null : mul(ta, powDa(a, b)), tb == null ? null : mul(tb, powDb(a, out)), out),
  (ct, a, b, out, needs) => [needs[0] === false ? null : mul(ct, powDa(a, b)), needs[1] !== false && isFloat(b.dtype) ? mul(ct, powDb(a, out)) : null],
);
// Ties split the gradient evenly between the operands (PyTorch and JAX agree).
const pickWeight = (a: TensorImpl, b: TensorImpl, winner: "max" | "min"): TensorImpl => {
  const dt = promote(a.dtype, b.dtype);
  const win = winner === "max" ? gt(a, b) : lt(a, b);
  return add(cast(win, dt), mul(cast(eq(a, b), dt), constant(0.5, dt)));
};
const extremum = (name: "maximum" | "minimum", expr: string, winner: "max" | "min"): Primitive<null> =>
  binaryPrimitive(
    name, expr, "arith",
    (a, b, ta, tb, out) => {
      const wa = pickWeight(a, b, winner);
      return addT(ta == null ? null : mul(ta, wa), tb == null ? null : mul(tb, sub(constant(1, wa.dtype), wa)), out);
    },
    (ct, a, b) => {
      const wa = pickWeight(a, b, winner);
      return [mul(ct, wa), mul(ct, sub(constant(1, wa.dtype), wa))];
    },
  );
export const maximumP = extremum("maximum", "(a > b || a !== a ? a : b)", "max");
export const minimumP = extremum("minimum", "(a < b || a !== a ? a : b)", "min");

const cmp = (name: string, expr: string): Primitive<null> => binaryPrimitive(name, expr, "compare", null, null);
export const eqP = cmp("equal", "(a === b ? 1 : 0)");
export const neP = cmp("notEqual", "(a !== b ? 1 : 0)");
export const ltP = cmp("less", "(a < b ? 1 : 0)");
export const leP = cmp("lessEqual", "(a <= b ? 1 : 0)");
export const gtP = cmp("greater", "(a > b ? 1 : 0)");
export const geP = cmp("greaterEqual", "(a >= b ? 1 : 0)");
export const andP = binaryPrimitive("logicalAnd", "(a && b ? 1 : 0)", "logical", null, null);
export const orP = binaryPrimitive("logicalOr", "(a || b ? 1 : 0)", "logical", null, null);

const bin = (p: Primitive<null>) => (a: TensorImpl, b: TensorImpl): TensorImpl => bind(p, [a, b], null);
/** Raw binary ops on run-time tensors. */
export const add = bin(addP), sub = bin(subP), mul = bin(mulP), div = bin(divP), pow = bin(powP),
  maximum = bin(maximumP), minimum = bin(minimumP), eq = bin(eqP), ne = bin(neP), lt = bin(ltP), le = bin(leP),
  gt = bin(gtP), ge = bin(geP), logicalAnd = bin(andP), logicalOr = bin(orP);

/** Raw reciprocal (composite). */
export const reciprocal = (x: TensorImpl): TensorImpl => div(constant(1, isFloat(x.dtype) ? x.dtype : "float32"), x);

// ---------------------------------------------------------------- select

/** `where(cond, a, b)`: elementwise choice with broadcasting of all three operands. */
export const selectP: Primitive<null> = definePrimitive<null>({
  name: "where",
  abstract: ([c, a, b]) => {
    if (c!.dtype !== "bool") throw new DTypeError("where", `condition must be bool, got ${c!.dtype}`);
    const shape = broadcastShapes("where", broadcastShapes("where", c!.shape, a!.shape), b!.shape);
    return { shape, dtype: promote(a!.dtype, b!.dtype), names: mergeNames(shape.length, [c!, a!, b!]) };
  },
  impl: ([c, a, b], _p, out, mem) => mapSelect(c!.data, c!.shape, a!.data, a!.shape, b!.data, b!.shape, out.shape, out.dtype, mem),
  jvp: ([c, a, b], [, ta, tb], out) => {
    if (!isFloat(out.dtype) || (ta == null && tb == null)) return null;
    return where(c!, ta ?? zerosLike(a!), tb ?? zerosLike(b!));
  },
  vjp: (ct, [c, a, b]) => {
    const z = constant(0, ct.dtype);
    return [
      null,
      isFloat(a!.dtype) ? cast(sumTo(where(c!, ct, z), a!.shape), a!.dtype) : null,
      isFloat(b!.dtype) ? cast(sumTo(where(c!, z, ct), b!.shape), b!.dtype) : null,
    ];
  },
  vmap: (args, batched) => {
    const [c, a, b] = alignBatched(args, batched);
    return bind(selectP, [c!, a!, b!], null);
  },
  formula: formula(["c", "a", "b"], "(c ? a : b)", "where"),
});

/** Raw where. */
export const where = (c: TensorImpl, a: TensorImpl, b: TensorImpl): TensorImpl => bind(selectP, [c, a, b], null);
