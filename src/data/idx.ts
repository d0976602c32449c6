/**
 * Reader for the IDX format used by MNIST and Fashion-MNIST (`*-idx3-ubyte`, `*-idx1-ubyte`),
 * plain or gzipped.
 *
 * Layout: two zero bytes, a type code, the number of dims; then one big-endian `uint32` per dim;
 * then the elements in row-major order, big-endian. Type codes: `0x08` uint8, `0x09` int8,
 * `0x0B` int16, `0x0C` int32, `0x0D` float32, `0x0E` float64.
 */
import { closeSync } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { constants as zlibConstants, createGunzip, gunzipSync } from "node:zlib";
import { InputError } from "../errors.js";
import { openRegularFile, readAt } from "./files.js";
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

/** Deflate's largest expansion (a 258-byte match in 2 bits): no gzip file inflates to more than this many times its size. */
const MAX_INFLATE_RATIO = 1032;
/** The longest IDX header: magic and 255 dims. */
const MAX_HEADER = 4 + 4 * 255;

/** A parsed IDX header: element type, dims, and the sizes they declare. */
interface IdxHeader {
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
const describe = (h: IdxHeader): string => `dims ${showDims(h.dims)} of ${h.type}`;

/**
 * Parses the header at the start of `buf`, or returns `null` if `buf` is too short for it yet (the
 * caller passes `complete` when `buf` is the whole file, making that an error). The element count is
 * exact (dims multiplied as big integers), so no header can declare a size that is not checked.
 */
function parseHeader(buf: Uint8Array, source: string, complete: boolean): IdxHeader | null {
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

/** Refuses a header declaring more than `compressed` bytes of gzip can inflate to (a truncated or corrupt file). */
function checkInflatable(h: IdxHeader, compressed: number, source: string): void {
  const most = MAX_INFLATE_RATIO * compressed;
  if (h.headerLength + h.payloadBytes > most)
    throw new InputError(source, `truncated or corrupt: ${describe(h)} need ${h.payloadBytes} bytes, more than ${compressed} bytes of gzip can inflate to (at most ${most})`);
}

const truncated = (h: IdxHeader, found: number): string => `truncated payload: ${describe(h)} need ${h.payloadBytes} bytes, found ${found}`;
const overlong = (h: IdxHeader): string => `inflates to more than the ${h.headerLength + h.payloadBytes} bytes its header declares (${describe(h)})`;
const gzipError = (e: unknown): string => `corrupt gzip data (${e instanceof Error ? e.message : String(e)})`;

/** The header of gzipped IDX bytes, from as short a prefix as decompresses to it (output bounded by the prefix's length). */
function gzipHeader(bytes: Uint8Array, source: string): IdxHeader | null {
  for (let k = 64; ; k *= 2) {
    const n = Math.min(k, bytes.length);
    let head: Uint8Array;
    try {
      head = gunzipSync(bytes.subarray(0, n), { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: MAX_INFLATE_RATIO * n + MAX_HEADER });
    } catch (e) {
      throw new InputError(source, gzipError(e));
    }
    const h = parseHeader(head, source, false);
    if (h !== null || n === bytes.length) return h;
  }
}

/**
 * Parses an IDX file's bytes (gzipped or not); `source` names the file in errors. Decompression stops
 * at the size the header declares: a gzip bomb is an error after at most that many bytes, never a huge allocation.
 *
 * @example
 * ```ts
 * // A 1-d IDX file of two uint8 labels: magic 0x00000801, size 2, then the bytes.
 * const idx = data.parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 7, 3]), "labels");
 * idx.dims; // [2]
 * idx.data; // Uint8Array [7, 3]
 * ```
 */
export function parseIdx(bytes: Uint8Array, source: string): Idx {
  let buf = bytes;
  if (isGzip(bytes)) {
    const h = gzipHeader(bytes, source);
    if (h !== null) checkInflatable(h, bytes.length, source);
    try {
      buf = gunzipSync(bytes, h === null ? { maxOutputLength: MAX_HEADER } : { maxOutputLength: h.headerLength + h.payloadBytes });
    } catch (e) {
      if (h !== null && (e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw new InputError(source, overlong(h));
      throw new InputError(source, gzipError(e));
    }
  }
  const h = parseHeader(buf, source, true)!;
  const actual = buf.length - h.headerLength;
  if (actual < h.payloadBytes) throw new InputError(source, truncated(h, actual));
  if (actual > h.payloadBytes) throw new InputError(source, `${actual - h.payloadBytes} trailing bytes after the payload of ${describe(h)}`);
  return { dims: h.dims, type: h.type, data: decode(h.type, new DataView(buf.buffer, buf.byteOffset + h.headerLength, h.payloadBytes), 0, h.count) };
}

function decode(type: IdxType, view: DataView, at: number, n: number): IdxArrayOf[IdxType] {
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
function allocPayload(h: IdxHeader, source: string): Uint8Array {
  try {
    return new Uint8Array(h.payloadBytes);
  } catch (e) {
    if (e instanceof RangeError) throw new InputError(source, `${describe(h)} need ${h.payloadBytes} bytes, more than one array can hold`);
    throw e;
  }
}

/** The bytes of `fd` (which stays open) in 1 MiB pieces, up to `size`. */
function* chunksOf(fd: number, size: number): Generator<Uint8Array> {
  for (let at = 0; at < size; ) {
    const piece = new Uint8Array(Math.min(1 << 20, size - at));
    const n = readAt(fd, piece, at);
    if (n === 0) return;
    yield piece.subarray(0, n);
    at += n;
  }
}

/** Inflates a gzipped IDX file from `fd` as a stream into exactly the payload its header declares. */
async function readGzip(path: string, fd: number, size: number): Promise<Idx> {
  let head: Uint8Array = new Uint8Array(0);
  let h: IdxHeader | null = null;
  let payload: Uint8Array = new Uint8Array(0);
  let got = 0;
  let refused: InputError | null = null; // the sink's own error (the pipeline reports the abort it causes)
  const refuse = (e: InputError): never => {
    refused = e;
    throw e;
  };
  try {
    await pipeline(Readable.from(chunksOf(fd, size)), createGunzip(), async (chunks: AsyncIterable<Buffer>) => {
      for await (const chunk of chunks) {
        let bytes: Uint8Array = chunk;
        if (h === null) {
          const joined = new Uint8Array(head.length + bytes.length);
          joined.set(head);
          joined.set(bytes, head.length);
          h = parseHeader(joined, path, false);
          if (h === null) {
            head = joined;
            continue;
          }
          try {
            checkInflatable(h, size, path);
            payload = allocPayload(h, path);
          } catch (e) {
            refuse(e as InputError);
          }
          bytes = joined.subarray(h.headerLength);
        }
        if (got + bytes.length > payload.length) refuse(new InputError(path, overlong(h)));
        payload.set(bytes, got);
        got += bytes.length;
      }
    });
  } catch (e) {
    if (refused !== null) throw refused;
    if (e instanceof InputError) throw e;
    throw new InputError(path, gzipError(e));
  }
  if (h === null) return parseIdx(head, path); // shorter than its header: the same message as for plain bytes
  const hd: IdxHeader = h;
  if (got < hd.payloadBytes) throw new InputError(path, truncated(hd, got));
  return { dims: hd.dims, type: hd.type, data: decode(hd.type, new DataView(payload.buffer), 0, hd.count) };
}

/** Reads a plain IDX file from `fd`: the header, then exactly the payload it declares, once the file's size agrees. */
function readPlain(path: string, fd: number, size: number, first: Uint8Array): Idx {
  const h = parseHeader(first, path, true)!;
  const actual = size - h.headerLength;
  if (actual < h.payloadBytes) throw new InputError(path, truncated(h, actual));
  if (actual > h.payloadBytes) throw new InputError(path, `${actual - h.payloadBytes} trailing bytes after the payload of ${describe(h)}`);
  const payload = allocPayload(h, path);
  const n = readAt(fd, payload, h.headerLength);
  if (n !== payload.length) throw new InputError(path, `the file changed while it was read (it ended at byte ${h.headerLength + n})`);
  return { dims: h.dims, type: h.type, data: h.type === "uint8" ? payload : decode(h.type, new DataView(payload.buffer), 0, h.count) };
}

/**
 * Reads and parses an IDX file (gzipped or not), streamed: memory holds the declared payload, never more.
 * Unreadable, malformed or non-regular files (a FIFO, `/dev/zero`) are {@link InputError}s naming the file.
 *
 * @example
 * ```ts
 * const read = (path: string) => data.readIdx(path); // gunzips .gz files; a bad header throws an InputError naming the file
 * ```
 */
export async function readIdx(path: string): Promise<Idx> {
  const { fd, size } = openRegularFile(path);
  try {
    const first = new Uint8Array(Math.min(size, MAX_HEADER));
    readAt(fd, first, 0);
    return isGzip(first) ? await readGzip(path, fd, size) : readPlain(path, fd, size, first);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(path, `cannot read IDX file (${e instanceof Error ? e.message : String(e)})`);
  } finally {
    closeSync(fd);
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

/** Options of {@link loadIdxDataset}. */
export interface IdxDatasetOptions {
  /** How many classes the labels name (labels must lie in `0..classes-1`); 10 for MNIST and Fashion-MNIST. */
  readonly classes?: number;
}

/**
 * Loads an MNIST-style image/label IDX pair (28×28 uint8 images, integer labels in `0..classes-1`) as a
 * {@link Split}. Every check names the file: the pixel type, ranks and image size, the counts of images
 * and labels, and each label's range ({@link LabelRangeError}: the index and value of the first bad one).
 *
 * @example
 * ```ts
 * const loadSplit = (dir: string) => data.loadIdxDataset(`${dir}/t10k-images-idx3-ubyte.gz`, `${dir}/t10k-labels-idx1-ubyte.gz`);
 * ```
 */
export async function loadIdxDataset(imagesPath: string, labelsPath: string, opts: IdxDatasetOptions = {}): Promise<Split> {
  const classes = opts.classes ?? 10;
  if (!(Number.isSafeInteger(classes) && classes > 0)) throw new RangeError(`loadIdxDataset: classes must be a positive integer, got ${classes}`);
  const images = await readIdx(imagesPath);
  if (images.dims.length !== 3) {
    throw new InputError(imagesPath, `images must have rank 3 [n, rows, cols], got dims [${images.dims.join(", ")}]`);
  }
  if (images.type !== "uint8") throw new InputError(imagesPath, `images must be uint8 (type 0x08), got ${images.type}`);
  const [n, rows, cols] = images.dims as [number, number, number];
  if (rows !== 28 || cols !== 28) throw new InputError(imagesPath, `images must be 28×28, got ${rows}×${cols}`);
  const labels = await readIdx(labelsPath);
  if (labels.dims.length !== 1) {
    throw new InputError(labelsPath, `labels must have rank 1 [n], got dims [${labels.dims.join(", ")}]`);
  }
  if (labels.type === "float32" || labels.type === "float64") {
    throw new InputError(labelsPath, `labels must be integers, got ${labels.type}`);
  }
  if (labels.dims[0] !== n) {
    throw new InputError(
      `${imagesPath} and ${labelsPath}`,
      `count mismatch: ${n} images in ${imagesPath} but ${labels.dims[0]} labels in ${labelsPath}`,
    );
  }
  const values = Int32Array.from(labels.data);
  let first = -1;
  let bad = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v >= 0 && v < classes) continue;
    if (first < 0) first = i;
    bad++;
  }
  if (first >= 0) throw new LabelRangeError(labelsPath, first, values[first]!, classes, bad);
  return {
    images: typed<[number, 784], "float32">(new Concrete([n, 784], "float32", scalePixels(images.data as Uint8Array))),
    labels: typed<[number], "int32">(new Concrete([n], "int32", values)),
  };
}
