import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  CACHE_VERSION,
  decodeCache,
  encodeCache,
  hash32,
  readCache,
  readCacheStream,
  writeCache,
  writeFileAtomic,
  type CachePart,
  type CacheSink,
  type RawDataset,
} from "../../src/data/cache.js";
import { tmpDir } from "../fixtures/idx.js";

const dir = tmpDir("cache");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sample = (): RawDataset => ({
  rows: 2,
  cols: 3,
  train: { count: 3, pixels: Uint8Array.from({ length: 18 }, (_, i) => i), labels: Uint8Array.from([0, 1, 2]) },
  test: { count: 1, pixels: Uint8Array.from([9, 8, 7, 6, 5, 4]), labels: Uint8Array.from([7]) },
});

const plain = (ds: RawDataset): unknown => ({
  rows: ds.rows,
  cols: ds.cols,
  train: [ds.train.count, Array.from(ds.train.pixels), Array.from(ds.train.labels)],
  test: [ds.test.count, Array.from(ds.test.pixels), Array.from(ds.test.labels)],
});

describe("hash32", () => {
  it("is deterministic, covers the tail, and sees single-bit flips", () => {
    const b = Uint8Array.from({ length: 1001 }, (_, i) => (i * 31) & 255);
    expect(hash32(b)).toBe(hash32(b.slice()));
    const seen = new Set<number>([hash32(b)]);
    for (const i of [0, 1, 2, 3, 500, 999, 1000]) {
      const c = b.slice();
      c[i] = c[i]! ^ 1;
      seen.add(hash32(c));
    }
    expect(seen.size).toBe(8);
    expect(hash32(b, 5)).not.toBe(hash32(b));
    expect(hash32(b.subarray(0, 1000))).not.toBe(hash32(b));
  });
});

describe("encodeCache / decodeCache", () => {
  it("round-trips", () => {
    const bytes = encodeCache(sample(), "src@1");
    const r = decodeCache(bytes, "src@1");
    expect(r.ok).toBe(true);
    if (r.ok) expect(plain(r.value)).toEqual(plain(sample()));
  });

  it("detects a stale tag or version", () => {
    const bytes = encodeCache(sample(), "src@1");
    const r1 = decodeCache(bytes, "src@2");
    expect(r1).toMatchObject({ ok: false, miss: { kind: "stale" } });
    const old = bytes.slice();
    new DataView(old.buffer).setUint32(4, CACHE_VERSION + 1, true);
    expect(decodeCache(old, "src@1")).toMatchObject({ ok: false, miss: { kind: "stale", detail: /version/ } });
  });

  it("detects corruption: bad magic, truncation, a flipped payload byte", () => {
    const bytes = encodeCache(sample(), "src@1");
    const magic = bytes.slice();
    magic[0] = 0;
    expect(decodeCache(magic, "src@1")).toMatchObject({ ok: false, miss: { kind: "corrupt", detail: /magic/ } });
    expect(decodeCache(bytes.subarray(0, bytes.length - 1), "src@1")).toMatchObject({
      ok: false,
      miss: { kind: "corrupt", detail: /truncated/ },
    });
    expect(decodeCache(bytes.subarray(0, 10), "src@1")).toMatchObject({ ok: false, miss: { kind: "corrupt" } });
    const flipped = bytes.slice();
    flipped[flipped.length - 3] = flipped[flipped.length - 3]! ^ 0x10;
    expect(decodeCache(flipped, "src@1")).toMatchObject({ ok: false, miss: { kind: "corrupt", detail: /checksum/ } });
    const counts = bytes.slice();
    new DataView(counts.buffer).setUint32(24, 4, true); // claims one more train image
    expect(decodeCache(counts, "src@1")).toMatchObject({ ok: false, miss: { kind: "corrupt" } });
  });

  it("refuses inconsistent input", () => {
    const bad = { ...sample(), test: { count: 2, pixels: new Uint8Array(6), labels: new Uint8Array(2) } };
    expect(() => encodeCache(bad, "x")).toThrow(/test split/);
  });
});

describe("readCache / writeCache", () => {
  it("writes atomically (no temp files left) and reads back", () => {
    const p = join(dir, "nested", "deeper", "ds.bin");
    expect(readCache(p, "t")).toMatchObject({ ok: false, miss: { kind: "missing" } });
    writeCache(p, sample(), "t");
    writeCache(p, sample(), "t"); // overwrite in place
    expect(readdirSync(join(dir, "nested", "deeper"))).toEqual(["ds.bin"]);
    const r = readCache(p, "t");
    expect(r.ok).toBe(true);
    expect(readFileSync(p).length).toBe(encodeCache(sample(), "t").length);
  });

  it("leaves no temp file when the write fails", () => {
    const target = join(dir, "isdir");
    writeFileAtomic(join(target, "x.bin"), new Uint8Array(1)); // makes `isdir` a directory
    expect(() => writeFileAtomic(target, new Uint8Array(1))).toThrow();
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(existsSync(join(target, "x.bin"))).toBe(true);
  });
});

describe("readCacheStream", () => {
  /** A sink that reassembles the four parts from their pieces, checking that pieces arrive in order. */
  const collect: CacheSink<{ parts: Record<CachePart, number[]>; header: unknown }> = {
    start: (header) => ({ header, parts: { trainPixels: [], trainLabels: [], testPixels: [], testLabels: [] } }),
    piece: (into, part, offset, bytes) => {
      expect(offset).toBe(into.parts[part].length);
      into.parts[part].push(...bytes);
    },
  };
  // Payloads of every length modulo 4, so the hash's tail and the chunk boundaries are all exercised.
  const sized = (trainCount: number): RawDataset => ({
    rows: 1,
    cols: 3,
    train: { count: trainCount, pixels: Uint8Array.from({ length: trainCount * 3 }, (_, i) => (i * 37) & 255), labels: Uint8Array.from({ length: trainCount }, (_, i) => i % 10) },
    test: { count: 1, pixels: Uint8Array.from([9, 8, 7]), labels: Uint8Array.from([7]) },
  });

  it("hands over exactly the bytes decodeCache sees, for any chunk size and payload length", () => {
    for (const trainCount of [0, 1, 2, 3, 4, 9]) {
      const ds = sized(trainCount);
      const p = join(dir, `stream-${trainCount}.bin`);
      writeCache(p, ds, "tag");
      for (const chunk of [1, 4, 5, 8, 12, 1 << 20]) {
        const r = readCacheStream(p, "tag", collect, chunk);
        expect(r.ok).toBe(true);
        if (!r.ok) continue;
        expect(r.value.header).toEqual({ rows: 1, cols: 3, trainCount, testCount: 1 });
        expect(r.value.parts).toEqual({
          trainPixels: Array.from(ds.train.pixels), trainLabels: Array.from(ds.train.labels),
          testPixels: [9, 8, 7], testLabels: [7],
        });
      }
    }
  });

  it("reports the same misses as readCache: missing, a directory, a FIFO, /dev/zero, stale, truncated, a flipped payload byte", () => {
    const p = join(dir, "stream-bad.bin");
    expect(readCacheStream(join(dir, "nope.bin"), "t", collect)).toMatchObject({ ok: false, miss: { kind: "missing" } });
    mkdirSync(join(dir, "a-dir"), { recursive: true });
    const fifo = join(dir, "a-fifo");
    execFileSync("mkfifo", [fifo]);
    for (const [path, what] of [[join(dir, "a-dir"), "a directory"], [fifo, "a FIFO"], ["/dev/zero", "a character device"]] as const) {
      const miss = { ok: false, miss: { kind: "corrupt", detail: `${path}: is ${what}${what === "a FIFO" ? " (named pipe)" : ""}, not a regular file` } };
      expect(readCacheStream(path, "t", collect)).toEqual(miss);
      expect(readCache(path, "t")).toEqual(miss);
    }
    const bytes = encodeCache(sample(), "t");
    writeFileSync(p, bytes);
    expect(readCacheStream(p, "other", collect)).toMatchObject({ ok: false, miss: { kind: "stale" } });
    writeFileSync(p, bytes.subarray(0, bytes.length - 1));
    expect(readCacheStream(p, "t", collect)).toMatchObject({ ok: false, miss: { kind: "corrupt", detail: /truncated/ } });
    writeFileSync(p, bytes.subarray(0, 10));
    expect(readCacheStream(p, "t", collect)).toMatchObject({ ok: false, miss: { kind: "corrupt" } });
    for (const at of [bytes.length - 1, bytes.length - 3, 40]) {
      const flipped = bytes.slice();
      flipped[at] = flipped[at]! ^ 0x01;
      writeFileSync(p, flipped);
      expect(readCacheStream(p, "t", collect, 8)).toMatchObject({ ok: false, miss: { kind: "corrupt", detail: /checksum/ } });
      expect(readCache(p, "t")).toMatchObject({ ok: false, miss: { kind: "corrupt", detail: /checksum/ } });
    }
    const huge = bytes.slice();
    new DataView(huge.buffer).setUint32(32, 0xffffff00, true); // a tag length far beyond the file
    writeFileSync(p, huge);
    expect(readCacheStream(p, "t", collect)).toMatchObject({ ok: false, miss: { kind: "corrupt", detail: /overruns/ } });
  });

  it("checks the fixed header before reading the tag, reports long foreign tags by length, and takes any chunk size", () => {
    const p = join(dir, "stream-edge.bin");
    const bytes = encodeCache(sample(), "t");
    // Bad magic with a tag length as long as the file: rejected on the fixed header.
    const junk = new Uint8Array(4096);
    new DataView(junk.buffer).setUint32(32, 4000, true);
    writeFileSync(p, junk);
    expect(readCacheStream(p, "t", collect)).toMatchObject({ ok: false, miss: { kind: "corrupt", detail: /magic/ } });
    // A cache built from a 2000-byte tag: stale, named by its length rather than decoded.
    writeCache(p, sample(), "x".repeat(2000));
    expect(readCacheStream(p, "t", collect)).toMatchObject({ ok: false, miss: { kind: "stale", detail: /2000 bytes/ } });
    expect(readCache(p, "t")).toMatchObject({ ok: false, miss: { kind: "stale", detail: /2000 bytes/ } });
    expect(readCacheStream(p, "x".repeat(2000), collect).ok).toBe(true);
    writeFileSync(p, bytes);
    for (const chunk of [2 ** 31, 2 ** 32 + 4, 0, -5]) expect(readCacheStream(p, "t", collect, chunk).ok).toBe(true);
    // decodeCache checks the checksum before the sizes, as it always did.
    const counts = bytes.slice();
    new DataView(counts.buffer).setUint32(24, 4, true);
    expect(decodeCache(counts, "t")).toMatchObject({ ok: false, miss: { kind: "corrupt", detail: /checksum/ } });
    writeFileSync(p, counts);
    expect(readCacheStream(p, "t", collect)).toMatchObject({ ok: false, miss: { kind: "corrupt", detail: /counts/ } });
  });
});
