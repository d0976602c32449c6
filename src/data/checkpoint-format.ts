/**
 * The checkpoint format: parameter trees as the bytes of one binary file (format version 2).
 *
 * | offset | field                                                                          |
 * |--------|--------------------------------------------------------------------------------|
 * | 0      | magic `"TENFOLD1"` (8 bytes)                                                   |
 * | 8      | header length `H` (uint32, little-endian)                                      |
 * | 12     | header: `H` bytes of UTF-8 JSON ({@link CheckpointHeader})                     |
 * | …      | zero padding to a multiple of 8; the data section starts there, at `D`         |
 * | D      | the leaves' raw little-endian bytes, one after another, each 8-aligned (zero padding) |
 * | end−4  | CRC-32 of every byte before it (uint32, little-endian)                         |
 *
 * The header records the tree's structure (records, arrays, static strings/booleans/null, PRNG keys), and for
 * each leaf its path (`"layers.0.w"`), kind (tensor or plain number), shape, dtype, byte offset and
 * length, plus the data length. Every byte of the file is covered by the final CRC-32; on top of it,
 * loading checks the header's form (the exact JSON this library writes, so duplicate JSON keys or
 * re-encoded numbers are refused), every offset (in range, 8-aligned, contiguous: leaf `i + 1` starts
 * at the first aligned byte after leaf `i`, so no two overlap), every size against its shape and dtype,
 * the padding (zeros), and the tree (sorted, unique record keys; no two leaves with one joined path).
 * Loading into a model (`like`) compares the structure itself, not joined paths: `[x]` and `{ "0": x }`
 * differ; PRNG keys (static to `flatten`) are taken from the file, at the model's places for them, so a
 * resumed run continues the saved random stream. A file that fails any check is a message naming the file, never a garbage tensor. Tensor
 * bytes are copied verbatim, so a round trip is bit-exact (NaN payloads and -0 included).
 *
 * Version 1 files (no CRC over the header; a CRC-32 of the data in the header) still load into a model:
 * with `like`, everything taken from the file is checked (the data by its CRC, the layout by the rules
 * above, every path, shape, dtype and dim name against the model). Without `like` they are refused, since
 * their static values could not be verified. Saving again writes version 2.
 *
 * This module is the format on bytes and needs no Node module (it works on every host); `./checkpoint.ts`
 * adds checkpoint files for Node, streamed both ways, and zlib's faster CRC-32.
 */
import * as t from "io-ts";
import { isLeft, left, right, type Either } from "fp-ts/lib/Either.js";
import { DTYPES, type DType, type Storage } from "../tensor/dtype.js";
import { Concrete, impl, isTensor, typed } from "../tensor/tensor.js";
import { flatten, isLeaf, type Tree } from "../core/pytree.js";
import { showShape } from "../errors.js";
import { formatErrors } from "./codecs.js";

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
 * The format version this build writes; it reads this one and version 1 (see the module comment).
 *
 * @example
 * ```ts
 * data.CHECKPOINT_VERSION; // 2
 * ```
 */
export const CHECKPOINT_VERSION = 2;

const PREFIX = 12; // magic + header length
const TRAILER = 4; // the CRC-32 of everything before it (version 2)
const MAX_HEADER = 1 << 28; // 256 MiB of JSON: millions of leaves; beyond it, a length field is corrupt
const BYTES: Readonly<Record<DType, number>> = { float32: 4, float64: 8, int32: 4, bool: 1 };
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A checkpoint that cannot be written: a value that cannot be saved, colliding paths, a tree too large, an I/O error.
 *
 * @example
 * ```ts
 * try {
 *   data.serialize({ w: zeros("2"), f: () => 0 });
 * } catch (e) {
 *   if (e instanceof data.CheckpointError) console.log(e.source, e.detail); // serialize …
 * }
 * ```
 */
export class CheckpointError extends Error {
  override readonly name = "CheckpointError";
  constructor(
    /** The operation and file: `"saveCheckpoint out/mlp.ckpt"`, `"serialize"`. */
    readonly source: string,
    readonly detail: string,
  ) {
    super(`${source}: ${detail}`);
  }
}

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
 * The io-ts codec of a checkpoint header (version 2).
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
});

/** The header of version 1, which also held the CRC-32 of the data section (and had no trailer). */
const HeaderV1Codec = t.type({
  format: t.literal("tenfold-checkpoint"),
  version: t.literal(1),
  tree: TreeNodeCodec,
  leaves: t.array(LeafEntryCodec),
  dataLength: NonNegativeInt,
  crc32: NonNegativeInt,
});

/** The JSON header of a checkpoint. */
export type CheckpointHeader = t.TypeOf<typeof CheckpointHeaderCodec>;

type AnyHeader = CheckpointHeader | t.TypeOf<typeof HeaderV1Codec>;

// ---------------------------------------------------------------------------------------------
// Helpers

/** Slicing-by-8 tables: `T[k][b]` is the CRC of byte `b` followed by `k` zero bytes (eight bytes per step). */
const CRC_TABLES = (() => {
  const t = new Uint32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) for (let k = 1; k < 8; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n]! >>> 8) ^ t[t[(k - 1) * 256 + n]! & 0xff]!;
  return t;
})();

/** A CRC-32 (IEEE, as in zlib) continued over `bytes` from `crc` (`0` to start). */
export type Crc32 = (bytes: Uint8Array, crc?: number) => number;

/**
 * The same CRC-32 computed in JavaScript, slicing by 8 (used where zlib has no `crc32`).
 * @example crc32Tables(new TextEncoder().encode("123456789")) // 0xcbf43926
 */
export function crc32Tables(bytes: Uint8Array, crc = 0): number {
  const t = CRC_TABLES;
  let c = ~crc;
  let i = 0;
  for (const end8 = bytes.length - 7; i < end8; i += 8) {
    const lo = (c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0;
    const hi = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
    c =
      t[1792 + (lo & 0xff)]! ^ t[1536 + ((lo >>> 8) & 0xff)]! ^ t[1280 + ((lo >>> 16) & 0xff)]! ^ t[1024 + (lo >>> 24)]! ^
      t[768 + (hi & 0xff)]! ^ t[512 + ((hi >>> 8) & 0xff)]! ^ t[256 + ((hi >>> 16) & 0xff)]! ^ t[(hi >>> 24) & 0xff]!;
  }
  for (; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * Continues a CRC-32 (IEEE, as in zlib) over `bytes`; start with `0`. On every host this is
 * {@link crc32Tables}; Node's entry has one using zlib's, with the same results.
 * @example crc32(new TextEncoder().encode("123456789")) // 0xcbf43926
 */
export const crc32: Crc32 = crc32Tables;

const align8 = (n: number): number => Math.ceil(n / 8) * 8;
const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);
const showPath = (path: string): string => (path === "" ? "(the root)" : `"${path}"`);
const join = (path: string, key: string | number): string => (path === "" ? String(key) : `${path}.${key}`);
const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype;
const gib = (n: number): string => `${(n / 2 ** 30).toFixed(2)} GiB`;

/** One step of a path: an array index or a record key (`[x]` and `{ "0": x }` differ here, not in the joined path). */
type Segment = number | string;

/** A path as an accessor, telling array indices from record keys: `layers[0].w`, `layers["0"].w`. */
const showSegments = (segs: readonly Segment[]): string =>
  segs.length === 0
    ? "the root"
    : segs
        .map((s, i) => (typeof s === "number" ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `${i === 0 ? "" : "."}${s}` : `[${JSON.stringify(s)}]`))
        .join("");

/** Reverses the bytes of each `size`-byte element in place (for big-endian hosts). */
function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

/** The storage of a dtype over `bytes`' own buffer (a fresh array, little-endian as in the file). */
function storageOver(dtype: DType, bytes: Uint8Array): Storage {
  if (!LITTLE_ENDIAN) swapBytes(bytes, BYTES[dtype]);
  const n = bytes.length / BYTES[dtype];
  switch (dtype) {
    case "float32":
      return new Float32Array(bytes.buffer, bytes.byteOffset, n);
    case "float64":
      return new Float64Array(bytes.buffer, bytes.byteOffset, n);
    case "int32":
      return new Int32Array(bytes.buffer, bytes.byteOffset, n);
    case "bool":
      return bytes;
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
    if (c === null) throw new CheckpointError("checkpoint", `cannot save the traced value at ${showPath(path)} (inside jit, values are not known yet)`);
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
    if (ancestors.has(x)) throw new CheckpointError("checkpoint", `the tree contains a cycle at ${showPath(path)}`);
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
  throw new CheckpointError("checkpoint", `cannot save ${what} at ${showPath(path)} (a tree holds tensors, numbers, records, arrays, strings, booleans and null)`);
}

/** A tree laid out as a file: the header's bytes, where the data starts, each leaf's bytes and offset. */
export interface Layout {
  readonly json: Uint8Array;
  readonly dataStart: number;
  readonly leaves: readonly { readonly bytes: Uint8Array; readonly offset: number }[];
  readonly dataLength: number;
  readonly total: number;
}

/** Lays out `tree`; refuses values that cannot be saved and leaves whose joined paths collide. */
export function layout(tree: unknown): Layout {
  const pending: PendingLeaf[] = [];
  const root = encodeNode(tree, "", pending, new Set());
  const seen = new Map<string, number>();
  pending.forEach(({ entry }, i) => {
    const j = seen.get(entry.path);
    if (j !== undefined)
      throw new CheckpointError(
        "checkpoint",
        `leaves ${j} and ${i} both have the path ${showPath(entry.path)} (a record key containing "." collides with nesting); rename one`,
      );
    seen.set(entry.path, i);
  });
  let end = 0;
  const leaves: LeafEntry[] = pending.map(({ entry }) => {
    const offset = align8(end);
    end = offset + entry.byteLength;
    return { ...entry, offset };
  });
  const header: CheckpointHeader = { format: "tenfold-checkpoint", version: CHECKPOINT_VERSION, tree: root, leaves, dataLength: end };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align8(PREFIX + json.length);
  return { json, dataStart, leaves: pending.map(({ bytes }, i) => ({ bytes, offset: leaves[i]!.offset })), dataLength: end, total: dataStart + end + TRAILER };
}

/** Hands the file's bytes to `sink` in order, ending with the CRC-32 (computed by `crc32`) of all of them. */
export function emit(l: Layout, sink: (bytes: Uint8Array) => void, crc32: Crc32): void {
  let crc = 0;
  const put = (bytes: Uint8Array): void => {
    crc = crc32(bytes, crc);
    sink(bytes);
  };
  const prefix = new Uint8Array(PREFIX);
  prefix.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  new DataView(prefix.buffer).setUint32(8, l.json.length, true);
  const zeros = new Uint8Array(8);
  put(prefix);
  put(l.json);
  put(zeros.subarray(0, l.dataStart - PREFIX - l.json.length));
  let end = 0;
  for (const { bytes, offset } of l.leaves) {
    put(zeros.subarray(0, offset - end));
    put(bytes);
    end = offset + bytes.length;
  }
  const trailer = new Uint8Array(TRAILER);
  new DataView(trailer.buffer).setUint32(0, crc, true);
  sink(trailer);
}

/** {@link serialize} with a given CRC-32 implementation (Node's entry passes zlib's). */
export function serializeWith(crc32: Crc32, tree: unknown): Uint8Array {
  const l = layout(tree);
  let out: Uint8Array;
  try {
    out = new Uint8Array(l.total);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new CheckpointError("serialize", `the checkpoint needs ${l.total} bytes (${gib(l.total)}), more than one array can hold; saveCheckpoint streams it to a file`);
  }
  let at = 0;
  emit(
    l,
    (bytes) => {
      out.set(bytes, at);
      at += bytes.length;
    },
    crc32,
  );
  return out;
}

/**
 * Encodes a parameter tree (tensors and numbers in records and arrays) as checkpoint bytes; throws a
 * {@link CheckpointError} for a value that cannot be saved, colliding paths, or a file too large for one array.
 *
 * @example
 * ```ts
 * const bytes: Uint8Array = data.serialize({ w: ones("2 2"), b: zeros("2"), step: 3 });
 * ```
 */
export const serialize = (tree: unknown): Uint8Array => serializeWith(crc32, tree);

// ---------------------------------------------------------------------------------------------
// Loading

/** A failure while reading a checkpoint (caught by {@link attempt} and turned into a `Left`). */
export class Bad extends Error {}

/** Where checkpoint bytes come from: `read` fills `into` from byte `at`, or fails with a {@link Bad}. */
export interface Source {
  readonly size: number;
  read(into: Uint8Array, at: number): void;
}

const bytesSource = (bytes: Uint8Array): Source => ({
  size: bytes.length,
  read: (into, at) => {
    if (at + into.length > bytes.length) throw new Bad(`truncated at byte ${bytes.length}`);
    into.set(bytes.subarray(at, at + into.length));
  },
});

const printable = (bytes: Uint8Array): string =>
  `"${Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`)).join("")}"`;

/** A parsed header with the raw bytes it came from and where the data section starts. */
interface Parsed {
  readonly header: AnyHeader;
  readonly head: Uint8Array;
  readonly dataStart: number;
}

/** Reads, parses and checks the prefix and the header against the file's size. */
function readHeader(src: Source): Parsed {
  if (src.size < PREFIX) throw new Bad(`not a tenfold checkpoint: the file has only ${src.size} bytes`);
  const prefix = new Uint8Array(PREFIX);
  src.read(prefix, 0);
  const magic = prefix.subarray(0, 8);
  if (new TextDecoder("latin1").decode(magic) !== CHECKPOINT_MAGIC)
    throw new Bad(`not a tenfold checkpoint: it starts with ${printable(magic)}, not "${CHECKPOINT_MAGIC}"`);
  const headerLength = new DataView(prefix.buffer).getUint32(8, true);
  if (PREFIX + headerLength > src.size)
    throw new Bad(`truncated: the header should have ${headerLength} bytes, but the file has only ${src.size - PREFIX} after the magic`);
  if (headerLength > MAX_HEADER) throw new Bad(`corrupt header: it claims ${headerLength} bytes, more than the ${MAX_HEADER} a checkpoint header may have`);
  const head = new Uint8Array(PREFIX + headerLength);
  head.set(prefix);
  src.read(head.subarray(PREFIX), PREFIX);
  let text: string;
  let json: unknown;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(head.subarray(PREFIX));
    json = JSON.parse(text);
  } catch (e) {
    throw new Bad(`corrupt header: not valid UTF-8 JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  // The exact text this library writes: refuses duplicate JSON keys, spaces, re-encoded numbers and escapes.
  if (JSON.stringify(json) !== text) throw new Bad("corrupt header: its JSON is not in the form this library writes (edited or damaged)");
  const version = isPlainObject(json) && json["format"] === "tenfold-checkpoint" ? json["version"] : undefined;
  if (version !== undefined && version !== 1 && version !== CHECKPOINT_VERSION)
    throw new Bad(`unsupported checkpoint version ${JSON.stringify(version)} (this build reads versions 1 and ${CHECKPOINT_VERSION})`);
  const decoded = version === 1 ? HeaderV1Codec.decode(json) : CheckpointHeaderCodec.decode(json);
  if (isLeft(decoded)) throw new Bad(`corrupt header:\n${formatErrors(decoded.left, "header")}`);
  const header = decoded.right;
  const dataStart = align8(PREFIX + headerLength);
  const expected = dataStart + header.dataLength + (header.version === 1 ? 0 : TRAILER);
  if (src.size < expected) throw new Bad(`truncated: expected ${expected} bytes, the file has ${src.size}`);
  if (src.size > expected) throw new Bad(`corrupt: ${src.size - expected} unexpected bytes after the data (expected ${expected} bytes, the file has ${src.size})`);
  return { header, head, dataStart };
}

/**
 * Checks each leaf entry (sizes against shapes and dtypes; offsets contiguous, 8-aligned, within the
 * data) and the tree (leaves in order at their stated paths, sorted unique record keys, no two leaves
 * with one joined path); returns each leaf's path as segments.
 */
function checkLayout(header: AnyHeader): { readonly segments: Segment[][] } {
  let end = 0;
  header.leaves.forEach((leaf, i) => {
    const where = `leaf ${i} (${showPath(leaf.path)})`;
    if (leaf.kind === "number" && (leaf.dtype !== "float64" || leaf.shape.length !== 0))
      throw new Bad(`corrupt header: ${where} is a number but is described as ${leaf.dtype} ${showShape(leaf.shape)}`);
    if (leaf.names !== undefined && leaf.names.length !== leaf.shape.length)
      throw new Bad(`corrupt header: ${where} has ${leaf.names.length} dim names for rank ${leaf.shape.length}`);
    const size = product(leaf.shape);
    if (!Number.isSafeInteger(size * BYTES[leaf.dtype]) || leaf.byteLength !== size * BYTES[leaf.dtype])
      throw new Bad(`corrupt header: ${where} has ${leaf.byteLength} bytes, but ${leaf.dtype} ${showShape(leaf.shape)} needs ${size * BYTES[leaf.dtype]}`);
    const start = align8(end);
    if (leaf.offset !== start)
      throw new Bad(`corrupt header: ${where} starts at byte ${leaf.offset} of the data, but leaves lie one after another, 8-aligned: it should start at byte ${start}`);
    end = start + leaf.byteLength;
    if (end > header.dataLength)
      throw new Bad(`corrupt header: ${where} lies at bytes ${leaf.offset}..${end}, beyond the ${header.dataLength} bytes of data`);
  });
  if (end !== header.dataLength) throw new Bad(`corrupt header: the leaves end at byte ${end} of the data, but the header says it has ${header.dataLength} bytes`);
  const segments: Segment[][] = [];
  const byPath = new Map<string, number>();
  const visit = (node: TreeNode, path: string, segs: Segment[]): void => {
    switch (node.kind) {
      case "leaf": {
        const next = segments.length;
        const leaf = header.leaves[node.index];
        if (node.index !== next || leaf === undefined)
          throw new Bad(`corrupt header: the tree refers to leaf ${node.index} at ${showPath(path)}, expected leaf ${next} of ${header.leaves.length}`);
        if (leaf.path !== path) throw new Bad(`corrupt header: leaf ${next} is at ${showPath(path)} in the tree but says ${showPath(leaf.path)}`);
        const same = byPath.get(path);
        if (same !== undefined) throw new Bad(`corrupt header: leaves ${same} and ${next} both have the path ${showPath(path)}`);
        byPath.set(path, next);
        segments.push(segs);
        return;
      }
      case "array":
        node.items.forEach((c, i) => visit(c, join(path, i), [...segs, i]));
        return;
      case "record":
        node.entries.forEach(([k, c], i) => {
          const prev = node.entries[i - 1]?.[0];
          if (prev !== undefined && !(prev < k))
            throw new Bad(`corrupt header: the record at ${showSegments(segs)} has ${prev === k ? `the key ${JSON.stringify(k)} twice` : `its keys out of order (${JSON.stringify(prev)} before ${JSON.stringify(k)})`}`);
          visit(c, join(path, k), [...segs, k]);
        });
        return;
      default:
        return;
    }
  };
  visit(header.tree, "", []);
  if (segments.length !== header.leaves.length) throw new Bad(`corrupt header: the tree uses ${segments.length} of its ${header.leaves.length} leaves`);
  return { segments };
}

/** Whether a plain object is a record node of a tree in {@link flatten}'s sense (PRNG keys are tensors, leaves like any other). */
const isTreeRecord = (x: unknown): x is Record<string, unknown> => isPlainObject(x);

/** The paths of a model's leaves as segments, in {@link flatten}'s order (it walks the same way). */
function modelSegments(like: unknown): Segment[][] {
  const out: Segment[][] = [];
  const walk = (x: unknown, segs: Segment[]): void => {
    if (isLeaf(x)) out.push(segs);
    else if (Array.isArray(x)) x.forEach((c, i) => walk(c, [...segs, i]));
    else if (isTreeRecord(x)) for (const k of Object.keys(x).sort()) walk(x[k], [...segs, k]);
  };
  walk(like, []);
  return out;
}

const describeLeaf = (x: { kind: "tensor" | "number"; shape: readonly number[]; dtype: DType }): string =>
  x.kind === "number" ? "a number" : `a ${x.dtype} tensor of shape ${showShape(x.shape)}`;
const showNames = (names: readonly (string | null)[]): string => `[${names.map((n) => (n === null ? "_" : n)).join(", ")}]`;

/**
 * Matches the file's leaves to the model's by structure (array indices and record keys), before any data
 * is read; returns, for each of the model's leaves, the file leaf it takes, or lists every way they differ.
 */
function matchLike(like: unknown, header: AnyHeader, fileSegs: readonly Segment[][]): readonly number[] {
  const { leaves: modelLeaves } = flatten(like);
  const segs = modelSegments(like);
  if (segs.length !== modelLeaves.length) throw new Error(`checkpoint: internal error: ${segs.length} model paths for ${modelLeaves.length} leaves`);
  const byKey = new Map(fileSegs.map((s, j) => [JSON.stringify(s), j]));
  const byJoined = new Map(header.leaves.map((leaf, j) => [leaf.path, j]));
  const used = new Set<number>();
  const problems: string[] = [];
  const missing: string[] = [];
  const order = modelLeaves.map((m, i) => {
    const mine = segs[i]!;
    const path = mine.map(String).join(".");
    const j = byKey.get(JSON.stringify(mine));
    if (j === undefined) {
      const near = byJoined.get(path);
      if (near !== undefined && !used.has(near)) {
        used.add(near);
        problems.push(`parameter ${showPath(path)} is at ${showSegments(fileSegs[near]!)} in the file but at ${showSegments(mine)} in the model (an array index and a record key differ)`);
      } else missing.push(showPath(path));
      return -1;
    }
    used.add(j);
    const file = header.leaves[j]!;
    const model = typeof m === "number" ? { kind: "number" as const, shape: [], dtype: "float64" as const, names: [] } : { kind: "tensor" as const, shape: [...m.shape], dtype: m.dtype, names: [...m.names] };
    const fileNames = file.names ?? file.shape.map(() => null);
    const name = `parameter ${showPath(path)}`;
    if (file.kind !== model.kind) problems.push(`${name} is ${describeLeaf(file)} in the file but ${describeLeaf(model)} in the model`);
    else if (model.kind === "tensor" && (file.shape.length !== model.shape.length || file.shape.some((d, k) => d !== model.shape[k])))
      problems.push(`${name} has shape ${showShape(file.shape)} in the file but ${showShape(model.shape)} in the model`);
    else if (file.dtype !== model.dtype) problems.push(`${name} has dtype ${file.dtype} in the file but ${model.dtype} in the model`);
    else if (fileNames.some((n, k) => n !== model.names[k]))
      problems.push(`${name} has dim names ${showNames(fileNames)} in the file but ${showNames(model.names)} in the model`);
    return j;
  });
  const extra = header.leaves.flatMap((leaf, j) => (used.has(j) ? [] : [showPath(leaf.path)]));
  if (missing.length > 0) problems.push(`missing from the file: ${missing.length === 1 ? "parameter" : "parameters"} ${missing.join(", ")}`);
  if (extra.length > 0) problems.push(`not in the model: ${extra.length === 1 ? "parameter" : "parameters"} ${extra.join(", ")}`);
  if (problems.length === 1) throw new Bad(problems[0]!);
  if (problems.length > 1) throw new Bad(`does not fit the model:\n  ${problems.join("\n  ")}`);
  return order;
}

/** Reads the data section in file order, checking padding and the checksum; returns each leaf's value. */
function readData(src: Source, { header, head, dataStart }: Parsed, crc32: Crc32): (Concrete | number)[] {
  const v1 = header.version === 1;
  let crc = v1 ? 0 : crc32(head);
  const zeros = (n: number, at: number, what: string): void => {
    const pad = new Uint8Array(n);
    src.read(pad, at);
    crc = crc32(pad, crc);
    if (pad.some((b) => b !== 0)) throw new Bad(`corrupt: the padding ${what} is not zero`);
  };
  zeros(dataStart - head.length, head.length, "after the header");
  if (v1) crc = 0; // version 1's CRC covers the data section only
  let end = 0;
  const values = header.leaves.map((leaf) => {
    zeros(leaf.offset - end, dataStart + end, `before ${showPath(leaf.path)}`);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(leaf.byteLength);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw new Bad(`parameter ${showPath(leaf.path)} has ${leaf.byteLength} bytes (${gib(leaf.byteLength)}), more than one array can hold here`);
    }
    src.read(bytes, dataStart + leaf.offset);
    crc = crc32(bytes, crc);
    end = leaf.offset + leaf.byteLength;
    if (leaf.kind === "number") return new DataView(bytes.buffer).getFloat64(0, true);
    const storage = storageOver(leaf.dtype, bytes);
    return leaf.names === undefined ? new Concrete(leaf.shape, leaf.dtype, storage) : new Concrete(leaf.shape, leaf.dtype, storage, leaf.names);
  });
  if (header.version === 1) {
    if (crc !== header.crc32) throw new Bad(`corrupt data: CRC-32 is ${crc}, but the header says ${header.crc32}`);
  } else {
    const trailer = new Uint8Array(TRAILER);
    src.read(trailer, dataStart + header.dataLength);
    const stored = new DataView(trailer.buffer).getUint32(0, true);
    if (crc !== stored) throw new Bad(`corrupt: the CRC-32 of the file is ${crc}, but its last 4 bytes say ${stored}`);
  }
  // Checked only once the checksum holds, so a damaged file is reported as damaged.
  values.forEach((v, i) => {
    if (!(v instanceof Concrete) || v.dtype !== "bool") return;
    const bad = v.data.findIndex((b) => b !== 0 && b !== 1);
    if (bad >= 0) throw new Bad(`corrupt data: bool parameter ${showPath(header.leaves[i]!.path)} holds ${v.data[bad]} at element ${bad}`);
  });
  return values;
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


/** Loads a checkpoint from `src`: checks, matches `like` before reading the data, reads (checksummed by `crc32`), builds. */
export function load(src: Source, like: unknown, crc32: Crc32): unknown {
  const parsed = readHeader(src);
  const { segments: segs } = checkLayout(parsed.header);
  if (parsed.header.version === 1 && like === undefined)
    throw new Bad(
      "a version 1 checkpoint has no checksum over its header, so it is loaded only into a model's parameters (pass `like`); saving it again writes version 2",
    );
  const order = like === undefined ? null : matchLike(like, parsed.header, segs);
  const values = readData(src, parsed, crc32);
  if (order === null) return buildTree(parsed.header.tree, values);
  const wrap = (v: unknown): unknown => (v instanceof Concrete ? typed(v) : v);
  return flatten(like).unflatten(order.map((j) => wrap(values[j])));
}

/** Runs a load, turning every failure of the file into a `Left` starting with `source`. */
export function attempt(source: string, run: () => unknown): Either<string, unknown> {
  try {
    return right(run());
  } catch (e) {
    if (e instanceof Bad) return left(`${source}: ${e.message}`);
    if (e instanceof Error && typeof (e as { code?: unknown }).code === "string") return left(`${source}: cannot read the file (${e.message})`);
    throw e;
  }
}

/** {@link deserialize}'s type: without `like` a {@link Tree}, with it a tree of `like`'s type. */
export interface Deserialize {
  (bytes: Uint8Array, like?: undefined, source?: string): Either<string, Tree>;
  <T>(bytes: Uint8Array, like: T, source?: string): Either<string, T>;
}

/** {@link deserialize} with a given CRC-32 implementation (Node's entry passes zlib's). */
export const deserializeWith =
  (crc32: Crc32): Deserialize =>
  (bytes: Uint8Array, like?: unknown, source = "checkpoint"): Either<string, never> =>
    attempt(source, () => load(bytesSource(bytes), like, crc32)) as Either<string, never>;

/**
 * Decodes checkpoint bytes into a parameter tree; with `like` (the model's parameters, e.g. from
 * `init`), checks every path, shape, dtype and dim name against it and returns a tree of `like`'s type and structure.
 * Messages start with `source` (the file name when called by {@link loadCheckpoint}).
 *
 * @example
 * ```ts
 * const bytes = data.serialize({ w: ones("2 2"), step: 3 });
 * const back = data.deserialize(bytes, { w: zeros("2 2"), step: 0 }); // Right: the same tree, checked against `like`
 * ```
 */
export const deserialize: Deserialize = deserializeWith(crc32);
