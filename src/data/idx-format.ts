/**
 * The IDX format used by MNIST and Fashion-MNIST (`*-idx3-ubyte`, `*-idx1-ubyte`), on bytes: works on
 * every host (no file system, no zlib). `./idx.ts` adds, for Node, gzipped bytes, streamed file reading
 * and the dataset loader.
 *
 * Layout: two zero bytes, a type code, the number of dims; then one big-endian `uint32` per dim;
 * then the elements in row-major order, big-endian. Type codes: `0x08` uint8, `0x09` int8,
 * `0x0B` int16, `0x0C` int32, `0x0D` float32, `0x0E` float64.
 */
import { InputError } from "../errors.js";
import { Concrete, typed, type Tensor } from "../tensor/tensor.js";

/** The element types an IDX file can hold. */
export type IdxType = "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";

/** The typed array for each IDX element type. */
export interface IdxArrayOf {
  uint8: Uint8Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  float32: Float32Array;
  float64: Float64Array;
}

/** A parsed IDX file: its dims, element type and elements (native byte order, row-major). */
export interface Idx {
  readonly dims: number[];
  readonly type: IdxType;
  readonly data: IdxArrayOf[IdxType];
}

/** One split of an image-classification dataset: flattened 28×28 images in [0, 1] and integer labels. */
export interface Split {
  /** `[n, 784]` pixels scaled to [0, 1]. */
  readonly images: Tensor<[number, 784], "float32">;
  /** `[n]` class labels. */
  readonly labels: Tensor<[number], "int32">;
}

const TYPE_CODES: Readonly<Record<number, { type: IdxType; bytes: number }>> = {
  0x08: { type: "uint8", bytes: 1 },
  0x09: { type: "int8", bytes: 1 },
  0x0b: { type: "int16", bytes: 2 },
  0x0c: { type: "int32", bytes: 4 },
  0x0d: { type: "float32", bytes: 4 },
  0x0e: { type: "float64", bytes: 8 },
};

const hex = (b: number): string => `0x${b.toString(16).padStart(2, "0")}`;

/** Whether bytes start with the gzip magic `1f 8b`. */
export const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** The longest IDX header: magic and 255 dims. */
export const MAX_HEADER = 4 + 4 * 255;

/** A parsed IDX header: element type, dims, and the sizes they declare. */
export interface IdxHeader {
  readonly type: IdxType;
  readonly width: number;
  readonly dims: number[];
  readonly headerLength: number;
  readonly count: number;
  readonly payloadBytes: number;
}

/** Dims for messages; a long list (a corrupt header can have 255) is cut in the middle. */
const showDims = (dims: readonly number[]): string =>
  dims.length <= 8 ? `[${dims.join(", ")}]` : `[${dims.slice(0, 3).join(", ")}, …, ${dims.slice(-2).join(", ")}] (${dims.length} dims)`;

/** A header's dims and type for messages: `dims [10000] of uint8`. */
export const describeHeader = (h: IdxHeader): string => `dims ${showDims(h.dims)} of ${h.type}`;

/**
 * Parses the header at the start of `buf`, or returns `null` if `buf` is too short for it yet (the
 * caller passes `complete` when `buf` is the whole file, making that an error). The element count is
 * exact (dims multiplied as big integers), so no header can declare a size that is not checked.
 */
export function parseHeader(buf: Uint8Array, source: string, complete: boolean): IdxHeader | null {
  if (buf.length < 4) {
    if (!complete) return null;
    throw new InputError(source, `not an IDX file: ${buf.length} bytes, too short for the 4-byte magic`);
  }
  const [z0, z1, code, ndims] = [buf[0]!, buf[1]!, buf[2]!, buf[3]!];
  if (z0 !== 0 || z1 !== 0) {
    throw new InputError(source, `not an IDX file: bad magic ${[z0, z1, code, ndims].map(hex).join(" ")} (expected 0x00 0x00 <type> <ndims>)`);
  }
  const kind = TYPE_CODES[code];
  if (kind === undefined) throw new InputError(source, `unknown IDX type code ${hex(code)} (expected one of 0x08 0x09 0x0b 0x0c 0x0d 0x0e)`);
  const headerLength = 4 + 4 * ndims;
  if (buf.length < headerLength) {
    if (!complete) return null;
    throw new InputError(source, `truncated header: ${ndims} dims need ${headerLength} bytes, file has ${buf.length}`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const exact = dims.reduce((a, d) => a * BigInt(d), 1n) * BigInt(kind.bytes);
  if (exact > BigInt(Number.MAX_SAFE_INTEGER))
    throw new InputError(source, `inconsistent header: dims ${showDims(dims)} of ${kind.type} declare ${exact} bytes, more than any file can hold`);
  const payloadBytes = Number(exact);
  return { type: kind.type, width: kind.bytes, dims, headerLength, count: payloadBytes / kind.bytes, payloadBytes };
}

/** The message for a payload shorter than its header declares. */
export const truncatedPayload = (h: IdxHeader, found: number): string => `truncated payload: ${describeHeader(h)} need ${h.payloadBytes} bytes, found ${found}`;

/** Checks that `actual` bytes follow the header: exactly the payload it declares, no fewer, no more. */
export function checkPayloadSize(h: IdxHeader, actual: number, source: string): void {
  if (actual < h.payloadBytes) throw new InputError(source, truncatedPayload(h, actual));
  if (actual > h.payloadBytes) throw new InputError(source, `${actual - h.payloadBytes} trailing bytes after the payload of ${describeHeader(h)}`);
}

/** Parses the bytes of an uncompressed IDX file (gzip magic included: it is then a bad magic). */
export function parsePlainIdx(buf: Uint8Array, source: string): Idx {
  const h = parseHeader(buf, source, true)!;
  checkPayloadSize(h, buf.length - h.headerLength, source);
  return { dims: h.dims, type: h.type, data: decodeElements(h.type, new DataView(buf.buffer, buf.byteOffset + h.headerLength, h.payloadBytes), 0, h.count) };
}

/**
 * Parses an IDX file's bytes; `source` names the file in errors. This host-independent version takes
 * uncompressed bytes and refuses gzipped ones with a message saying so (decompress them first, with
 * `DecompressionStream("gzip")` in a browser); Node's entry has a `parseIdx` that inflates them too.
 * @example parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]), "labels").data // Uint8Array [7, 9]
 */
export function parseIdx(bytes: Uint8Array, source: string): Idx {
  if (isGzip(bytes))
    throw new InputError(source, `gzipped bytes (magic 0x1f 0x8b): decompress them first (in a browser, with DecompressionStream("gzip")); Node's entry of tenfold inflates them itself`);
  return parsePlainIdx(bytes, source);
}

/** The `n` elements of `type` at byte `at` of `view` (big-endian) as a fresh native-order array. */
export function decodeElements(type: IdxType, view: DataView, at: number, n: number): IdxArrayOf[IdxType] {
  switch (type) {
    case "uint8":
      return new Uint8Array(view.buffer, view.byteOffset + at, n).slice();
    case "int8":
      return new Int8Array(view.buffer, view.byteOffset + at, n).slice();
    case "int16": {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(at + 2 * i, false);
      return out;
    }
    case "int32": {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(at + 4 * i, false);
      return out;
    }
    case "float32": {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(at + 4 * i, false);
      return out;
    }
    case "float64": {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(at + 8 * i, false);
      return out;
    }
  }
}

/** Allocates the payload a header declares, or says it cannot be held. */
export function allocPayload(h: IdxHeader, source: string): Uint8Array {
  try {
    return new Uint8Array(h.payloadBytes);
  } catch (e) {
    if (e instanceof RangeError) throw new InputError(source, `${describeHeader(h)} need ${h.payloadBytes} bytes, more than one array can hold`);
    throw e;
  }
}

const SCALE = (() => {
  const t = new Float32Array(256);
  for (let k = 0; k < 256; k++) t[k] = k / 255;
  return t;
})();

/** Converts uint8 pixels to float32 in [0, 1] (`k / 255`, correctly rounded). */
export function scalePixels(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  scalePixelsInto(out, 0, pixels);
  return out;
}

/** Writes `pixels` scaled as by {@link scalePixels} into `out` from index `at` (the caller's fresh array). */
export function scalePixelsInto(out: Float32Array, at: number, pixels: Uint8Array): void {
  for (let i = 0; i < pixels.length; i++) out[at + i] = SCALE[pixels[i]!]!;
}

/** Builds a {@link Split} from `n` flattened uint8 28×28 images and their uint8/int32 labels. */
export function splitFromBytes(pixels: Uint8Array, labels: Uint8Array | Int32Array): Split {
  return splitFromArrays(scalePixels(pixels), Int32Array.from(labels));
}

/** Builds a {@link Split} from already scaled float32 images (784 per label) and int32 labels, taking both arrays. */
export function splitFromArrays(images: Float32Array, labels: Int32Array): Split {
  const n = labels.length;
  if (images.length !== n * 784) throw new Error(`splitFromArrays: ${images.length} pixels for ${n} labels`);
  return {
    images: typed<[number, 784], "float32">(new Concrete([n, 784], "float32", images)),
    labels: typed<[number], "int32">(new Concrete([n], "int32", labels)),
  };
}

/**
 * A label outside the classes a dataset has: names the file, the first bad label's index and value, and how many are bad.
 *
 * @example
 * ```ts
 * try {
 *   await data.loadIdxDataset("images-idx3-ubyte", "labels-idx1-ubyte", { classes: 10 });
 * } catch (e) {
 *   if (e instanceof data.LabelRangeError) console.log(e.file, e.index, e.value); // labels-idx1-ubyte 17 200
 * }
 * ```
 */
export class LabelRangeError extends InputError {
  constructor(
    readonly file: string,
    readonly index: number,
    readonly value: number,
    readonly classes: number,
    readonly bad: number,
  ) {
    super(file, `label ${value} at index ${index} is outside 0..${classes - 1} (${classes} classes)${bad > 1 ? `; ${bad} labels are out of range` : ""}`);
  }
}
