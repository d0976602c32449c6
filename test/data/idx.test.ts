import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { impl, type Concrete } from "../../src/tensor/tensor.js";
import { loadIdxDataset, parseIdx, readIdx } from "../../src/data/idx.js";
import { loadIdxDir } from "../../src/data/datasets.js";
import { idxBytes, pixels, tmpDir, writePair } from "../fixtures/idx.js";

const dir = tmpDir("idx");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = (t: unknown): Concrete => impl(t as never).concrete();

/** Writes bytes to `dir/name` and returns the path. */
const put = (name: string, bytes: Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

/** Expects `f` to throw an InputError whose message names `file` (by base name). */
function expectInputError(f: () => unknown, file: string, pattern: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InputError);
  const msg = (err as Error).message;
  expect(msg).toContain(basename(file));
  expect(msg).toMatch(pattern);
}

describe("parseIdx", () => {
  it("parses uint8 images and labels, raw and gzipped alike", () => {
    const raw = idxBytes("uint8", [2, 3, 4], Array.from({ length: 24 }, (_, i) => i * 10));
    for (const bytes of [raw, gzipSync(raw)]) {
      const idx = parseIdx(bytes, "mem");
      expect(idx.type).toBe("uint8");
      expect(idx.dims).toEqual([2, 3, 4]);
      expect(idx.data).toBeInstanceOf(Uint8Array);
      expect(Array.from(idx.data)).toEqual(Array.from({ length: 24 }, (_, i) => i * 10));
    }
  });

  it("decodes every type code big-endian", () => {
    const cases = [
      ["int8", [-128, -1, 0, 127], Int8Array],
      ["int16", [-32768, -2, 258, 32767], Int16Array],
      ["int32", [-2147483648, -3, 16909060, 2147483647], Int32Array],
      ["float32", [-1.5, 0, 0.25, 2 ** 127], Float32Array],
      ["float64", [-1e300, Math.PI, 0, 5e-324], Float64Array],
    ] as const;
    for (const [type, values, ctor] of cases) {
      const idx = parseIdx(idxBytes(type, [2, 2], values), type);
      expect(idx.type).toBe(type);
      expect(idx.dims).toEqual([2, 2]);
      expect(idx.data).toBeInstanceOf(ctor);
      expect(Array.from(idx.data)).toEqual([...values]);
    }
  });

  it("accepts rank 0 and empty dims", () => {
    expect(parseIdx(idxBytes("int32", [], [42]), "s").data[0]).toBe(42);
    expect(parseIdx(idxBytes("uint8", [0, 28, 28], []), "e").dims).toEqual([0, 28, 28]);
  });

  it("reads files from disk, .gz or not", () => {
    const raw = idxBytes("uint8", [5], [1, 2, 3, 4, 5]);
    expect(Array.from(readIdx(put("a-idx1-ubyte", raw)).data)).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from(readIdx(put("a-idx1-ubyte.gz", gzipSync(raw))).data)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("IDX errors name the file", () => {
  const good = idxBytes("uint8", [3, 2], [1, 2, 3, 4, 5, 6]);

  it("wrong magic", () => {
    const bad = good.slice();
    bad[0] = 0x42;
    const p = put("magic-idx1-ubyte", bad);
    expectInputError(() => readIdx(p), p, /bad magic/);
    const png = put("image.png", Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
    expectInputError(() => readIdx(png), png, /bad magic/);
  });

  it("unknown type code", () => {
    const bad = good.slice();
    bad[2] = 0x0a;
    const p = put("code-idx1-ubyte", bad);
    expectInputError(() => readIdx(p), p, /unknown IDX type code 0x0a/);
  });

  it("too short for a header", () => {
    const p1 = put("tiny-idx1-ubyte", Uint8Array.from([0, 0]));
    expectInputError(() => readIdx(p1), p1, /too short/);
    const p2 = put("hdr-idx1-ubyte", good.subarray(0, 9));
    expectInputError(() => readIdx(p2), p2, /truncated header/);
  });

  it("truncated payload (raw and gzipped)", () => {
    const cut = good.subarray(0, good.length - 1);
    const p = put("trunc-idx3-ubyte", cut);
    expectInputError(() => readIdx(p), p, /truncated payload.*need 6 bytes, found 5/);
    const pz = put("trunc-idx3-ubyte.gz", gzipSync(cut));
    expectInputError(() => readIdx(pz), pz, /truncated payload/);
  });

  it("trailing garbage", () => {
    const p = put("trail-idx3-ubyte", Uint8Array.from([...good, 0, 0]));
    expectInputError(() => readIdx(p), p, /2 trailing bytes/);
  });

  it("corrupt gzip", () => {
    const z = gzipSync(good);
    const p1 = put("cut-idx3-ubyte.gz", z.subarray(0, z.length - 6));
    expectInputError(() => readIdx(p1), p1, /corrupt gzip/);
    const flipped = z.slice();
    flipped[12] = flipped[12]! ^ 0xff;
    const p2 = put("flip-idx3-ubyte.gz", flipped);
    expectInputError(() => readIdx(p2), p2, /corrupt gzip|magic|truncated|trailing/);
  });

  it("a missing file", () => {
    const p = join(dir, "nope-idx1-ubyte");
    expectInputError(() => readIdx(p), p, /cannot read/);
  });
});

describe("loadIdxDataset", () => {
  it("loads images as float32 [n, 784] in [0, 1] and labels as int32, raw and gz", () => {
    for (const gz of [false, true]) {
      const sub = join(dir, gz ? "pair-gz" : "pair-raw");
      mkdirSync(sub, { recursive: true });
      const { images, labels, labelValues } = writePair(sub, "train", 12, gz);
      const ds = loadIdxDataset(images, labels);
      expect(ds.images.shape).toEqual([12, 784]);
      expect(ds.images.dtype).toBe("float32");
      expect(ds.labels.shape).toEqual([12]);
      expect(ds.labels.dtype).toBe("int32");
      const px = data(ds.images).data;
      expect(px).toBeInstanceOf(Float32Array);
      const want = pixels(12);
      for (let i = 0; i < want.length; i++) expect(px[i]).toBe(Math.fround(want[i]! / 255));
      expect(Array.from(data(ds.labels).data)).toEqual(labelValues);
    }
  });

  it("rejects a count mismatch, naming both files", () => {
    const images = put("mm-images-idx3-ubyte", idxBytes("uint8", [3, 28, 28], pixels(3)));
    const labels = put("mm-labels-idx1-ubyte", idxBytes("uint8", [4], [0, 1, 2, 3]));
    expectInputError(() => loadIdxDataset(images, labels), images, /count mismatch: 3 images .* 4 labels/);
    expectInputError(() => loadIdxDataset(images, labels), labels, /count mismatch/);
  });

  it("rejects wrong ranks, sizes and types", () => {
    const labels = put("ok-labels-idx1-ubyte", idxBytes("uint8", [2], [0, 1]));
    const flat = put("flat-images-idx3-ubyte", idxBytes("uint8", [2, 784], pixels(2)));
    expectInputError(() => loadIdxDataset(flat, labels), flat, /rank 3/);
    const small = put("small-images-idx3-ubyte", idxBytes("uint8", [2, 14, 56], pixels(2)));
    expectInputError(() => loadIdxDataset(small, labels), small, /28×28/);
    const floats = put("float-images-idx3-ubyte", idxBytes("float32", [1, 28, 28], new Float32Array(784)));
    const one = put("one-labels-idx1-ubyte", idxBytes("uint8", [1], [0]));
    expectInputError(() => loadIdxDataset(floats, one), floats, /uint8/);
    const images = put("ok-images-idx3-ubyte", idxBytes("uint8", [2, 28, 28], pixels(2)));
    const rank2 = put("r2-labels-idx1-ubyte", idxBytes("uint8", [2, 1], [0, 1]));
    expectInputError(() => loadIdxDataset(images, rank2), rank2, /rank 1/);
  });
});

describe("loadIdxDir", () => {
  it("loads the four standard files, mixing .gz and raw", () => {
    const sub = join(dir, "std");
    mkdirSync(sub, { recursive: true });
    writePair(sub, "train", 20, true);
    writePair(sub, "t10k", 7, false);
    const ds = loadIdxDir(sub);
    expect(ds.train.images.shape).toEqual([20, 784]);
    expect(ds.test.labels.shape).toEqual([7]);
  });

  it("lists what it looked for when files are missing", () => {
    const sub = join(dir, "partial");
    mkdirSync(sub, { recursive: true });
    writePair(sub, "train", 2, false);
    expectInputError(
      () => loadIdxDir(sub),
      sub,
      /missing IDX files: t10k-images-idx3-ubyte\[\.gz\], t10k-labels-idx1-ubyte\[\.gz\].*t10k-images-idx3-ubyte\.gz/,
    );
  });
});
