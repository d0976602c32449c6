/**
 * Reader for the IDX format used by MNIST and Fashion-MNIST (`*-idx3-ubyte`, `*-idx1-ubyte`),
 * plain or gzipped.
 *
 * Layout: two zero bytes, a type code, the number of dims; then one big-endian `uint32` per dim;
 * then the elements in row-major order, big-endian. Type codes: `0x08` uint8, `0x09` int8,
 * `0x0B` int16, `0x0C` int32, `0x0D` float32, `0x0E` float64.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
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

/** Gunzips `bytes` if they carry the gzip magic, else returns them unchanged; corrupt gzip is an InputError. */
export function maybeGunzip(bytes: Uint8Array, source: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new InputError(source, `corrupt gzip data (${e instanceof Error ? e.message : String(e)})`);
  }
}

/**
 * Parses an IDX file's bytes (gzipped or not); `source` names the file in errors.
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
  const buf = maybeGunzip(bytes, source);
  if (buf.length < 4) throw new InputError(source, `not an IDX file: ${buf.length} bytes, too short for the 4-byte magic`);
  const [z0, z1, code, ndims] = [buf[0]!, buf[1]!, buf[2]!, buf[3]!];
  if (z0 !== 0 || z1 !== 0) {
    throw new InputError(
      source,
      `not an IDX file: bad magic ${[z0, z1, code, ndims].map(hex).join(" ")} (expected 0x00 0x00 <type> <ndims>)`,
    );
  }
  const kind = TYPE_CODES[code];
  if (kind === undefined) {
    throw new InputError(source, `unknown IDX type code ${hex(code)} (expected one of 0x08 0x09 0x0b 0x0c 0x0d 0x0e)`);
  }
  const headerLen = 4 + 4 * ndims;
  if (buf.length < headerLen) {
    throw new InputError(source, `truncated header: ${ndims} dims need ${headerLen} bytes, file has ${buf.length}`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const expected = count * kind.bytes;
  const actual = buf.length - headerLen;
  if (actual < expected) {
    throw new InputError(
      source,
      `truncated payload: dims [${dims.join(", ")}] of ${kind.type} need ${expected} bytes, found ${actual}`,
    );
  }
  if (actual > expected) {
    throw new InputError(
      source,
      `${actual - expected} trailing bytes after the payload of dims [${dims.join(", ")}] of ${kind.type}`,
    );
  }
  return { dims, type: kind.type, data: decode(kind.type, view, headerLen, count) };
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

/**
 * Reads and parses an IDX file (gzipped or not); unreadable or malformed files are InputErrors.
 *
 * @example
 * ```ts
 * const read = (path: string) => data.readIdx(path); // gunzips .gz files; a bad header throws an InputError naming the file
 * ```
 */
export function readIdx(path: string): Idx {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InputError(path, `cannot read IDX file (${e instanceof Error ? e.message : String(e)})`);
  }
  return parseIdx(bytes, path);
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
 * Loads an MNIST-style image/label IDX pair (28×28 uint8 images, integer labels) as a {@link Split}.
 *
 * @example
 * ```ts
 * const loadSplit = (dir: string) => data.loadIdxDataset(`${dir}/t10k-images-idx3-ubyte.gz`, `${dir}/t10k-labels-idx1-ubyte.gz`);
 * ```
 */
export function loadIdxDataset(imagesPath: string, labelsPath: string): Split {
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.dims.length !== 3) {
    throw new InputError(imagesPath, `images must have rank 3 [n, rows, cols], got dims [${images.dims.join(", ")}]`);
  }
  if (images.type !== "uint8") throw new InputError(imagesPath, `images must be uint8 (type 0x08), got ${images.type}`);
  const [n, rows, cols] = images.dims as [number, number, number];
  if (rows !== 28 || cols !== 28) throw new InputError(imagesPath, `images must be 28×28, got ${rows}×${cols}`);
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
  return {
    images: typed<[number, 784], "float32">(new Concrete([n, 784], "float32", scalePixels(images.data as Uint8Array))),
    labels: typed<[number], "int32">(new Concrete([n], "int32", Int32Array.from(labels.data))),
  };
}
