/**
 * IDX files in Node (MNIST and Fashion-MNIST's `*-idx3-ubyte`, `*-idx1-ubyte`), plain or gzipped:
 * gzip inflation bounded by the header, streamed file reading and the image/label dataset loader. The
 * format itself (header, elements, pixels) is `./idx-format.ts`, which needs no Node module; this file
 * re-exports it, so imports from here keep working.
 */
import { closeSync } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { constants as zlibConstants, createGunzip, gunzipSync } from "node:zlib";
import { InputError } from "../errors.js";
import { openRegularFile, readAt } from "./files.js";
import { Concrete, typed } from "../tensor/tensor.js";
import {
  allocPayload, checkPayloadSize, decodeElements, describeHeader, isGzip, LabelRangeError, MAX_HEADER, parseHeader, parsePlainIdx, scalePixels,
  truncatedPayload, type Idx, type IdxHeader, type Split,
} from "./idx-format.js";

export { isGzip, LabelRangeError, scalePixels, scalePixelsInto, splitFromArrays, splitFromBytes } from "./idx-format.js";
export type { Idx, IdxArrayOf, IdxType, Split } from "./idx-format.js";

/** Deflate's largest expansion (a 258-byte match in 2 bits): no gzip file inflates to more than this many times its size. */
const MAX_INFLATE_RATIO = 1032;

/** Refuses a header declaring more than `compressed` bytes of gzip can inflate to (a truncated or corrupt file). */
function checkInflatable(h: IdxHeader, compressed: number, source: string): void {
  const most = MAX_INFLATE_RATIO * compressed;
  if (h.headerLength + h.payloadBytes > most)
    throw new InputError(source, `truncated or corrupt: ${describeHeader(h)} need ${h.payloadBytes} bytes, more than ${compressed} bytes of gzip can inflate to (at most ${most})`);
}

const overlong = (h: IdxHeader): string => `inflates to more than the ${h.headerLength + h.payloadBytes} bytes its header declares (${describeHeader(h)})`;
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
 * Parses an IDX file's bytes, gzipped or not (the host-independent `parseIdx` of `./idx-format.ts` takes
 * uncompressed ones); `source` names the file in errors. Decompression stops at the size the header
 * declares: a gzip bomb is an error after at most that many bytes, never a huge allocation.
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
  return parsePlainIdx(buf, source);
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
  if (h === null) return parsePlainIdx(head, path); // shorter than its header: the same message as for plain bytes
  const hd: IdxHeader = h;
  if (got < hd.payloadBytes) throw new InputError(path, truncatedPayload(hd, got));
  return { dims: hd.dims, type: hd.type, data: decodeElements(hd.type, new DataView(payload.buffer), 0, hd.count) };
}

/** Reads a plain IDX file from `fd`: the header, then exactly the payload it declares, once the file's size agrees. */
function readPlain(path: string, fd: number, size: number, first: Uint8Array): Idx {
  const h = parseHeader(first, path, true)!;
  checkPayloadSize(h, size - h.headerLength, path);
  const payload = allocPayload(h, path);
  const n = readAt(fd, payload, h.headerLength);
  if (n !== payload.length) throw new InputError(path, `the file changed while it was read (it ended at byte ${h.headerLength + n})`);
  return { dims: h.dims, type: h.type, data: h.type === "uint8" ? payload : decodeElements(h.type, new DataView(payload.buffer), 0, h.count) };
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
