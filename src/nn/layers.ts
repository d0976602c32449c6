/**
 * Layers as pure `{ init, apply }` pairs (Haiku/Equinox style): `init(key)` returns a parameter tree,
 * `apply(params, x, opts?)` computes the output. Nothing is stored in the layer; parameters are plain
 * data that `grad` differentiates and optimizers update.
 *
 * Inputs are batched on their first dim: a layer typed `Layer<P, [784], [10]>` maps `Tensor<[B, 784]>`
 * to `Tensor<[B, 10]>` for any batch dim `B`. Dense weights are stored `[in, out]` (so `x · W` needs no
 * transpose); see `nn/init.ts` for how fans are read from that layout.
 */
import { ShapeError } from "../errors.js";
import type { Dim, Shape } from "../shape/types.js";
import { typed, impl, type Tensor, type TensorImpl } from "../tensor/tensor.js";
import { split, type Key } from "../random/key.js";
import { bernoulli } from "../random/sample.js";
import * as E from "../primitives/elementwise.js";
import { reshape as rawReshape } from "../primitives/structure.js";
import { constant } from "../primitives/util.js";
import { matmulRaw } from "../ops/linalg.js";
import * as A from "../ops/activations.js";
import * as Ew from "../ops/elementwise.js";
import { torchBiasDefault, torchLinearDefault, zeros as zerosInit, type Initializer } from "./init.js";

declare const io: unique symbol;

/** Options of `apply`: a PRNG key for stochastic layers (dropout) and whether the model is training. */
export interface ApplyOptions {
  readonly key?: Key;
  /** Defaults to `true` when a key is given, `false` otherwise (so evaluation needs no key). */
  readonly training?: boolean;
}

/** A layer mapping per-example shape `In` to `Out` (the batch dim comes first), with parameters `P`. */
export interface Layer<P, In extends Shape, Out extends Shape> {
  /** A short description, e.g. `linear(784, 10)`. */
  readonly name: string;
  /** Fresh parameters from a key (deterministic in the key). */
  readonly init: (key: Key) => P;
  /** The forward pass: pure in the parameters, the input and the options. */
  readonly apply: <B extends Dim>(params: P, x: Tensor<[B, ...In]>, opts?: ApplyOptions) => Tensor<[B, ...Out]>;
  /** @internal phantom carrier of the per-example shapes */
  readonly [io]?: [In, Out];
}

/** A parameter-free layer that keeps the shape of its input (activations, dropout). */
export interface ShapePreservingLayer {
  readonly name: string;
  readonly preservesShape: true;
  readonly init: (key: Key) => null;
  readonly apply: <S extends Shape>(params: null, x: Tensor<S>, opts?: ApplyOptions) => Tensor<S>;
}

/** Any layer, for composition. */
export type AnyLayer = Layer<any, any, any> | ShapePreservingLayer;

/** The parameter type of a layer. */
export type ParamsOf<L> = L extends { readonly init: (key: Key) => infer P } ? P : never;

// ---------------------------------------------------------------------------------------------
// Dense

/** Parameters of a dense layer (`b` absent when built with `bias: false`). */
export type LinearParams<I extends number, O extends number, Bias extends boolean = true> = Bias extends false
  ? { w: Tensor<[I, O]> }
  : { w: Tensor<[I, O]>; b: Tensor<[O]> };

/** Options of {@link linear}. */
export interface LinearOptions<Bias extends boolean = boolean> {
  /** Weight initializer (default: PyTorch's `nn.Linear` default, 𝒰(±1/√in)). */
  readonly init?: Initializer;
  /** Bias initializer, given the weight's fans (default: 𝒰(±1/√in) without `init`, zeros with it). */
  readonly biasInit?: Initializer;
  /** Whether to add a bias (default true). */
  readonly bias?: Bias;
}

/**
 * A dense layer `y = x · W + b` with `W: [in, out]`. Without options its initialization is PyTorch's
 * `nn.Linear` default (kaiming uniform with a = √5 for `W`, i.e. 𝒰(±1/√in), and 𝒰(±1/√in) for `b`).
 *
 * @example
 * ```ts
 * const layer = nn.linear(784, 10);
 * const params = layer.init(random.key(0)); // { w: Tensor<[784, 10]>, b: Tensor<[10]> }
 * const logits: Tensor<[32, 10]> = layer.apply(params, zeros("32 784"));
 * const noBias = nn.linear(3, 2, { bias: false, init: nn.init.xavierUniform });
 * ```
 */
export function linear<const I extends number, const O extends number, const Bias extends boolean = true>(
  inFeatures: I, outFeatures: O, opts: LinearOptions<Bias> = {},
): Layer<LinearParams<I, O, Bias>, [I], [O]> {
  for (const [what, n] of [["inFeatures", inFeatures], ["outFeatures", outFeatures]] as const)
    if (!Number.isInteger(n) || n < 0) throw new ShapeError("linear", `${what} must be a non-negative integer, got ${n}`);
  const name = `linear(${inFeatures}, ${outFeatures})`;
  const hasBias = opts.bias !== false;
  const wInit = opts.init ?? torchLinearDefault;
  const bInit = opts.biasInit ?? (opts.init === undefined ? torchBiasDefault : zerosInit);
  return {
    name,
    init: (key) => {
      const [kw, kb] = split(key, 2) as unknown as [Key, Key];
      const w = wInit(kw, [inFeatures, outFeatures]);
      if (!hasBias) return { w } as LinearParams<I, O, Bias>;
      const b = bInit(kb, [outFeatures], { fanIn: inFeatures, fanOut: outFeatures });
      return { w, b } as unknown as LinearParams<I, O, Bias>;
    },
    apply: (params, x) => {
      const xi = impl(x);
      const p = params as { w: Tensor<any, any>; b?: Tensor<any, any> };
      if (xi.shape.length < 1 || xi.shape[xi.shape.length - 1] !== inFeatures)
        throw new ShapeError(name, `input's last dim must be ${inFeatures}`, [xi.shape, impl(p.w).shape]);
      const y = matmulRaw(xi, impl(p.w));
      return typed(p.b === undefined ? y : E.add(y, impl(p.b)));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Parameter-free layers

/**
 * A shape-preserving, parameter-free layer from an elementwise (or per-row) function.
 *
 * @example
 * ```ts
 * // A parameter-free, shape-preserving layer from a function of the run-time tensor (how nn.relu is built).
 * const passThrough = nn.activation("passThrough", (x) => x);
 * passThrough.apply(null, tensor([[1, 2]])); // [[1, 2]]
 * ```
 */
export function activation(name: string, f: (x: TensorImpl) => TensorImpl): ShapePreservingLayer {
  return { name, preservesShape: true, init: () => null, apply: (_p, x) => typed(f(impl(x))) };
}

const lift = (g: (x: Tensor<any, any>) => Tensor<any, any>) => (x: TensorImpl): TensorImpl => impl(g(typed(x)));

/**
 * max(x, 0).
 *
 * @example
 * ```ts
 * const y: Tensor<[1, 2]> = nn.relu.apply(null, tensor([[-2, 2]])); // [[0, 2]]
 * const net = nn.sequential(nn.linear(4, 8), nn.relu, nn.linear(8, 2));
 * ```
 */
export const relu: ShapePreservingLayer = activation("relu", lift(Ew.relu));
/**
 * Leaky relu with PyTorch's default slope 0.01 (use {@link leakyReluWith} for another).
 *
 * @example
 * ```ts
 * const y: Tensor<[1, 2]> = nn.leakyRelu.apply(null, tensor([[-2, 2]])); // [[-0.02, 2]]
 * const net = nn.sequential(nn.linear(4, 8), nn.leakyRelu, nn.linear(8, 2));
 * ```
 */
export const leakyRelu: ShapePreservingLayer = activation("leakyRelu", lift((x) => A.leakyRelu(x)));
/**
 * Leaky relu with a chosen negative slope.
 *
 * @example
 * ```ts
 * const act = nn.leakyReluWith(0.2);
 * const y: Tensor<[1, 2]> = act.apply(null, tensor([[-1, 1]])); // [[-0.2, 1]]
 * ```
 */
export const leakyReluWith = (slope: number): ShapePreservingLayer => activation(`leakyRelu(${slope})`, lift((x) => A.leakyRelu(x, slope)));
/**
 * The logistic sigmoid.
 *
 * @example
 * ```ts
 * const y: Tensor<[1, 2]> = nn.sigmoid.apply(null, tensor([[-2, 2]])); // [[0.1192, 0.8808]]
 * const net = nn.sequential(nn.linear(4, 8), nn.sigmoid, nn.linear(8, 2));
 * ```
 */
export const sigmoid: ShapePreservingLayer = activation("sigmoid", lift(Ew.sigmoid));
/**
 * Hyperbolic tangent.
 *
 * @example
 * ```ts
 * const y: Tensor<[1, 2]> = nn.tanh.apply(null, tensor([[-2, 2]])); // [[-0.9640, 0.9640]]
 * const net = nn.sequential(nn.linear(4, 8), nn.tanh, nn.linear(8, 2));
 * ```
 */
export const tanh: ShapePreservingLayer = activation("tanh", lift(Ew.tanh));
/**
 * Exact (erf) GELU, as PyTorch's default.
 *
 * @example
 * ```ts
 * const y: Tensor<[1, 2]> = nn.gelu.apply(null, tensor([[-2, 2]])); // [[-0.0455, 1.9545]]
 * const net = nn.sequential(nn.linear(4, 8), nn.gelu, nn.linear(8, 2));
 * ```
 */
export const gelu: ShapePreservingLayer = activation("gelu", lift((x) => A.gelu(x)));
/**
 * Softmax over the last dim.
 *
 * @example
 * ```ts
 * const p: Tensor<[1, 3]> = nn.softmax.apply(null, tensor([[1, 2, 3]])); // rows sum to 1
 * ```
 */
export const softmax: ShapePreservingLayer = activation("softmax", lift((x) => A.softmax(x, -1)));
/**
 * Log-softmax over the last dim.
 *
 * @example
 * ```ts
 * const lp: Tensor<[1, 3]> = nn.logSoftmax.apply(null, tensor([[1, 2, 3]])); // [[-2.4076, -1.4076, -0.4076]]
 * ```
 */
export const logSoftmax: ShapePreservingLayer = activation("logSoftmax", lift((x) => A.logSoftmax(x, -1)));
/**
 * The identity.
 *
 * @example
 * ```ts
 * const y: Tensor<[1, 2]> = nn.identity.apply(null, tensor([[-2, 2]])); // [[-2, 2]]
 * const net = nn.sequential(nn.linear(4, 8), nn.identity, nn.linear(8, 2));
 * ```
 */
export const identity: ShapePreservingLayer = activation("identity", (x) => x);

/**
 * Flattens every dim after the batch dim: `[B, 28, 28] → [B, 784]`.
 *
 * @example
 * ```ts
 * const flat: Tensor<[2, number]> = nn.flatten.apply(null, zeros("2 28 28")); // [2, 784] at run time
 * ```
 */
export const flatten: Layer<null, Dim[], [number]> = {
  name: "flatten",
  init: () => null,
  apply: (_p, x) => {
    const xi = impl(x);
    if (xi.shape.length < 1) throw new ShapeError("flatten", "input needs a batch dim", [xi.shape]);
    return typed(rawReshape(xi, [xi.shape[0]!, xi.shape.slice(1).reduce((p, d) => p * d, 1)]));
  },
};

/**
 * Inverted dropout: in training, zeroes each element with probability `p` and scales the rest by
 * 1/(1−p), so evaluation is the identity. Needs `{ key }` in the apply options when training.
 *
 * @example
 * ```ts
 * const drop = nn.dropout(0.5);
 * const x = ones("2 4");
 * const training: Tensor<[2, 4]> = drop.apply(null, x, { key: random.key(0) }); // zeros and 2s
 * const evaluation: Tensor<[2, 4]> = drop.apply(null, x); // x itself
 * ```
 */
export function dropout(p: number): ShapePreservingLayer {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout: probability must be in [0, 1], got ${p}`);
  return {
    name: `dropout(${p})`,
    preservesShape: true,
    init: () => null,
    apply: (_params, x, opts) => {
      const training = opts?.training ?? opts?.key !== undefined;
      if (!training || p === 0) return x;
      const key = opts?.key;
      if (key === undefined) throw new TypeError(`dropout(${p}): training needs a PRNG key: apply(params, x, { key, training: true })`);
      const xi = impl(x);
      if (p === 1) return typed(E.mul(xi, constant(0, xi.dtype)));
      const keep = impl(bernoulli(key, 1 - p, xi.shape.join(" ") as "")) as TensorImpl;
      // The mask depends on the key alone, so the gradient is one product, ct · mask (PyTorch: x · mask · scale).
      const mask = E.where(keep, constant(1 / (1 - p), xi.dtype), constant(0, xi.dtype));
      return typed(E.mul(xi, mask));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Composition

type DimClash<A, B> = A extends number
  ? B extends number
    ? number extends A ? false : number extends B ? false : [A] extends [B] ? false : true
    : false
  : false;

/** Whether two shapes provably differ (a name or `number` against anything is left to run time). */
type ShapeClash<A extends Shape, B extends Shape> = number extends A["length"]
  ? false
  : number extends B["length"]
    ? false
    : A["length"] extends B["length"]
      ? A extends readonly [infer a, ...infer ra extends Shape]
        ? B extends readonly [infer b, ...infer rb extends Shape]
          ? DimClash<a, b> extends true ? true : ShapeClash<ra, rb>
          : false
        : false
      : true;

type InOf<L> = L extends { readonly [io]?: [infer I extends Shape, any] } ? I : Dim[];
type OutOf<L> = L extends { readonly [io]?: [any, infer O extends Shape] } ? O : Dim[];

/** The per-example output shape of a chain of layers fed `Cur`, or an error message. */
export type ChainOut<Ls, Cur extends Shape, K extends unknown[] = []> = Ls extends readonly [infer L, ...infer Rest]
  ? L extends ShapePreservingLayer
    ? ChainOut<Rest, Cur, [...K, 0]>
    : ShapeClash<Cur, InOf<L>> extends true
      ? `sequential: layer ${K["length"]} expects per-example shape [${JoinDims<InOf<L>>}] but gets [${JoinDims<Cur>}]`
      : ChainOut<Rest, OutOf<L>, [...K, 0]>
  : Cur;

type JoinDims<S extends Shape> = number extends S["length"]
  ? "..."
  : S extends readonly [infer a extends Dim, ...infer r extends Shape]
    ? r["length"] extends 0 ? `${a}` : `${a}, ${JoinDims<r>}`
    : "";

/** The per-example input shape of a chain: that of its first shape-changing layer. */
export type ChainIn<Ls> = Ls extends readonly [infer L, ...infer Rest] ? (L extends ShapePreservingLayer ? ChainIn<Rest> : InOf<L>) : Dim[];

/** The parameters of a chain: a tuple of each layer's parameters (`null` for parameter-free layers). */
export type ChainParams<Ls extends readonly unknown[]> = { -readonly [K in keyof Ls]: ParamsOf<Ls[K]> };

/** The layer a {@link sequential} call builds (or an error message when two layers provably do not fit). */
export type Sequential<Ls extends readonly AnyLayer[]> = ChainOut<Ls, ChainIn<Ls>> extends infer O
  ? O extends Shape ? Layer<ChainParams<Ls>, ChainIn<Ls>, O> : O
  : never;

/**
 * Composes layers left to right. Parameters are the tuple of each layer's parameters; `init` splits its
 * key into one key per layer, and `apply` does the same with the key in its options (for dropout).
 * Two adjacent layers whose shapes provably differ are a compile error (and always a run-time one).
 *
 * @example
 * ```ts
 * const net = nn.sequential(nn.linear(784, 200), nn.relu, nn.linear(200, 10));
 * const params = net.init(random.key(0)); // one entry per layer: [{ w, b }, null, { w, b }]
 * const logits: Tensor<[8, 10]> = net.apply(params, zeros("8 784"));
 * net.name; // "sequential(linear(784, 200), relu, linear(200, 10))"
 * ```
 */
export function sequential<const Ls extends readonly AnyLayer[]>(...layers: Ls): Sequential<Ls> {
  const n = layers.length;
  const keysFor = (key: Key): Key[] => Array.from(split(key, Math.max(n, 1)) as unknown as Key[]);
  const out: Layer<unknown[], Dim[], Dim[]> = {
    name: `sequential(${layers.map((l) => l.name).join(", ")})`,
    init: (key) => {
      const ks = keysFor(key);
      return layers.map((l, i) => l.init(ks[i]!));
    },
    apply: (params, x, opts) => {
      if (!Array.isArray(params) || params.length !== n)
        throw new ShapeError("sequential", `expected a tuple of ${n} parameter entries, got ${Array.isArray(params) ? params.length : typeof params}`);
      const ks = opts?.key === undefined ? undefined : keysFor(opts.key);
      let h: Tensor<any, any> = x;
      layers.forEach((l, i) => {
        const o: ApplyOptions = {
          ...(ks === undefined ? {} : { key: ks[i]! }),
          ...(opts?.training === undefined ? {} : { training: opts.training }),
        };
        h = (l.apply as (p: unknown, x: Tensor<any, any>, o: ApplyOptions) => Tensor<any, any>)(params[i], h, o);
      });
      return h as never;
    },
  };
  return out as unknown as Sequential<Ls>;
}

// ---------------------------------------------------------------------------------------------
// MLP

/** The parameters of an MLP with layer sizes `Sz`: one dense layer's parameters per consecutive pair. */
export type MlpParams<Sz extends readonly number[]> = Sz extends readonly [infer a extends number, infer b extends number, ...infer rest extends number[]]
  ? [LinearParams<a, b>, ...MlpParams<[b, ...rest]>]
  : [];

type Last<Sz extends readonly number[]> = Sz extends readonly [...unknown[], infer l extends number] ? l : number;

/** An activation given as a layer or as a plain tensor function (`T.relu`). */
export type Activation = ShapePreservingLayer | ((x: Tensor<any, any>) => Tensor<any, any>);

/** Options of {@link mlp}. */
export interface MlpOptions {
  /** Between hidden layers (default relu). */
  readonly activation?: Activation;
  /** After the last layer (default none: the MLP outputs logits). */
  readonly finalActivation?: Activation;
  /** Weight initializer (default PyTorch's Linear default). */
  readonly init?: Initializer;
  /** Bias initializer (default: PyTorch's without `init`, zeros with it). */
  readonly biasInit?: Initializer;
  /** Dropout probability after each hidden activation (default 0). */
  readonly dropout?: number;
}

const asFn = (a: Activation): ((x: Tensor<any, any>, o?: ApplyOptions) => Tensor<any, any>) =>
  typeof a === "function" ? (x) => a(x) : (x, o) => a.apply(null, x, o);

/**
 * A multilayer perceptron: `mlp([784, 200, 200, 10], { activation: relu, init: kaimingNormal })` is
 * dense layers 784→200→200→10 with the activation between them. Parameters are a tuple of
 * `{ w, b }` records, one per dense layer, typed with their shapes.
 *
 * @example
 * ```ts
 * const net = nn.mlp([784, 200, 200, 10], { init: nn.init.kaimingNormal });
 * const params = net.init(random.key(0));
 * const logits: Tensor<[32, 10]> = net.apply(params, zeros("32 784"));
 * ```
 */
export function mlp<const Sz extends readonly number[]>(sizes: Sz, opts: MlpOptions = {}): Layer<MlpParams<Sz>, [Sz[0]], [Last<Sz>]> {
  if (sizes.length < 2) throw new ShapeError("mlp", `needs at least two sizes (input and output), got [${sizes.join(", ")}]`);
  const lin = sizes.slice(1).map((o, i) =>
    linear(sizes[i]!, o, {
      ...(opts.init === undefined ? {} : { init: opts.init }),
      ...(opts.biasInit === undefined ? {} : { biasInit: opts.biasInit }),
    }),
  );
  const act = asFn(opts.activation ?? relu);
  const fin = opts.finalActivation === undefined ? undefined : asFn(opts.finalActivation);
  const drop = opts.dropout === undefined || opts.dropout === 0 ? undefined : dropout(opts.dropout);
  return {
    name: `mlp([${sizes.join(", ")}])`,
    init: (key) => {
      const ks = split(key, lin.length) as unknown as Key[];
      return lin.map((l, i) => l.init(ks[i]!)) as MlpParams<Sz>;
    },
    apply: (params, x, opts2) => {
      const ps = params as unknown as unknown[];
      if (!Array.isArray(ps) || ps.length !== lin.length) throw new ShapeError("mlp", `expected ${lin.length} parameter records`);
      const ks = opts2?.key === undefined || drop === undefined ? undefined : (split(opts2.key, lin.length) as unknown as Key[]);
      let h: Tensor<any, any> = x;
      lin.forEach((l, i) => {
        h = (l.apply as (p: unknown, x: Tensor<any, any>) => Tensor<any, any>)(ps[i], h);
        if (i < lin.length - 1) {
          h = act(h);
          if (drop !== undefined) h = drop.apply(null, h, { ...(ks === undefined ? {} : { key: ks[i]! }), ...(opts2?.training === undefined ? {} : { training: opts2.training }) });
        } else if (fin !== undefined) h = fin(h);
      });
      return h as never;
    },
  };
}
