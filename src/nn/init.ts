/**
 * Parameter initializers, with PyTorch's formulas (`torch.nn.init`).
 *
 * An {@link Initializer} is a pure function `(key, shape, fans?) → Tensor`. The factories
 * (`normal(0.01)`, `kaimingNormal({ mode: "fanOut" })`) return one, and each factory is itself an
 * initializer with PyTorch's defaults, so `{ init: kaimingNormal }` and `{ init: kaimingNormal() }` agree.
 *
 * Layout: tenfold stores a dense weight as `[in, out]` so that `x · W` needs no transpose (PyTorch
 * stores `[out, in]`). Fans are therefore read as `fanIn = shape[0] · receptive`,
 * `fanOut = shape[1] · receptive`, where `receptive` is the product of any further dims. A bias has no
 * fans of its own: pass the weight's with `fans` (PyTorch's Linear does the same).
 */
import { ShapeError } from "../errors.js";
import type { Key } from "../random/key.js";
import { normalRaw, uniformRaw } from "../random/sample.js";
import { filled } from "../primitives/util.js";
import { typed, type Tensor } from "../tensor/tensor.js";

/** Fan-in and fan-out, read from a weight's shape or given explicitly. */
export interface Fans {
  readonly fanIn: number;
  readonly fanOut: number;
}

/** A pure initializer: the same key and shape always give the same tensor (float32). */
export interface Initializer {
  <const S extends number[]>(key: Key, shape: S, fans?: Partial<Fans>): Tensor<S>;
}

/** An initializer factory that is also an initializer with the default options. */
export interface InitFactory<Args extends unknown[]> extends Initializer {
  (...args: Args): Initializer;
}

/**
 * PyTorch's `_calculate_fan_in_and_fan_out` in tenfold's `[in, out, ...receptive]` layout.
 *
 * @example
 * ```ts
 * nn.init.fansOf([784, 10]); // { fanIn: 784, fanOut: 10 }
 * ```
 */
export function fansOf(shape: readonly number[]): Fans {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const receptive = shape.slice(2).reduce((p, d) => p * d, 1);
  return { fanIn: shape[0]! * receptive, fanOut: shape[1]! * receptive };
}

const resolveFans = (shape: readonly number[], fans: Partial<Fans> | undefined): Fans => {
  const f = fansOf(shape);
  return { fanIn: fans?.fanIn ?? f.fanIn, fanOut: fans?.fanOut ?? f.fanOut };
};

/** Nonlinearities known to {@link calculateGain}. */
export type Nonlinearity = "linear" | "identity" | "sigmoid" | "tanh" | "relu" | "leakyRelu" | "selu";

/**
 * PyTorch's `calculate_gain`: 1 for linear/sigmoid, 5/3 for tanh, √2 for relu, √(2/(1+a²)) for leaky relu, 3/4 for selu.
 *
 * @example
 * ```ts
 * nn.init.calculateGain("relu"); // √2
 * nn.init.calculateGain("tanh"); // 5/3
 * ```
 */
export function calculateGain(nonlinearity: Nonlinearity, a = 0.01): number {
  switch (nonlinearity) {
    case "linear":
    case "identity":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leakyRelu":
      return Math.sqrt(2 / (1 + a * a));
    case "selu":
      return 3 / 4;
  }
}

/** Builds a factory whose direct call `(key, shape, fans?)` uses the default options. */
function factory<Args extends unknown[]>(make: (...args: Args) => Initializer): InitFactory<Args> {
  return ((...args: unknown[]) => {
    if (args.length >= 2 && Array.isArray(args[1])) return (make as () => Initializer)()(args[0] as Key, args[1] as number[], args[2] as Partial<Fans> | undefined);
    return make(...(args as Args));
  }) as InitFactory<Args>;
}

const checkShape = (op: string, shape: readonly number[]): void => {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new ShapeError(op, "dims must be non-negative integers", [shape]);
};

const fromNormal = (op: string, std: (f: Fans) => number, mean = 0): Initializer =>
  ((key: Key, shape: number[], fans?: Partial<Fans>) => {
    checkShape(op, shape);
    return typed(normalRaw(key, shape, "float32", mean, std(resolveFans(shape, fans))));
  }) as Initializer;

const fromUniform = (op: string, bound: (f: Fans) => readonly [number, number]): Initializer =>
  ((key: Key, shape: number[], fans?: Partial<Fans>) => {
    checkShape(op, shape);
    const [lo, hi] = bound(resolveFans(shape, fans));
    return typed(uniformRaw(key, shape, lo, hi));
  }) as Initializer;

/**
 * 𝒩(mean, std²) (PyTorch's `normal_`, default std 1, mean 0).
 *
 * @function
 * @example
 * ```ts
 * const w: Tensor<[784, 10]> = nn.init.normal(0.01)(random.key(0), [784, 10]); // 𝒩(0, 0.01²)
 * const std1: Tensor<[3]> = nn.init.normal(random.key(0), [3]); // 𝒩(0, 1)
 * ```
 */
export const normal: InitFactory<[std?: number, mean?: number]> = factory((std = 1, mean = 0) => fromNormal("init.normal", () => std, mean));

/**
 * 𝒰(lo, hi) (PyTorch's `uniform_`, default [0, 1)).
 *
 * @function
 * @example
 * ```ts
 * const w: Tensor<[2, 3]> = nn.init.uniform(-1, 1)(random.key(0), [2, 3]);
 * ```
 */
export const uniform: InitFactory<[lo?: number, hi?: number]> = factory((lo = 0, hi = 1) => fromUniform("init.uniform", () => [lo, hi]));

/**
 * Glorot normal: std = gain · √(2 / (fanIn + fanOut)).
 *
 * @function
 * @example
 * ```ts
 * const w: Tensor<[100, 50]> = nn.init.xavierNormal(random.key(0), [100, 50]); // std √(2 / (100 + 50))
 * ```
 */
export const xavierNormal: InitFactory<[gain?: number]> = factory((gain = 1) =>
  fromNormal("init.xavierNormal", (f) => gain * Math.sqrt(2 / (f.fanIn + f.fanOut))),
);

/**
 * Glorot uniform: 𝒰(±b) with b = gain · √(6 / (fanIn + fanOut)).
 *
 * @function
 * @example
 * ```ts
 * const w: Tensor<[100, 50]> = nn.init.xavierUniform()(random.key(0), [100, 50]); // 𝒰(±√(6 / 150))
 * ```
 */
export const xavierUniform: InitFactory<[gain?: number]> = factory((gain = 1) =>
  fromUniform("init.xavierUniform", (f) => {
    const b = gain * Math.sqrt(6 / (f.fanIn + f.fanOut));
    return [-b, b];
  }),
);

/** Options of the Kaiming (He) initializers; defaults as in PyTorch: `{ a: 0, mode: "fanIn", nonlinearity: "leakyRelu" }`. */
export interface KaimingOptions {
  /** Negative slope of the leaky relu that follows. */
  readonly a?: number;
  /** Preserve the variance of activations (`fanIn`) or of gradients (`fanOut`). */
  readonly mode?: "fanIn" | "fanOut";
  readonly nonlinearity?: Nonlinearity;
}

/**
 * The Kaiming std: gain / √fan.
 *
 * @example
 * ```ts
 * nn.init.kaimingStd({ fanIn: 784, fanOut: 200 }); // √(2 / 784) = 0.0505
 * ```
 */
export function kaimingStd(f: Fans, opts: KaimingOptions = {}): number {
  const fan = (opts.mode ?? "fanIn") === "fanIn" ? f.fanIn : f.fanOut;
  if (fan === 0) throw new ShapeError("init.kaiming", "cannot initialize a tensor with a zero fan");
  return calculateGain(opts.nonlinearity ?? "leakyRelu", opts.a ?? 0) / Math.sqrt(fan);
}

/**
 * He normal: 𝒩(0, std²) with std = gain / √fan.
 *
 * @function
 * @example
 * ```ts
 * const w: Tensor<[784, 200]> = nn.init.kaimingNormal(random.key(0), [784, 200]); // std √(2 / 784), for ReLU
 * const tanhInit = nn.init.kaimingNormal({ nonlinearity: "tanh" });
 * ```
 */
export const kaimingNormal: InitFactory<[opts?: KaimingOptions]> = factory((opts: KaimingOptions = {}) =>
  fromNormal("init.kaimingNormal", (f) => kaimingStd(f, opts)),
);

/**
 * He uniform: 𝒰(±√3 · std) with std = gain / √fan.
 *
 * @function
 * @example
 * ```ts
 * const w: Tensor<[784, 200]> = nn.init.kaimingUniform({ a: Math.sqrt(5) })(random.key(0), [784, 200]);
 * ```
 */
export const kaimingUniform: InitFactory<[opts?: KaimingOptions]> = factory((opts: KaimingOptions = {}) =>
  fromUniform("init.kaimingUniform", (f) => {
    const b = Math.sqrt(3) * kaimingStd(f, opts);
    return [-b, b];
  }),
);

/**
 * A tensor of `value`.
 *
 * @example
 * ```ts
 * const b: Tensor<[10]> = nn.init.constant(0.1)(random.key(0), [10]);
 * ```
 */
export const constant = (value: number): Initializer =>
  ((_key: Key, shape: number[]) => {
    checkShape("init.constant", shape);
    return typed(filled(shape, "float32", value));
  }) as Initializer;

/**
 * All zeros (ignores the key).
 *
 * @function
 * @example
 * ```ts
 * const b: Tensor<[10]> = nn.init.zeros(random.key(0), [10]);
 * ```
 */
export const zeros: Initializer = constant(0);

/**
 * All ones (ignores the key).
 *
 * @function
 * @example
 * ```ts
 * const g: Tensor<[10]> = nn.init.ones(random.key(0), [10]);
 * ```
 */
export const ones: Initializer = constant(1);

/**
 * PyTorch's default for `nn.Linear` weights: kaiming uniform with a = √5, i.e. 𝒰(±1/√fanIn).
 * Also its default for the bias, given the weight's fans.
 *
 * @function
 * @example
 * ```ts
 * const w: Tensor<[784, 10]> = nn.init.torchLinearDefault(random.key(0), [784, 10]); // 𝒰(±1/√784)
 * ```
 */
export const torchLinearDefault: Initializer = kaimingUniform({ a: Math.sqrt(5) });

/**
 * PyTorch's default bias of `nn.Linear`: 𝒰(±1/√fanIn) with the weight's fan-in (0 bound when fanIn = 0).
 *
 * @function
 * @example
 * ```ts
 * const b: Tensor<[10]> = nn.init.torchBiasDefault(random.key(0), [10], { fanIn: 784 }); // 𝒰(±1/√784)
 * ```
 */
export const torchBiasDefault: Initializer = fromUniform("init.bias", (f) => {
  const b = f.fanIn > 0 ? 1 / Math.sqrt(f.fanIn) : 0;
  return [-b, b];
});
