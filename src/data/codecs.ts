/**
 * io-ts codecs for data from outside the program: tensors given as JSON (nested arrays or
 * `{ shape, dtype, data }`) and training configurations. Untrusted input becomes a typed value
 * here, or a message saying where it went wrong (`x[3][17]: expected a number, got "abc"`);
 * past this boundary the types are trusted.
 *
 * The tensor codec is an ordinary `t.Type`, so it composes:
 * `t.type({ x: tensorCodec("B 784"), y: tensorCodec("B", { dtype: "int32" }) })`.
 * Named dims bind to the first size seen and must agree from then on (in one tensor, not
 * across the fields of a record: each codec binds its own names).
 */
import * as t from "io-ts";
import { isLeft, left, mapLeft, right, type Either } from "fp-ts/lib/Either.js";
import { DTYPES, alloc, type DType } from "../tensor/dtype.js";
import { Concrete, impl, isTensor, typed, type AnyTensor, type Tensor } from "../tensor/tensor.js";
import { parseShape, type DimSpec } from "../shape/runtime.js";
import type { DimNames, ShapeOf } from "../shape/types.js";
import { DTypeError } from "../errors.js";

// ---------------------------------------------------------------------------------------------
// Messages

/** A short, readable rendering of an untrusted value for error messages. */
export function showValue(u: unknown): string {
  if (typeof u === "number") return Object.is(u, -0) ? "-0" : String(u);
  if (typeof u === "string") {
    const s = JSON.stringify(u.length > 40 ? `${u.slice(0, 40)}…` : u);
    return `string ${s}`;
  }
  if (typeof u === "boolean") return `boolean ${u}`;
  if (u === null) return "null";
  if (u === undefined) return "undefined";
  if (Array.isArray(u)) return `an array of length ${u.length}`;
  if (typeof u === "function") return "a function";
  if (typeof u === "bigint") return `bigint ${u}`;
  return "an object";
}

const CONTAINERS = new Set(["UnionType", "IntersectionType"]);

/** The path of an io-ts context: `x[3][17]`, `layers.0.w` style; union/intersection member indices are skipped. */
function contextPath(context: t.Context): string {
  let s = "";
  context.forEach((entry, i) => {
    if (entry.key === "") return;
    const parent = context[i - 1]?.type as { _tag?: string } | undefined;
    if (parent?._tag !== undefined && CONTAINERS.has(parent._tag)) return;
    if (/^\d+$/.test(entry.key)) s += `[${entry.key}]`;
    else s += s === "" ? entry.key : `.${entry.key}`;
  });
  return s;
}

/**
 * Formats io-ts errors as lines `path: what was wrong` (deduplicated, at most `max`),
 * prefixed by `label` (`tensor "B 784" at [3]: …`) when given.
 *
 * @example
 * ```ts
 * const r = data.PositiveInt.decode(-3);
 * if (r._tag === "Left") data.formatErrors(r.left, "batchSize"); // "batchSize: expected a positive integer, got -3"
 * ```
 */
export function formatErrors(errors: t.Errors, label?: string, max = 5): string {
  const lines: string[] = [];
  for (const e of errors) {
    const path = contextPath(e.context);
    const last = e.context[e.context.length - 1];
    const msg = e.message ?? `expected ${last?.type.name ?? "a valid value"}, got ${showValue(e.value)}`;
    const line =
      label === undefined ? (path === "" ? msg : `${path}: ${msg}`) : path === "" ? `${label}: ${msg}` : `${label} at ${path}: ${msg}`;
    if (!lines.includes(line)) lines.push(line);
  }
  if (lines.length === 0) return label === undefined ? "invalid value" : `${label}: invalid value`;
  const shown = lines.slice(0, max);
  if (lines.length > max) shown.push(`… and ${lines.length - max} more`);
  return shown.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Tensors

/** The JSON object form of a tensor, as produced by {@link encodeTensor} (bools as 0/1). */
export interface EncodedTensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: readonly number[];
}

/** Options of {@link tensorCodec}: the dtype (default `float32`), known sizes of named dims, and whether NaN/±Infinity pass. */
export interface TensorCodecOptions<S extends string = string, D extends DType = DType> {
  /** Element type of the decoded tensor (default `"float32"`). */
  readonly dtype?: D;
  /** Sizes the named dims must have; unlisted names bind to the first size seen. */
  readonly sizes?: { readonly [K in DimNames<ShapeOf<S>>]?: number };
  /** Accept NaN and ±Infinity (and float32 overflow) in float tensors; rejected by default. */
  readonly allowNonFinite?: boolean;
}

/** The io-ts codec of a tensor with shape spec `S` and dtype `D`. */
export type TensorCodec<S extends string, D extends DType = "float32"> = t.Type<Tensor<ShapeOf<S>, D>, EncodedTensor, unknown>;

/**
 * Encodes a tensor to its JSON object form `{ shape, dtype, data }` (row-major, bools as 0/1).
 *
 * @example
 * ```ts
 * data.encodeTensor(tensor([[1, 2], [3, 4]])); // { shape: [2, 2], dtype: "float32", data: [1, 2, 3, 4] }
 * ```
 */
export function encodeTensor(x: AnyTensor): EncodedTensor {
  const c = impl(x).concrete();
  return { shape: [...c.shape], dtype: c.dtype, data: Array.from(c.data) };
}

/** A decoding failure inside a tensor: where (indices below the codec's context) and what. */
class Failure {
  constructor(
    readonly path: readonly (string | number)[],
    readonly message: string,
  ) {}
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const FLOAT32_MAX = 3.4028234663852886e38;
const NON_FINITE_HINT = "(pass allowNonFinite: true to accept NaN and ±Infinity)";

/** The checker of one element for a dtype: the stored number, or a message. */
type ElementCheck = (v: unknown) => number | string;

function elementCheck(dtype: DType, allowNonFinite: boolean): ElementCheck {
  switch (dtype) {
    case "bool":
      return (v) =>
        v === true || v === 1 ? 1 : v === false || v === 0 ? 0 : typeof v === "number" ? `${showValue(v)} is not a bool (expected true, false, 0 or 1)` : `expected a bool (true, false, 0 or 1), got ${showValue(v)}`;
    case "int32":
      return (v) => {
        if (typeof v !== "number") return `expected a number, got ${showValue(v)}`;
        if (Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX) return v;
        return `${showValue(v)} is not an int32 (expected an integer in [${INT32_MIN}, ${INT32_MAX}])`;
      };
    case "float32":
    case "float64":
      return (v) => {
        if (typeof v !== "number") return `expected a number, got ${showValue(v)}`;
        if (!allowNonFinite) {
          if (!Number.isFinite(v)) return `${showValue(v)} is not allowed ${NON_FINITE_HINT}`;
          if (dtype === "float32" && Math.abs(v) > FLOAT32_MAX && !Number.isFinite(Math.fround(v)))
            return `${showValue(v)} overflows float32 (largest is ±${FLOAT32_MAX}) ${NON_FINITE_HINT}`;
        }
        return v;
      };
  }
}

/** What the spec says about each axis, and the sizes bound so far to its names. */
interface Binding {
  readonly spec: string;
  readonly dims: readonly DimSpec[];
  readonly sizes: Map<string, { size: number; by: string }>;
}

/** The size axis `d` must have, or -1 if its name is not bound yet. */
function expectedSize(b: Binding, d: number): number {
  const dim = b.dims[d]!;
  return typeof dim === "number" ? dim : (b.sizes.get(dim)?.size ?? -1);
}

/** Checks that axis `d` has size `n`, binding its name on first sight; a message if not. */
function checkAxis(b: Binding, d: number, n: number, noun: string): string | undefined {
  const dim = b.dims[d]!;
  if (typeof dim === "number") return n === dim ? undefined : `axis ${d} ${noun} ${n}, expected ${dim} (spec "${b.spec}")`;
  const bound = b.sizes.get(dim);
  if (bound === undefined) {
    b.sizes.set(dim, { size: n, by: `axis ${d}` });
    return undefined;
  }
  return n === bound.size ? undefined : `axis ${d} (${dim}) ${noun} ${n}, expected ${bound.size} (${dim} = ${bound.size} from ${bound.by})`;
}

function newBinding(spec: string, dims: readonly DimSpec[], given: Readonly<Record<string, number | undefined>> | undefined): Binding {
  const sizes = new Map<string, { size: number; by: string }>();
  for (const [k, v] of Object.entries(given ?? {})) if (v !== undefined) sizes.set(k, { size: v, by: "options.sizes" });
  return { spec, dims, sizes };
}

const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/**
 * Decodes nested arrays of rank `dims.length`; throws {@link Failure}. Two passes: the arrays'
 * lengths are all checked (binding names) before anything is allocated, so a lying first row
 * cannot make us allocate a huge buffer; then the elements are checked and written.
 */
function decodeNested(u: unknown, b: Binding, dtype: DType, check: ElementCheck): Concrete {
  const rank = b.dims.length;
  const path: number[] = [];
  const checkShape = (x: unknown, d: number): void => {
    if (!Array.isArray(x)) throw new Failure(path, `expected an array for axis ${d} of "${b.spec}", got ${showValue(x)}`);
    const msg = checkAxis(b, d, x.length, "has length");
    if (msg !== undefined) throw new Failure(path, msg);
    if (d + 1 === rank) return;
    for (let i = 0; i < x.length; i++) {
      path.push(i);
      checkShape(x[i], d + 1);
      path.pop();
    }
  };
  if (rank > 0) checkShape(u, 0);
  const shape = b.dims.map((_, d) => expectedSize(b, d));
  const unknown = shape.findIndex((n) => n < 0);
  if (unknown >= 0) {
    const name = b.dims[unknown] as string;
    throw new Failure([], `cannot tell the size of ${name} (axis ${unknown}) from an empty array; pass sizes: { ${name}: … }`);
  }
  const data = alloc(dtype, product(shape));
  let k = 0;
  const fill = (x: unknown, d: number): void => {
    if (d < rank) {
      const xs = x as readonly unknown[];
      for (let i = 0; i < xs.length; i++) {
        path.push(i);
        fill(xs[i], d + 1);
        path.pop();
      }
      return;
    }
    if (Array.isArray(x)) throw new Failure(path, `expected a number, got ${showValue(x)} (the data has more dims than "${b.spec}")`);
    const v = check(x);
    if (typeof v === "string") throw new Failure(path, v);
    data[k++] = v;
  };
  fill(u, 0);
  return new Concrete(shape, dtype, data, names(b.dims));
}

const names = (dims: readonly DimSpec[]): (string | null)[] => dims.map((d) => (typeof d === "string" ? d : null));

const DTypeCodec = t.keyof(Object.fromEntries(DTYPES.map((d) => [d, null])) as Record<DType, null>, DTYPES.map((d) => `"${d}"`).join(" | "));

/** A non-negative safe integer. */
const NonNegativeInt = new t.Type<number, number, unknown>(
  "a non-negative integer",
  (u): u is number => typeof u === "number" && Number.isSafeInteger(u) && u >= 0,
  (u, c) => (typeof u === "number" && Number.isSafeInteger(u) && u >= 0 ? t.success(u) : t.failure(u, c)),
  (n) => n,
);

/** An array of anything (its elements are checked against the dtype later, with their index). */
const Values = new t.Type<unknown[], unknown[], unknown>("an array of values", Array.isArray, (u, c) => (Array.isArray(u) ? t.success(u) : t.failure(u, c)), (a) => a);

const ObjectForm = t.intersection([t.type({ shape: t.array(NonNegativeInt, "an array of sizes"), data: Values }), t.partial({ dtype: DTypeCodec })]);

/** Decodes the object form `{ shape, dtype?, data }`; throws {@link Failure} (io-ts errors are returned). */
function decodeObject(u: unknown, c: t.Context, b: Binding, dtype: DType, check: ElementCheck): Concrete | t.Errors {
  const r = ObjectForm.validate(u, [...c, { key: "", type: ObjectForm, actual: u }]);
  if (isLeft(r)) return r.left;
  const { shape, data: values, dtype: given } = r.right;
  if (given !== undefined && given !== dtype) throw new Failure(["dtype"], `"${given}" does not match the expected dtype "${dtype}"`);
  if (shape.length !== b.dims.length)
    throw new Failure(["shape"], `[${shape.join(", ")}] has rank ${shape.length}, but "${b.spec}" has rank ${b.dims.length}`);
  for (let d = 0; d < shape.length; d++) {
    const msg = checkAxis(b, d, shape[d]!, "is");
    if (msg !== undefined) throw new Failure(["shape"], msg);
  }
  const n = product(shape);
  if (values.length !== n) throw new Failure(["data"], `has ${values.length} values, but shape [${shape.join(", ")}] needs ${n}`);
  const data = alloc(dtype, n);
  for (let i = 0; i < n; i++) {
    const v = check(values[i]);
    if (typeof v === "string") throw new Failure(["data", i], v);
    data[i] = v;
  }
  return new Concrete([...shape], dtype, data, names(b.dims));
}

/** Whether a tensor's dtype and sizes fit the spec (names bound consistently). */
function fitsSpec(x: AnyTensor, spec: string, dims: readonly DimSpec[], dtype: DType, given: TensorCodecOptions["sizes"]): boolean {
  if (x.dtype !== dtype || x.shape.length !== dims.length) return false;
  const b = newBinding(spec, dims, given as Readonly<Record<string, number | undefined>> | undefined);
  return x.shape.every((n, d) => checkAxis(b, d, n, "is") === undefined);
}

const OPTION_KEYS = ["dtype", "sizes", "allowNonFinite"];

/** Checks `tensorCodec`'s options at run time (they may come from untyped code): a {@link DTypeError} or a `TypeError` naming the option. */
function checkOptions(opts: unknown): void {
  if (opts === null || typeof opts !== "object" || Array.isArray(opts))
    throw new TypeError(`tensorCodec: options must be an object like { dtype: "int32" }, got ${showValue(opts)}`);
  const o = opts as Record<string, unknown>;
  const unknownKeys = Object.keys(o).filter((k) => !OPTION_KEYS.includes(k));
  if (unknownKeys.length > 0) throw new TypeError(`tensorCodec: unknown option${unknownKeys.length > 1 ? "s" : ""} ${unknownKeys.map((k) => `"${k}"`).join(", ")} (expected ${OPTION_KEYS.join(", ")})`);
  const dtype = o["dtype"];
  if (dtype !== undefined && !(typeof dtype === "string" && (DTYPES as readonly string[]).includes(dtype)))
    throw new DTypeError("tensorCodec", `unknown dtype ${typeof dtype === "string" ? `"${dtype}"` : showValue(dtype)} (expected one of ${DTYPES.join(", ")})`);
  if (o["allowNonFinite"] !== undefined && typeof o["allowNonFinite"] !== "boolean")
    throw new TypeError(`tensorCodec: allowNonFinite must be a boolean, got ${showValue(o["allowNonFinite"])}`);
  if (o["sizes"] !== undefined && (o["sizes"] === null || typeof o["sizes"] !== "object" || Array.isArray(o["sizes"])))
    throw new TypeError(`tensorCodec: sizes must be an object like { B: 32 }, got ${showValue(o["sizes"])}`);
}

/**
 * The io-ts codec of a tensor with shape spec `spec` (`"B 784"`): decodes nested arrays (a bare
 * number for rank 0), the object form `{ shape, dtype?, data }`, or a tensor that already fits;
 * encodes to the object form.
 *
 * @example
 * ```ts
 * const codec = data.tensorCodec("2 2", { dtype: "float64" });
 * const decoded = codec.decode({ shape: [2, 2], dtype: "float64", data: [1, 0, 0, 1] }); // Right
 * const json = decoded._tag === "Right" ? codec.encode(decoded.right) : undefined; // { shape, dtype, data }
 * ```
 */
export function tensorCodec<const S extends string, D extends DType = "float32">(spec: S, opts: TensorCodecOptions<S, D> = {}): TensorCodec<S, D> {
  checkOptions(opts);
  const dims = parseShape(spec, "tensorCodec");
  const dtype = (opts.dtype ?? "float32") as D;
  const check = elementCheck(dtype, opts.allowNonFinite ?? false);
  const given = opts.sizes as Readonly<Record<string, number | undefined>> | undefined;
  for (const [k, v] of Object.entries(given ?? {})) {
    if (!dims.includes(k)) throw new Error(`tensorCodec: sizes names '${k}', which is not a dim of "${spec}"`);
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0)) throw new Error(`tensorCodec: sizes.${k} = ${v} is not a non-negative integer`);
  }
  const is = (u: unknown): u is Tensor<ShapeOf<S>, D> => isTensor(u) && fitsSpec(u, spec, dims, dtype, opts.sizes);
  return new t.Type<Tensor<ShapeOf<S>, D>, EncodedTensor, unknown>(
    `Tensor<"${spec}", ${dtype}>`,
    is,
    (u, c) => {
      const b = newBinding(spec, dims, given);
      try {
        if (isTensor(u)) {
          if (u.dtype !== dtype) throw new Failure([], `tensor has dtype ${u.dtype}, expected ${dtype}`);
          if (u.shape.length !== dims.length) throw new Failure([], `tensor has rank ${u.shape.length}, but "${spec}" has rank ${dims.length}`);
          u.shape.forEach((n, d) => {
            const msg = checkAxis(b, d, n, "is");
            if (msg !== undefined) throw new Failure([], msg);
          });
          return t.success(u as Tensor<ShapeOf<S>, D>);
        }
        const isObject = u !== null && typeof u === "object" && !Array.isArray(u);
        const out = isObject ? decodeObject(u, c, b, dtype, check) : decodeNested(u, b, dtype, check);
        return out instanceof Concrete ? t.success(typed<ShapeOf<S>, D>(out)) : t.failures(out);
      } catch (e) {
        if (!(e instanceof Failure)) throw e;
        let ctx = c;
        let value: unknown = u;
        for (const key of e.path) {
          value = Array.isArray(value) ? value[key as number] : (value as Record<string, unknown> | undefined)?.[key];
          ctx = [...ctx, { key: String(key), type: t.unknown, actual: value }];
        }
        return t.failure(value, ctx, e.message);
      }
    },
    (x) => encodeTensor(x),
  );
}

/**
 * Decodes untrusted JSON into a tensor of shape spec `spec`: `decodeTensor("B 784")(json)` is a
 * tensor or a readable message (`tensor "B 784" at [3][17]: expected a number, got string "x"`).
 *
 * @example
 * ```ts
 * const parse = data.decodeTensor("B 3");
 * const ok = parse(JSON.parse("[[1, 2, 3], [4, 5, 6]]")); // Right: Tensor<["B", 3]> with B = 2
 * const bad = parse(JSON.parse('[[1, 2, "x"]]')); // Left: 'tensor "B 3" at [0][2]: expected a number, got string "x"'
 * if (ok._tag === "Right") ok.right.shape; // [2, 3]
 * ```
 */
export const decodeTensor =
  <const S extends string, D extends DType = "float32">(spec: S, opts: TensorCodecOptions<S, D> = {}) =>
  (json: unknown): Either<string, Tensor<ShapeOf<S>, D>> => {
    const codec = tensorCodec(spec, opts);
    return mapLeft((errors: t.Errors) => formatErrors(errors, `tensor "${spec}"`))(codec.decode(json));
  };

// ---------------------------------------------------------------------------------------------
// Training configuration

const numberType = (name: string, ok: (n: number) => boolean): t.Type<number, number, unknown> =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === "number" && ok(u),
    (u, c) => (typeof u === "number" && ok(u) ? t.success(u) : t.failure(u, c)),
    (n) => n,
  );

/**
 * A positive safe integer.
 *
 * @example
 * ```ts
 * data.PositiveInt.is(32); // true
 * data.PositiveInt.is(0); // false
 * ```
 */
export const PositiveInt = numberType("a positive integer", (n) => Number.isSafeInteger(n) && n > 0);
/**
 * A safe integer (any sign).
 *
 * @example
 * ```ts
 * data.Int.is(-3); // true
 * data.Int.is(1.5); // false
 * ```
 */
export const Int = numberType("an integer", (n) => Number.isSafeInteger(n));
/**
 * A positive, finite number.
 *
 * @example
 * ```ts
 * data.PositiveNumber.is(0.1); // true
 * data.PositiveNumber.is(Number.POSITIVE_INFINITY); // false
 * ```
 */
export const PositiveNumber = numberType("a positive finite number", (n) => Number.isFinite(n) && n > 0);

/**
 * The models a training config can name.
 *
 * @example
 * ```ts
 * data.TRAIN_MODELS; // ["softmax", "mlp"]
 * ```
 */
export const TRAIN_MODELS = ["softmax", "mlp"] as const;

/**
 * The io-ts codec of a complete training configuration.
 *
 * @example
 * ```ts
 * data.trainConfigCodec.decode({ model: "mlp", epochs: 5, batchSize: 200, lr: 0.1, seed: 0 }); // Right
 * data.trainConfigCodec.decode({ model: "mlp", epochs: 5 }); // Left: all five are required (decodeTrainConfig fills defaults)
 * ```
 */
export const trainConfigCodec = t.type(
  {
    model: t.keyof({ softmax: null, mlp: null }, TRAIN_MODELS.map((m) => `"${m}"`).join(" | ")),
    epochs: PositiveInt,
    batchSize: PositiveInt,
    lr: PositiveNumber,
    seed: Int,
  },
  "TrainConfig",
);

/** A validated training configuration. */
export type TrainConfig = t.TypeOf<typeof trainConfigCodec>;

/**
 * Defaults of a training config; `batchSize` depends on the model (softmax 256, as in d2l; mlp 200).
 *
 * @example
 * ```ts
 * data.TRAIN_CONFIG_DEFAULTS.epochs; // 10
 * ```
 */
export const TRAIN_CONFIG_DEFAULTS: { readonly model: TrainConfig["model"]; readonly epochs: number; readonly lr: number; readonly seed: number; readonly batchSize: Readonly<Record<TrainConfig["model"], number>> } = {
  model: "softmax",
  epochs: 10,
  lr: 0.1,
  seed: 0,
  batchSize: { softmax: 256, mlp: 200 },
};

const TRAIN_KEYS = Object.keys(trainConfigCodec.props);

/**
 * Decodes a possibly partial training config (a parsed config file, flags as an object), filling
 * in defaults; unknown keys are errors (a typo should not silently fall back to a default).
 *
 * @example
 * ```ts
 * const cfg = data.decodeTrainConfig(JSON.parse('{"model": "mlp", "epochs": 2}'));
 * if (cfg._tag === "Right") cfg.right.lr; // the default learning rate filled in
 * data.decodeTrainConfig({ epochs: -1 }); // Left("train config: epochs: expected a positive integer, got -1")
 * ```
 */
export function decodeTrainConfig(input: unknown): Either<string, TrainConfig> {
  if (input === undefined) input = {};
  if (input === null || typeof input !== "object" || Array.isArray(input)) return left(`train config: expected an object, got ${showValue(input)}`);
  const raw = input as Record<string, unknown>;
  const unknownKeys = Object.keys(raw).filter((k) => !TRAIN_KEYS.includes(k));
  if (unknownKeys.length > 0)
    return left(`train config: unknown key${unknownKeys.length > 1 ? "s" : ""} ${unknownKeys.map((k) => `"${k}"`).join(", ")} (expected ${TRAIN_KEYS.join(", ")})`);
  const model = raw["model"] ?? TRAIN_CONFIG_DEFAULTS.model;
  const batchDefault = model === "mlp" || model === "softmax" ? TRAIN_CONFIG_DEFAULTS.batchSize[model] : TRAIN_CONFIG_DEFAULTS.batchSize.softmax;
  const merged = {
    model,
    epochs: raw["epochs"] ?? TRAIN_CONFIG_DEFAULTS.epochs,
    batchSize: raw["batchSize"] ?? batchDefault,
    lr: raw["lr"] ?? TRAIN_CONFIG_DEFAULTS.lr,
    seed: raw["seed"] ?? TRAIN_CONFIG_DEFAULTS.seed,
  };
  const r = trainConfigCodec.decode(merged);
  if (!isLeft(r)) return right(r.right);
  return left(
    formatErrors(r.left)
      .split("\n")
      .map((line) => `train config: ${line}`)
      .join("\n"),
  );
}
