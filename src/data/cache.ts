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
import { closeSync } from "node:fs";
import { NotRegularFileError, openRegularFile, readAt, writeFileAtomic, type OpenFile } from "./files.js";

export { writeFileAtomic } from "./files.js";

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
  const n = bytes.length;
  const end4 = from + ((n - from) & ~3);
  return hashFinish(hashWords(hashStart(n - from), bytes, from, end4), bytes.subarray(end4));
}

/** The state of {@link hash32} before any byte, for a message of `length` bytes. */
function hashStart(length: number): number {
  return 0x9747b28c ^ length;
}

/** Mixes the whole 4-byte words of `bytes[from..to]` (`to - from` a multiple of 4) into the state `h`. */
function hashWords(h: number, bytes: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return h;
}

/** Mixes the last 0-3 bytes (`tail`) into `h` and finalises the hash. */
function hashFinish(h: number, tail: Uint8Array): number {
  let k = 0;
  for (let i = 0, s = 0; i < tail.length; i++, s += 8) k |= tail[i]! << s;
  if (tail.length > 0) {
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

/** The fixed fields of a cache file: image size and split sizes. */
export interface CacheHeader {
  readonly rows: number;
  readonly cols: number;
  readonly trainCount: number;
  readonly testCount: number;
}

/** The four payload parts of a cache, in file order. */
export type CachePart = "trainPixels" | "trainLabels" | "testPixels" | "testLabels";

/**
 * Receives a cache's payload in pieces, so that a reader can convert it on the way (pixels to float32)
 * without ever holding the whole file: `start` once the header is valid, then `piece` for consecutive
 * byte ranges of each part, in file order. The result is used only if the checksum holds at the end.
 */
export interface CacheSink<T> {
  start(header: CacheHeader): T;
  piece(into: T, part: CachePart, offset: number, bytes: Uint8Array): void;
}

/** The outcome of reading a cache through a {@link CacheSink}. */
export type CacheStreamRead<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly miss: CacheMiss };

type Miss = { readonly ok: false; readonly miss: CacheMiss };
const missOf = (kind: CacheMiss["kind"], detail: string): Miss => ({ ok: false, miss: { kind, detail } });

/** The parsed prefix of a cache file: where the payload starts, and the checksum it must match. */
interface Prefix extends CacheHeader {
  readonly start: number;
  readonly sum: number;
}

/**
 * Checks the fixed header (`head`: the file's first bytes, all of them if it is shorter) against the
 * file's real length, before anything as long as the tag is read; returns the tag's length.
 */
function checkFixed(head: Uint8Array, length: number): { readonly tagLen: number } | Miss {
  if (length < FIXED_HEADER) return missOf("corrupt", `${length} bytes, shorter than the ${FIXED_HEADER}-byte header`);
  if (MAGIC.some((m, i) => head[i] !== m)) return missOf("corrupt", "bad magic (not a tenfold dataset cache)");
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = view.getUint32(4, true);
  if (version !== CACHE_VERSION) return missOf("stale", `format version ${version}, expected ${CACHE_VERSION}`);
  const total = view.getUint32(12, true);
  if (total !== length) return missOf("corrupt", `length ${length}, header says ${total} (truncated or padded)`);
  const tagLen = view.getUint32(32, true);
  if (FIXED_HEADER + tagLen > length) return missOf("corrupt", `source tag of ${tagLen} bytes overruns the file`);
  return { tagLen };
}

/** Reads the tag and the sizes from `bytes` (the header and the tag), once {@link checkFixed} passed. */
function parseTagged(bytes: Uint8Array, tagLen: number, sourceTag: string): Prefix | Miss {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const expected = new TextEncoder().encode(sourceTag).length;
  // Tags are short; a long one is not decoded (a corrupt length could make it as long as the file).
  if (tagLen !== expected && tagLen > MAX_SHOWN_TAG) return missOf("stale", `built from a source tag of ${tagLen} bytes, expected "${sourceTag}"`);
  const tag = new TextDecoder().decode(bytes.subarray(FIXED_HEADER, FIXED_HEADER + tagLen));
  if (tag !== sourceTag) return missOf("stale", `built from "${tag}", expected "${sourceTag}"`);
  return {
    rows: view.getUint32(16, true), cols: view.getUint32(20, true), trainCount: view.getUint32(24, true), testCount: view.getUint32(28, true),
    start: pad4(FIXED_HEADER + tagLen), sum: view.getUint32(8, true),
  };
}

const MAX_SHOWN_TAG = 1024;

/** A miss if the sizes in the header do not add up to the file's length. */
const countsMiss = (p: Prefix, length: number): Miss | null =>
  p.start + (p.trainCount + p.testCount) * (p.rows * p.cols + 1) !== length ? missOf("corrupt", "counts do not match the file length") : null;

/** The payload parts' byte ranges, in file order. */
function partRanges(p: Prefix): readonly (readonly [CachePart, number, number])[] {
  const img = p.rows * p.cols;
  const sizes: [CachePart, number][] = [
    ["trainPixels", p.trainCount * img], ["trainLabels", p.trainCount], ["testPixels", p.testCount * img], ["testLabels", p.testCount],
  ];
  let at = p.start;
  return sizes.map(([part, n]) => [part, at, (at += n)] as const);
}

const checksumMiss = (actual: number, sum: number): Miss =>
  missOf("corrupt", `checksum ${actual.toString(16)} does not match header ${sum.toString(16)}`);

/** Checks and decodes cache bytes against the expected source tag (views into `bytes`, no copy). */
export function decodeCache(bytes: Uint8Array, sourceTag: string): CacheRead {
  const fixed = checkFixed(bytes, bytes.length);
  if ("ok" in fixed) return fixed;
  const p = parseTagged(bytes, fixed.tagLen, sourceTag);
  if ("ok" in p) return p;
  const actual = hash32(bytes, 12);
  if (actual !== p.sum) return checksumMiss(actual, p.sum);
  const counts = countsMiss(p, bytes.length);
  if (counts !== null) return counts;
  const [tp, tl, sp, sl] = partRanges(p).map(([, from, to]) => bytes.subarray(from, to)) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  return {
    ok: true,
    value: { rows: p.rows, cols: p.cols, train: { count: p.trainCount, pixels: tp, labels: tl }, test: { count: p.testCount, pixels: sp, labels: sl } },
  };
}

/** Opens a cache file: a missing or unreadable one is a `missing` miss, one that is not a regular file `corrupt`. */
function openCache(path: string): OpenFile | Miss {
  try {
    return openRegularFile(path);
  } catch (e) {
    return missOf(e instanceof NotRegularFileError ? "corrupt" : "missing", e instanceof Error ? e.message : String(e));
  }
}

/** Reads and validates a cache file; a missing, unreadable or non-regular file is a miss, never a throw. */
export function readCache(path: string, sourceTag: string): CacheRead {
  const file = openCache(path);
  if ("ok" in file) return file;
  try {
    const bytes = new Uint8Array(file.size);
    const got = readAt(file.fd, bytes, 0);
    if (got !== file.size) return missOf("corrupt", `the file changed while it was read (short read at byte ${got})`);
    return decodeCache(bytes, sourceTag);
  } catch (e) {
    if (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === "string") return missOf("missing", e.message);
    throw e;
  } finally {
    closeSync(file.fd);
  }
}

/**
 * Reads and validates a cache file piece by piece (`chunkBytes` at a time), handing the payload to `sink`
 * as it goes: the file is never held whole. The checksum is checked at the end; on a mismatch the sink's
 * result is dropped and the read is a `corrupt` miss. Like {@link readCache}, it never throws on a bad file.
 */
export function readCacheStream<T>(path: string, sourceTag: string, sink: CacheSink<T>, chunkBytes = 1 << 20): CacheStreamRead<T> {
  const file = openCache(path);
  if ("ok" in file) return file;
  const { fd, size: length } = file;
  try {
    const read = (buf: Uint8Array, at: number): number => readAt(fd, buf, at);
    // The fixed header first: a file that fails its checks costs one small read, whatever its tag length says.
    const head = new Uint8Array(Math.min(length, FIXED_HEADER));
    read(head, 0);
    const fixed = checkFixed(head, length);
    if ("ok" in fixed) return fixed;
    const withTag = new Uint8Array(FIXED_HEADER + Math.min(fixed.tagLen, Math.max(MAX_SHOWN_TAG, new TextEncoder().encode(sourceTag).length)));
    read(withTag, 0);
    const p = parseTagged(withTag, fixed.tagLen, sourceTag);
    if ("ok" in p) return p;
    // The checksum can only be checked at the end, so the sizes are checked first here.
    const counts = countsMiss(p, length);
    if (counts !== null) return counts;
    const value = sink.start({ rows: p.rows, cols: p.cols, trainCount: p.trainCount, testCount: p.testCount });
    const ranges = partRanges(p);
    // The hash covers bytes 12.. of the file; the prefix part of it first.
    const pre = new Uint8Array(p.start - 12);
    read(pre, 12);
    let h = hashWords(hashStart(length - 12), pre, 0, pre.length);
    // Whole words (the hash reads 4 bytes at a time), at most 1 GiB.
    const step = Math.max(4, Math.floor(Math.min(chunkBytes, 2 ** 30) / 4) * 4);
    const buf = new Uint8Array(step);
    let tail = new Uint8Array(0);
    for (let at = p.start; at < length; at += step) {
      const want = Math.min(step, length - at);
      const got = read(buf.subarray(0, want), at);
      if (got !== want) return missOf("corrupt", `the file changed while it was read (short read at byte ${at + got})`);
      const chunk = buf.subarray(0, want);
      // Every chunk but the last is whole words; the last one's 0-3 leftover bytes are the hash's tail.
      const whole = want & ~3;
      h = hashWords(h, chunk, 0, whole);
      tail = chunk.subarray(whole);
      for (const [part, from, to] of ranges) {
        const lo = Math.max(from, at);
        const hi = Math.min(to, at + want);
        if (lo < hi) sink.piece(value, part, lo - from, chunk.subarray(lo - at, hi - at));
      }
    }
    const actual = hashFinish(h, tail);
    return actual === p.sum ? { ok: true, value } : checksumMiss(actual, p.sum);
  } catch (e) {
    // The file system's errors (a directory, a vanished file) are a miss like a missing file; others are bugs.
    if (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === "string") return missOf("missing", e.message);
    throw e;
  } finally {
    closeSync(fd);
  }
}

/** Encodes a dataset and writes it atomically to `path`. */
export function writeCache(path: string, ds: RawDataset, sourceTag: string): void {
  writeFileAtomic(path, encodeCache(ds, sourceTag));
}
