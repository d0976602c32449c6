/**
 * A compact binary cache for image-classification datasets (uint8 pixels, uint8 labels).
 *
 * File layout (all integers little-endian uint32):
 *
 * | offset | field                                                         |
 * |--------|---------------------------------------------------------------|
 * | 0      | magic `"TFDC"`                                                |
 * | 4      | format version ({@link CACHE_VERSION})                        |
 * | 8      | checksum: {@link hash32} of every byte from offset 12 to end  |
 * | 12     | total file length in bytes                                    |
 * | 16     | rows, cols, train count, test count                           |
 * | 32     | source tag length `L`, then `L` bytes of UTF-8, zero-padded to 4 |
 * | …      | train pixels, train labels, test pixels, test labels          |
 *
 * The source tag says what the cache was built from (package, version, file sizes, split rule);
 * a cache whose version or tag differs is stale, one whose length or checksum is off is corrupt.
 * Either way the loader rebuilds it. Writes are atomic: a temp file in the same dir, then rename.
 */
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Bumped whenever the file layout or the conversion changes; older files are rebuilt. */
export const CACHE_VERSION = 1;

const MAGIC = [0x54, 0x46, 0x44, 0x43]; // "TFDC"
const FIXED_HEADER = 36;

/** One split held as raw bytes: `count * rows * cols` pixels and `count` labels. */
export interface RawSplit {
  readonly count: number;
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
}

/** A dataset held as raw bytes, as stored in the cache. */
export interface RawDataset {
  readonly rows: number;
  readonly cols: number;
  readonly train: RawSplit;
  readonly test: RawSplit;
}

/** Why a cache file was not used. */
export type CacheMiss =
  | { readonly kind: "missing"; readonly detail: string }
  | { readonly kind: "stale"; readonly detail: string }
  | { readonly kind: "corrupt"; readonly detail: string };

/** The outcome of reading a cache: the dataset, or why it cannot be used. */
export type CacheRead = { readonly ok: true; readonly value: RawDataset } | { readonly ok: false; readonly miss: CacheMiss };

/** A fast 32-bit hash (murmur3-style mixing, four bytes per step) of `bytes[from..]`. */
export function hash32(bytes: Uint8Array, from = 0): number {
  let h = 0x9747b28c ^ (bytes.length - from);
  const n = bytes.length;
  const end4 = from + ((n - from) & ~3);
  let i = from;
  for (; i < end4; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  for (let s = 0; i < n; i++, s += 8) k |= bytes[i]! << s;
  if (end4 < n) {
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const pad4 = (n: number): number => (n + 3) & ~3;

/** Serialises a dataset with its source tag into the cache format. */
export function encodeCache(ds: RawDataset, sourceTag: string): Uint8Array {
  const tag = new TextEncoder().encode(sourceTag);
  const img = ds.rows * ds.cols;
  for (const [name, s] of [["train", ds.train], ["test", ds.test]] as const) {
    if (s.pixels.length !== s.count * img || s.labels.length !== s.count) {
      throw new Error(`encodeCache: ${name} split has ${s.pixels.length} pixels and ${s.labels.length} labels for ${s.count} images`);
    }
  }
  const start = pad4(FIXED_HEADER + tag.length);
  const total = start + (ds.train.count + ds.test.count) * (img + 1);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(4, CACHE_VERSION, true);
  view.setUint32(12, total, true);
  view.setUint32(16, ds.rows, true);
  view.setUint32(20, ds.cols, true);
  view.setUint32(24, ds.train.count, true);
  view.setUint32(28, ds.test.count, true);
  view.setUint32(32, tag.length, true);
  out.set(tag, FIXED_HEADER);
  let at = start;
  for (const part of [ds.train.pixels, ds.train.labels, ds.test.pixels, ds.test.labels]) {
    out.set(part, at);
    at += part.length;
  }
  view.setUint32(8, hash32(out, 12), true);
  return out;
}

/** Checks and decodes cache bytes against the expected source tag (views into `bytes`, no copy). */
export function decodeCache(bytes: Uint8Array, sourceTag: string): CacheRead {
  const miss = (kind: "stale" | "corrupt", detail: string): CacheRead => ({ ok: false, miss: { kind, detail } });
  if (bytes.length < FIXED_HEADER) return miss("corrupt", `${bytes.length} bytes, shorter than the ${FIXED_HEADER}-byte header`);
  if (MAGIC.some((m, i) => bytes[i] !== m)) return miss("corrupt", "bad magic (not a tenfold dataset cache)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== CACHE_VERSION) return miss("stale", `format version ${version}, expected ${CACHE_VERSION}`);
  const total = view.getUint32(12, true);
  if (total !== bytes.length) return miss("corrupt", `length ${bytes.length}, header says ${total} (truncated or padded)`);
  const tagLen = view.getUint32(32, true);
  if (FIXED_HEADER + tagLen > bytes.length) return miss("corrupt", `source tag of ${tagLen} bytes overruns the file`);
  const tag = new TextDecoder().decode(bytes.subarray(FIXED_HEADER, FIXED_HEADER + tagLen));
  if (tag !== sourceTag) return miss("stale", `built from "${tag}", expected "${sourceTag}"`);
  const sum = view.getUint32(8, true);
  const actual = hash32(bytes, 12);
  if (sum !== actual) return miss("corrupt", `checksum ${actual.toString(16)} does not match header ${sum.toString(16)}`);
  const rows = view.getUint32(16, true);
  const cols = view.getUint32(20, true);
  const nTrain = view.getUint32(24, true);
  const nTest = view.getUint32(28, true);
  const img = rows * cols;
  const start = pad4(FIXED_HEADER + tagLen);
  if (start + (nTrain + nTest) * (img + 1) !== total) return miss("corrupt", "counts do not match the file length");
  let at = start;
  const take = (n: number): Uint8Array => bytes.subarray(at, (at += n));
  const train = { count: nTrain, pixels: take(nTrain * img), labels: take(nTrain) };
  const test = { count: nTest, pixels: take(nTest * img), labels: take(nTest) };
  return { ok: true, value: { rows, cols, train, test } };
}

/** Reads and validates a cache file; a missing or unreadable file is a `missing` miss, never a throw. */
export function readCache(path: string, sourceTag: string): CacheRead {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return { ok: false, miss: { kind: "missing", detail: e instanceof Error ? e.message : String(e) } };
  }
  return decodeCache(bytes, sourceTag);
}

/** Writes `bytes` to `path` atomically (temp file in the same directory, then rename), creating the directory. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temp file was never created
    }
    throw e;
  }
}

/** Encodes a dataset and writes it atomically to `path`. */
export function writeCache(path: string, ds: RawDataset, sourceTag: string): void {
  writeFileAtomic(path, encodeCache(ds, sourceTag));
}
