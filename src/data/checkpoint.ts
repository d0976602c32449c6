/**
 * Checkpoints: parameter trees saved to and loaded from one binary file.
 *
 * | offset | field                                                                      |
 * |--------|----------------------------------------------------------------------------|
 * | 0      | magic `"TENFOLD1"` (8 bytes)                                               |
 * | 8      | header length `H` (uint32, little-endian)                                  |
 * | 12     | header: `H` bytes of UTF-8 JSON ({@link CheckpointHeader})                 |
 * | …      | zero padding to a multiple of 8; the data section starts there             |
 * | D      | each leaf's raw little-endian bytes at `D + offset` (offsets multiples of 8) |
 *
 * The header records the tree's structure (records, arrays, static strings/booleans/null), and
 * for each leaf its path (`"layers.0.w"`), kind (tensor or plain number), shape, dtype, byte
 * offset and length, plus the data length and a CRC-32 of the data. Loading decodes the header
 * with io-ts and checks every offset against the file, so a truncated, corrupt or foreign file
 * is a message naming the file, never a garbage tensor. Tensor bytes are copied verbatim, so a
 * round trip is bit-exact (NaN payloads and -0 included).
 */
import { readFileSync } from "node:fs";
import * as t from "io-ts";
import { isLeft, left, right, type Either } from "fp-ts/lib/Either.js";
import { DTYPES, type DType, type Storage } from "../tensor/dtype.js";
import { Concrete, impl, isTensor, typed } from "../tensor/tensor.js";
import { flatten, leafPaths, type Tree } from "../core/pytree.js";
import { showShape } from "../errors.js";
import { formatErrors } from "./codecs.js";
import { writeFileAtomic } from "./cache.js";

/**
 * The 8 bytes every checkpoint starts with.
 *
 * @example
 * ```ts
 * data.CHECKPOINT_MAGIC; // "TENFOLD1", the first 8 bytes of every checkpoint file
 * ```
 */
export const CHECKPOINT_MAGIC = "TENFOLD1";

/**
 * The header version this build writes and reads.
 *
 * @example
 * ```ts
 * data.CHECKPOINT_VERSION; // 1
 * ```
 */
export const CHECKPOINT_VERSION = 1;

const PREFIX = 12; // magic + header length
const BYTES: Readonly<Record<DType, number>> = { float32: 4, float64: 8, int32: 4, bool: 1 };
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------
// The header and its codec

/** A node of the saved tree structure. */
export type TreeNode =
  | { readonly kind: "leaf"; readonly index: number }
  | { readonly kind: "array"; readonly items: readonly TreeNode[] }
  | { readonly kind: "record"; readonly entries: readonly [string, TreeNode][] }
  | { readonly kind: "value"; readonly value: string | boolean | null }
  | { readonly kind: "undefined" };

const NonNegativeInt = new t.Type<number, number, unknown>(
  "a non-negative integer",
  (u): u is number => typeof u === "number" && Number.isSafeInteger(u) && u >= 0,
  (u, c) => (typeof u === "number" && Number.isSafeInteger(u) && u >= 0 ? t.success(u) : t.failure(u, c)),
  (n) => n,
);

const DTypeCodec = t.keyof(Object.fromEntries(DTYPES.map((d) => [d, null])) as Record<DType, null>, DTYPES.map((d) => `"${d}"`).join(" | "));

const TreeNodeCodec: t.Type<TreeNode> = t.recursion("TreeNode", () =>
  t.union([
    t.type({ kind: t.literal("leaf"), index: NonNegativeInt }),
    t.type({ kind: t.literal("array"), items: t.readonlyArray(TreeNodeCodec) }),
    t.type({ kind: t.literal("record"), entries: t.readonlyArray(t.tuple([t.string, TreeNodeCodec])) }),
    t.type({ kind: t.literal("value"), value: t.union([t.string, t.boolean, t.null]) }),
    t.type({ kind: t.literal("undefined") }),
  ]),
);

const LeafEntryCodec = t.intersection([
  t.type({
    path: t.string,
    kind: t.keyof({ tensor: null, number: null }),
    shape: t.array(NonNegativeInt),
    dtype: DTypeCodec,
    offset: NonNegativeInt,
    byteLength: NonNegativeInt,
  }),
  t.partial({ names: t.array(t.union([t.string, t.null])) }),
]);

/** One leaf as described in the header. */
export type LeafEntry = t.TypeOf<typeof LeafEntryCodec>;

/**
 * The io-ts codec of a checkpoint header.
 *
 * @example
 * ```ts
 * data.CheckpointHeaderCodec.is({ format: "tenfold-checkpoint" }); // false: the other fields are missing
 * ```
 */
export const CheckpointHeaderCodec = t.type({
  format: t.literal("tenfold-checkpoint"),
  version: t.literal(CHECKPOINT_VERSION),
  tree: TreeNodeCodec,
  leaves: t.array(LeafEntryCodec),
  dataLength: NonNegativeInt,
  crc32: NonNegativeInt,
});

/** The JSON header of a checkpoint. */
export type CheckpointHeader = t.TypeOf<typeof CheckpointHeaderCodec>;

// ---------------------------------------------------------------------------------------------
// Helpers

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * Continues a CRC-32 (IEEE, as in zlib) over `bytes`; start with `0`.
 *
 * @example
 * ```ts
 * data.crc32(new TextEncoder().encode("123456789")); // 0xcbf43926
 * ```
 */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;
const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);
const showPath = (path: string): string => (path === "" ? "(the root)" : `"${path}"`);
const join = (path: string, key: string | number): string => (path === "" ? String(key) : `${path}.${key}`);
const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype;

/** Reverses the bytes of each `size`-byte element in place (for big-endian hosts). */
function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

/** The storage of a dtype viewing a fresh copy of `bytes` (little-endian in the file). */
function storageFrom(dtype: DType, bytes: Uint8Array): Storage {
  const copy = new Uint8Array(bytes.length); // not bytes.slice(): on a Node Buffer that is a view
  copy.set(bytes);
  if (!LITTLE_ENDIAN) swapBytes(copy, BYTES[dtype]);
  const n = copy.length / BYTES[dtype];
  switch (dtype) {
    case "float32":
      return new Float32Array(copy.buffer, 0, n);
    case "float64":
      return new Float64Array(copy.buffer, 0, n);
    case "int32":
      return new Int32Array(copy.buffer, 0, n);
    case "bool":
      return copy;
  }
}

// ---------------------------------------------------------------------------------------------
// Saving

interface PendingLeaf {
  readonly entry: Omit<LeafEntry, "offset">;
  readonly bytes: Uint8Array;
}

/** The structure of `x` as nodes, collecting leaves in {@link flatten}'s order (record keys sorted). */
function encodeNode(x: unknown, path: string, leaves: PendingLeaf[], ancestors: Set<object>): TreeNode {
  if (typeof x === "number") {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, x, true);
    leaves.push({ entry: { path, kind: "number", shape: [], dtype: "float64", byteLength: 8 }, bytes });
    return { kind: "leaf", index: leaves.length - 1 };
  }
  if (isTensor(x)) {
    const c = impl(x).tryConcrete();
    if (c === null) throw new Error(`checkpoint: cannot save the traced value at ${showPath(path)} (inside jit, values are not known yet)`);
    let bytes = new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength);
    if (!LITTLE_ENDIAN) swapBytes((bytes = Uint8Array.from(bytes)), BYTES[c.dtype]);
    const entry: Omit<LeafEntry, "offset"> = { path, kind: "tensor", shape: [...c.shape], dtype: c.dtype, byteLength: bytes.byteLength };
    const named = c.names.some((n) => n !== null);
    leaves.push({ entry: named ? { ...entry, names: [...c.names] } : entry, bytes });
    return { kind: "leaf", index: leaves.length - 1 };
  }
  if (typeof x === "string" || typeof x === "boolean" || x === null) return { kind: "value", value: x };
  if (x === undefined) return { kind: "undefined" };
  if (Array.isArray(x) || isPlainObject(x)) {
    if (ancestors.has(x)) throw new Error(`checkpoint: the tree contains a cycle at ${showPath(path)}`);
    ancestors.add(x);
    const node: TreeNode = Array.isArray(x)
      ? { kind: "array", items: x.map((c, i) => encodeNode(c, join(path, i), leaves, ancestors)) }
      : {
          kind: "record",
          entries: Object.keys(x)
            .sort()
            .map((k): [string, TreeNode] => [k, encodeNode(x[k], join(path, k), leaves, ancestors)]),
        };
    ancestors.delete(x);
    return node;
  }
  const what = typeof x === "object" ? `an instance of ${(x as object).constructor?.name ?? "an unknown class"}` : `a ${typeof x}`;
  throw new Error(`checkpoint: cannot save ${what} at ${showPath(path)} (a tree holds tensors, numbers, records, arrays, strings, booleans and null)`);
}

/**
 * Encodes a parameter tree (tensors and numbers in records and arrays) as checkpoint bytes.
 *
 * @example
 * ```ts
 * const bytes: Uint8Array = data.serialize({ w: ones("2 2"), b: zeros("2"), step: 3 });
 * ```
 */
export function serialize(tree: unknown): Uint8Array {
  const pending: PendingLeaf[] = [];
  const root = encodeNode(tree, "", pending, new Set());
  let end = 0;
  let crc = 0;
  const zeros = new Uint8Array(8);
  const leaves: LeafEntry[] = pending.map(({ entry, bytes }) => {
    const offset = align8(end);
    crc = crc32(zeros.subarray(0, offset - end), crc);
    crc = crc32(bytes, crc);
    end = offset + bytes.byteLength;
    return { ...entry, offset };
  });
  const header: CheckpointHeader = { format: "tenfold-checkpoint", version: CHECKPOINT_VERSION, tree: root, leaves, dataLength: end, crc32: crc };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align8(PREFIX + json.length);
  const out = new Uint8Array(dataStart + end);
  out.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, PREFIX);
  pending.forEach(({ bytes }, i) => out.set(bytes, dataStart + leaves[i]!.offset));
  return out;
}

/**
 * Saves a parameter tree to `path` atomically (temp file, then rename), creating the directory.
 *
 * @example
 * ```ts
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const file = join(tmpdir(), "params.tenfold");
 * data.saveCheckpoint(file, { w: ones("2 2"), b: zeros("2") }); // atomic: a crash leaves the old file
 * ```
 */
export function saveCheckpoint(path: string, tree: unknown): void {
  writeFileAtomic(path, serialize(tree));
}

// ---------------------------------------------------------------------------------------------
// Loading

/** A failure while reading a checkpoint (caught and turned into a `Left`). */
class Bad extends Error {}

const printable = (bytes: Uint8Array): string =>
  `"${Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`)).join("")}"`;

/** Parses and checks the header; returns it with the data section's start. */
function readHeader(bytes: Uint8Array): { header: CheckpointHeader; dataStart: number } {
  if (bytes.length < PREFIX) throw new Bad(`not a tenfold checkpoint: the file has only ${bytes.length} bytes`);
  const magic = bytes.subarray(0, 8);
  if (new TextDecoder("latin1").decode(magic) !== CHECKPOINT_MAGIC)
    throw new Bad(`not a tenfold checkpoint: it starts with ${printable(magic)}, not "${CHECKPOINT_MAGIC}"`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (PREFIX + headerLength > bytes.length)
    throw new Bad(`truncated: the header should have ${headerLength} bytes, but the file has only ${bytes.length - PREFIX} after the magic`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + headerLength)));
  } catch (e) {
    throw new Bad(`corrupt header: not valid UTF-8 JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (isPlainObject(json) && json["format"] === "tenfold-checkpoint" && json["version"] !== CHECKPOINT_VERSION)
    throw new Bad(`unsupported checkpoint version ${JSON.stringify(json["version"])} (this build reads version ${CHECKPOINT_VERSION})`);
  const decoded = CheckpointHeaderCodec.decode(json);
  if (isLeft(decoded)) throw new Bad(`corrupt header:\n${formatErrors(decoded.left, "header")}`);
  const header = decoded.right;
  const dataStart = align8(PREFIX + headerLength);
  const expected = dataStart + header.dataLength;
  if (bytes.length < expected) throw new Bad(`truncated: expected ${expected} bytes, the file has ${bytes.length}`);
  if (bytes.length > expected) throw new Bad(`corrupt: ${bytes.length - expected} unexpected bytes after the data (expected ${expected} bytes, the file has ${bytes.length})`);
  return { header, dataStart };
}

/** Checks each leaf entry against the data section and the tree against the leaf list. */
function checkLayout(header: CheckpointHeader): void {
  header.leaves.forEach((leaf, i) => {
    const where = `leaf ${i} (${showPath(leaf.path)})`;
    if (leaf.kind === "number" && (leaf.dtype !== "float64" || leaf.shape.length !== 0))
      throw new Bad(`corrupt header: ${where} is a number but is described as ${leaf.dtype} ${showShape(leaf.shape)}`);
    const size = product(leaf.shape);
    if (!Number.isSafeInteger(size) || leaf.byteLength !== size * BYTES[leaf.dtype])
      throw new Bad(`corrupt header: ${where} has ${leaf.byteLength} bytes, but ${leaf.dtype} ${showShape(leaf.shape)} needs ${size * BYTES[leaf.dtype]}`);
    if (leaf.offset + leaf.byteLength > header.dataLength)
      throw new Bad(`corrupt header: ${where} lies at bytes ${leaf.offset}..${leaf.offset + leaf.byteLength}, beyond the ${header.dataLength} bytes of data`);
    if (leaf.names !== undefined && leaf.names.length !== leaf.shape.length)
      throw new Bad(`corrupt header: ${where} has ${leaf.names.length} dim names for rank ${leaf.shape.length}`);
  });
  let next = 0;
  const visit = (node: TreeNode, path: string): void => {
    switch (node.kind) {
      case "leaf": {
        const leaf = header.leaves[node.index];
        if (node.index !== next || leaf === undefined)
          throw new Bad(`corrupt header: the tree refers to leaf ${node.index} at ${showPath(path)}, expected leaf ${next} of ${header.leaves.length}`);
        if (leaf.path !== path) throw new Bad(`corrupt header: leaf ${next} is at ${showPath(path)} in the tree but says ${showPath(leaf.path)}`);
        next++;
        return;
      }
      case "array":
        node.items.forEach((c, i) => visit(c, join(path, i)));
        return;
      case "record":
        node.entries.forEach(([k, c]) => visit(c, join(path, k)));
        return;
      default:
        return;
    }
  };
  visit(header.tree, "");
  if (next !== header.leaves.length) throw new Bad(`corrupt header: the tree uses ${next} of its ${header.leaves.length} leaves`);
}

/** Reads leaf `i`'s value out of the data section. */
function readLeaf(leaf: LeafEntry, data: Uint8Array): Concrete | number {
  const bytes = data.subarray(leaf.offset, leaf.offset + leaf.byteLength);
  if (leaf.kind === "number") return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true);
  const storage = storageFrom(leaf.dtype, bytes);
  if (leaf.dtype === "bool") {
    const bad = storage.findIndex((v) => v !== 0 && v !== 1);
    if (bad >= 0) throw new Bad(`corrupt data: bool parameter ${showPath(leaf.path)} holds ${storage[bad]} at element ${bad}`);
  }
  return leaf.names === undefined ? new Concrete(leaf.shape, leaf.dtype, storage) : new Concrete(leaf.shape, leaf.dtype, storage, leaf.names);
}

/** Rebuilds the saved tree from its nodes and leaf values. */
function buildTree(node: TreeNode, values: readonly unknown[]): unknown {
  switch (node.kind) {
    case "leaf": {
      const v = values[node.index];
      return v instanceof Concrete ? typed(v) : v;
    }
    case "array":
      return node.items.map((c) => buildTree(c, values));
    case "record":
      return Object.fromEntries(node.entries.map(([k, c]) => [k, buildTree(c, values)]));
    case "value":
      return node.value;
    case "undefined":
      return undefined;
  }
}

const describeLeaf = (x: { kind: "tensor" | "number"; shape: readonly number[]; dtype: DType }): string =>
  x.kind === "number" ? "a number" : `a ${x.dtype} tensor of shape ${showShape(x.shape)}`;

/** Puts the file's leaves in the order of `like`'s leaves, or lists every way they differ. */
function fitLike<T>(like: T, header: CheckpointHeader, values: readonly unknown[]): T {
  const { leaves: modelLeaves, unflatten } = flatten(like);
  const modelPaths = leafPaths(like);
  const byPath = new Map<string, number[]>();
  header.leaves.forEach((leaf, i) => byPath.set(leaf.path, [...(byPath.get(leaf.path) ?? []), i]));
  const problems: string[] = [];
  const missing: string[] = [];
  const chosen: unknown[] = [];
  modelLeaves.forEach((m, i) => {
    const path = modelPaths[i] ?? "";
    const j = byPath.get(path)?.shift();
    if (j === undefined) return missing.push(showPath(path));
    const file = header.leaves[j]!;
    const model = typeof m === "number" ? { kind: "number" as const, shape: [], dtype: "float64" as const } : { kind: "tensor" as const, shape: [...m.shape], dtype: m.dtype };
    const name = `parameter ${showPath(path)}`;
    if (file.kind !== model.kind) problems.push(`${name} is ${describeLeaf(file)} in the file but ${describeLeaf(model)} in the model`);
    else if (model.kind === "tensor" && (file.shape.length !== model.shape.length || file.shape.some((d, k) => d !== model.shape[k])))
      problems.push(`${name} has shape ${showShape(file.shape)} in the file but ${showShape(model.shape)} in the model`);
    else if (file.dtype !== model.dtype) problems.push(`${name} has dtype ${file.dtype} in the file but ${model.dtype} in the model`);
    chosen.push(values[j]);
  });
  const extra = [...byPath.values()].flat().sort((a, b) => a - b).map((j) => showPath(header.leaves[j]!.path));
  if (missing.length > 0) problems.push(`missing from the file: ${missing.length === 1 ? "parameter" : "parameters"} ${missing.join(", ")}`);
  if (extra.length > 0) problems.push(`not in the model: ${extra.length === 1 ? "parameter" : "parameters"} ${extra.join(", ")}`);
  if (problems.length === 1) throw new Bad(problems[0]!);
  if (problems.length > 1) throw new Bad(`does not fit the model:\n  ${problems.join("\n  ")}`);
  return unflatten(chosen.map((v) => (v instanceof Concrete ? typed(v) : v))) as T;
}

/**
 * Decodes checkpoint bytes into a parameter tree; with `like` (the model's parameters, e.g. from
 * `init`), checks every path, shape and dtype against it and returns a tree of `like`'s type and structure.
 * Messages start with `source` (the file name when called by {@link loadCheckpoint}).
 *
 * @example
 * ```ts
 * const bytes = data.serialize({ w: ones("2 2"), step: 3 });
 * const back = data.deserialize(bytes, { w: zeros("2 2"), step: 0 }); // Right: the same tree, checked against `like`
 * ```
 */
export function deserialize(bytes: Uint8Array, like?: undefined, source?: string): Either<string, Tree>;
export function deserialize<T>(bytes: Uint8Array, like: T, source?: string): Either<string, T>;
export function deserialize(bytes: Uint8Array, like?: unknown, source = "checkpoint"): Either<string, unknown> {
  try {
    const { header, dataStart } = readHeader(bytes);
    const data = bytes.subarray(dataStart);
    const crc = crc32(data);
    if (crc !== header.crc32) throw new Bad(`corrupt data: CRC-32 is ${crc}, but the header says ${header.crc32}`);
    checkLayout(header);
    const values = header.leaves.map((leaf) => readLeaf(leaf, data));
    return right(like === undefined ? buildTree(header.tree, values) : fitLike(like, header, values));
  } catch (e) {
    if (e instanceof Bad) return left(`${source}: ${e.message}`);
    if (e instanceof RangeError) return left(`${source}: corrupt header: ${e.message}`);
    throw e;
  }
}

/**
 * Loads a checkpoint file; with `like`, checks it against the model's parameters (see {@link deserialize}).
 *
 * @example
 * ```ts
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const file = join(tmpdir(), "params-example.tenfold");
 * data.saveCheckpoint(file, { w: ones("2 2") });
 * const loaded = data.loadCheckpoint(file, { w: zeros("2 2") }); // Right({ w }), or Left naming the file and the problem
 * ```
 */
export function loadCheckpoint(path: string, like?: undefined): Either<string, Tree>;
export function loadCheckpoint<T>(path: string, like: T): Either<string, T>;
export function loadCheckpoint(path: string, like?: unknown): Either<string, unknown> {
  let bytes: Uint8Array;
  try {
    const buf = readFileSync(path);
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    return left(`checkpoint ${path}: cannot read the file (${e instanceof Error ? e.message : String(e)})`);
  }
  return deserialize(bytes, like, `checkpoint ${path}`);
}
