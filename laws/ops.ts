/**
 * The library's ops seen with run-time signatures, for laws over shapes drawn at run time. The laws
 * check values; the shape types have their own compile-time tests, so nothing here depends on them.
 */
import fc from "fast-check";
import * as T from "../src/index.js";
import { arbTensor, type ValueOptions } from "../src/testing/index.js";

/** A tensor of any shape and dtype. */
export type X = T.Tensor<any, any>;
type Un = (x: X) => X;
type Bin = (a: X | number, b: X | number) => X;
type Red = (x: X, opts?: { axis?: number | readonly number[]; keepdims?: boolean }) => X;

const un = (f: unknown): Un => f as Un;
const bin = (f: unknown): Bin => f as Bin;
const red = (f: unknown): Red => f as Red;

export const neg = un(T.neg), exp = un(T.exp), log = un(T.log), log1p = un(T.log1p), expm1 = un(T.expm1), sqrt = un(T.sqrt);
export const abs = un(T.abs), sign = un(T.sign), square = un(T.square), reciprocal = un(T.reciprocal), relu = un(T.relu);
export const sigmoid = un(T.sigmoid), tanh = un(T.tanh), sin = un(T.sin), cos = un(T.cos), erf = un(T.erf), floor = un(T.floor);
export const softplus = un(T.softplus), logSigmoid = un(T.logSigmoid), stopGradient = un(T.stopGradient), logicalNot = un(T.logicalNot);
export const gelu = (x: X, approximate: "none" | "tanh" = "none"): X => T.gelu(x, approximate);
export const leakyRelu = (x: X, slope?: number): X => T.leakyRelu(x, slope);
export const softmax = (x: X, axis?: number): X => T.softmax(x, axis);
export const logSoftmax = (x: X, axis?: number): X => T.logSoftmax(x, axis);

export const add = bin(T.add), sub = bin(T.sub), mul = bin(T.mul), div = bin(T.div), pow = bin(T.pow);
export const maximum = bin(T.maximum), minimum = bin(T.minimum);
export const equal = bin(T.equal), less = bin(T.less), greater = bin(T.greater), lessEqual = bin(T.lessEqual), greaterEqual = bin(T.greaterEqual);
export const where = T.where as unknown as (c: X, a: X | number, b: X | number) => X;
export const clamp = T.clamp as unknown as (x: X, lo: number | undefined, hi: number | undefined) => X;
export const cast = T.cast as unknown as (x: X, dtype: T.DType) => X;

export const sum = red(T.sum), mean = red(T.mean), max = red(T.max), min = red(T.min), argmax = red(T.argmax), argmin = red(T.argmin);
export const logsumexp = red(T.logsumexp);
type VarRed = (x: X, opts?: { axis?: number | readonly number[]; keepdims?: boolean; correction?: number }) => X;
export const variance = T.variance as unknown as VarRed, std = T.std as unknown as VarRed;
export const cumsum = T.cumsum as unknown as (x: X, axis: number) => X;

export const reshape = T.reshape as unknown as (x: X, spec: string, sizes?: Record<string, number>) => X;
export const flatten = T.flatten as unknown as (x: X, start?: number, end?: number) => X;
export const transpose = T.transpose as unknown as Un;
export const permute = T.permute as unknown as (x: X, perm: readonly number[]) => X;
export const expandDims = T.expandDims as unknown as (x: X, axis: number) => X;
export const squeeze = T.squeeze as unknown as (x: X, axis?: number) => X;
export const concat = T.concat as unknown as (xs: readonly X[], axis?: number) => X;
export const stack = T.stack as unknown as (xs: readonly X[], axis?: number) => X;
export const slice = T.slice as unknown as (x: X, axis: number, start: number, end?: number) => X;
export const take = T.take as unknown as (x: X, idx: X, axis?: number) => X;
export const takeAlongAxis = T.takeAlongAxis as unknown as (x: X, idx: X, axis: number) => X;
export const oneHot = T.oneHot as unknown as (labels: X, n: number, dtype?: T.DType) => X;
export const broadcastTo = T.broadcastTo as unknown as (x: X, spec: string, sizes?: Record<string, number>) => X;
export const matmul = T.matmul as unknown as (a: X, b: X) => X;
export const einsum = T.einsum as unknown as (spec: string, ...xs: X[]) => X;
/** A float64 scalar. */
export const scalar64 = (v: number): X => T.scalar(v, "float64");
/** A float64 tensor from flat values and a shape spec. */
export const fromValues = (values: readonly number[], spec: string): X => (T.fromArray as unknown as (d: readonly number[], s: string, dt: T.DType) => X)(values, spec, "float64");
export const onesLike = T.onesLike as unknown as Un;
export const zerosLike = T.zerosLike as unknown as Un;

export const grad = T.grad as unknown as <F extends (...args: any[]) => any>(f: F, opts?: { argnums?: number | readonly number[] }) => (...args: Parameters<F>) => any;
export const { jvp, vjp, vmap, jacfwd, jacrev, hessian } = T as unknown as {
  jvp: (f: (...a: any[]) => any, primals: readonly unknown[], tangents: readonly unknown[]) => [any, any];
  vjp: (f: (...a: any[]) => any, ...primals: unknown[]) => [any, (ct: any) => any[]];
  vmap: (f: (...a: any[]) => any, opts?: T.VmapOptions) => (...args: any[]) => any;
  jacfwd: (f: Un) => Un;
  jacrev: (f: Un) => Un;
  hessian: (f: Un) => Un;
};

/** float64 tensors of a spec, values in [−3, 3] unless told otherwise: the laws' default input. */
export const f64 = (spec: string | readonly number[], opts: ValueOptions & { sizes?: Record<string, number | fc.Arbitrary<number>>; minDim?: number; maxDim?: number } = {}): fc.Arbitrary<X> =>
  (arbTensor as (s: string | readonly number[], o: object) => fc.Arbitrary<X>)(spec, { dtype: "float64", min: -3, max: 3, maxDim: 3, ...opts });

/** Integer indices in [0, n). */
export const indices = (spec: string | readonly number[], n: number, sizes: Record<string, number> = {}): fc.Arbitrary<X> =>
  (arbTensor as (s: string | readonly number[], o: object) => fc.Arbitrary<X>)(spec, { dtype: "int32", min: 0, max: n - 1, sizes, maxDim: 3 });
