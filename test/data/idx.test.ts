import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { impl, type Concrete } from "../../src/tensor/tensor.js";
import { LabelRangeError, loadIdxDataset, parseIdx, readIdx } from "../../src/data/idx.js";
import { NotRegularFileError } from "../../src/data/files.js";
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

/** Expects `f` to throw (or reject with) an InputError whose message names `file` (by base name) and matches `pattern`. */
async function expectInputError(f: () => unknown, file: string, pattern: RegExp): Promise<InputError> {
  let err: unknown;
  try {
    await f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InputError);
  const msg = (err as Error).message;
  expect(msg).toContain(basename(file));
  expect(msg).toMatch(pattern);
  return err as InputError;
}

describe("parseIdx", () => {
  it("parses uint8 images and labels, raw and gzipped alike", async () => {
    const raw = idxBytes("uint8", [2, 3, 4], Array.from({ length: 24 }, (_, i) => i * 10));
    for (const bytes of [raw, gzipSync(raw)]) {
      const idx = parseIdx(bytes, "mem");
      expect(idx.type).toBe("uint8");
      expect(idx.dims).toEqual([2, 3, 4]);
      expect(idx.data).toBeInstanceOf(Uint8Array);
      expect(Array.from(idx.data)).toEqual(Array.from({ length: 24 }, (_, i) => i * 10));
    }
  });

  it("decodes every type code big-endian", async () => {
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

  it("accepts rank 0 and empty dims", async () => {
    expect(parseIdx(idxBytes("int32", [], [42]), "s").data[0]).toBe(42);
    expect(parseIdx(idxBytes("uint8", [0, 28, 28], []), "e").dims).toEqual([0, 28, 28]);
  });

  it("reads files from disk, .gz or not", async () => {
    const raw = idxBytes("uint8", [5], [1, 2, 3, 4, 5]);
    expect(Array.from((await readIdx(put("a-idx1-ubyte", raw))).data)).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from((await readIdx(put("a-idx1-ubyte.gz", gzipSync(raw)))).data)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("IDX errors name the file", () => {
  const good = idxBytes("uint8", [3, 2], [1, 2, 3, 4, 5, 6]);

  it("wrong magic", async () => {
    const bad = good.slice();
    bad[0] = 0x42;
    const p = put("magic-idx1-ubyte", bad);
    await expectInputError(() => readIdx(p), p, /bad magic/);
    const png = put("image.png", Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
    await expectInputError(() => readIdx(png), png, /bad magic/);
  });

  it("unknown type code", async () => {
    const bad = good.slice();
    bad[2] = 0x0a;
    const p = put("code-idx1-ubyte", bad);
    await expectInputError(() => readIdx(p), p, /unknown IDX type code 0x0a/);
  });

  it("too short for a header", async () => {
    const p1 = put("tiny-idx1-ubyte", Uint8Array.from([0, 0]));
    await expectInputError(() => readIdx(p1), p1, /too short/);
    const p2 = put("hdr-idx1-ubyte", good.subarray(0, 9));
    await expectInputError(() => readIdx(p2), p2, /truncated header/);
  });

  it("truncated payload (raw and gzipped)", async () => {
    const cut = good.subarray(0, good.length - 1);
    const p = put("trunc-idx3-ubyte", cut);
    await expectInputError(() => readIdx(p), p, /truncated payload.*need 6 bytes, found 5/);
    const pz = put("trunc-idx3-ubyte.gz", gzipSync(cut));
    await expectInputError(() => readIdx(pz), pz, /truncated payload/);
  });

  it("trailing garbage", async () => {
    const p = put("trail-idx3-ubyte", Uint8Array.from([...good, 0, 0]));
    await expectInputError(() => readIdx(p), p, /2 trailing bytes/);
  });

  it("corrupt gzip", async () => {
    const z = gzipSync(good);
    const p1 = put("cut-idx3-ubyte.gz", z.subarray(0, z.length - 6));
    await expectInputError(() => readIdx(p1), p1, /corrupt gzip/);
    const flipped = z.slice();
    flipped[12] = flipped[12]! ^ 0xff;
    const p2 = put("flip-idx3-ubyte.gz", flipped);
    await expectInputError(() => readIdx(p2), p2, /corrupt gzip|magic|truncated|trailing/);
  });

  it("a missing file", async () => {
    const p = join(dir, "nope-idx1-ubyte");
    await expectInputError(() => readIdx(p), p, /cannot open the file \(ENOENT/);
  });
});

describe("loadIdxDataset", () => {
  it("loads images as float32 [n, 784] in [0, 1] and labels as int32, raw and gz", async () => {
    for (const gz of [false, true]) {
      const sub = join(dir, gz ? "pair-gz" : "pair-raw");
      mkdirSync(sub, { recursive: true });
      const { images, labels, labelValues } = writePair(sub, "train", 12, gz);
      const ds = await loadIdxDataset(images, labels);
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

  it("rejects a count mismatch, naming both files", async () => {
    const images = put("mm-images-idx3-ubyte", idxBytes("uint8", [3, 28, 28], pixels(3)));
    const labels = put("mm-labels-idx1-ubyte", idxBytes("uint8", [4], [0, 1, 2, 3]));
    await expectInputError(() => loadIdxDataset(images, labels), images, /count mismatch: 3 images .* 4 labels/);
    await expectInputError(() => loadIdxDataset(images, labels), labels, /count mismatch/);
  });

  it("rejects wrong ranks, sizes and types", async () => {
    const labels = put("ok-labels-idx1-ubyte", idxBytes("uint8", [2], [0, 1]));
    const flat = put("flat-images-idx3-ubyte", idxBytes("uint8", [2, 784], pixels(2)));
    await expectInputError(() => loadIdxDataset(flat, labels), flat, /rank 3/);
    const small = put("small-images-idx3-ubyte", idxBytes("uint8", [2, 14, 56], pixels(2)));
    await expectInputError(() => loadIdxDataset(small, labels), small, /28×28/);
    const floats = put("float-images-idx3-ubyte", idxBytes("float32", [1, 28, 28], new Float32Array(784)));
    const one = put("one-labels-idx1-ubyte", idxBytes("uint8", [1], [0]));
    await expectInputError(() => loadIdxDataset(floats, one), floats, /uint8/);
    const images = put("ok-images-idx3-ubyte", idxBytes("uint8", [2, 28, 28], pixels(2)));
    const rank2 = put("r2-labels-idx1-ubyte", idxBytes("uint8", [2, 1], [0, 1]));
    await expectInputError(() => loadIdxDataset(images, rank2), rank2, /rank 1/);
  });
});

describe("hostile and inconsistent IDX input", () => {
  it("rejects a header whose dims product overflows (it was NaN and skipped the size checks)", async () => {
    const dims = [...new Array(40).fill(0xffffffff), 0];
    const nan = idxBytes("uint8", dims, [1, 2, 3, 4, 5]);
    await expectInputError(() => parseIdx(nan, "nan-dims"), "nan-dims", /^nan-dims: 5 trailing bytes after the payload of dims \[4294967295, 4294967295, 4294967295, …, 4294967295, 0\] \(41 dims\) of uint8$/);
    const huge = idxBytes("int32", [0xffffffff, 0xffffffff, 0xffffffff], [1]);
    await expectInputError(() => parseIdx(huge, "huge"), "huge", /inconsistent header: dims \[4294967295, 4294967295, 4294967295\] of int32 declare 316912649835696421541200789500 bytes, more than any file can hold/);
    const big = put("big-idx1-ubyte", idxBytes("uint8", [65536, 65536, 65536], [1, 2]));
    await expectInputError(() => readIdx(big), big, /truncated payload: dims \[65536, 65536, 65536\] of uint8 need 281474976710656 bytes, found 2$/);
  });

  it("stops inflating at the size the header declares (a gzip bomb), from memory and from a file", async () => {
    const header = idxBytes("uint8", [2, 28, 28], pixels(2));
    const bomb = gzipSync(Buffer.concat([header, Buffer.alloc(8 << 20)])); // 8 MiB more than declared
    const msg = /inflates to more than the 1584 bytes its header declares \(dims \[2, 28, 28\] of uint8\)$/;
    await expectInputError(() => parseIdx(bomb, "bomb.gz"), "bomb.gz", msg);
    const p = put("bomb-idx3-ubyte.gz", bomb);
    await expectInputError(() => readIdx(p), p, msg);
  });

  it("refuses a gzip file too small to hold what its header declares, before inflating it", async () => {
    const lying = gzipSync(idxBytes("uint8", [60000, 28, 28], [1, 2, 3]));
    const msg = new RegExp(`truncated or corrupt: dims \\[60000, 28, 28\\] of uint8 need 47040000 bytes, more than ${lying.length} bytes of gzip can inflate to \\(at most ${1032 * lying.length}\\)$`);
    await expectInputError(() => parseIdx(lying, "lying.gz"), "lying.gz", msg);
    await expectInputError(() => readIdx(put("lying-idx3-ubyte.gz", lying)), "lying-idx3-ubyte.gz", msg);
  });

  it("refuses a FIFO (without hanging), /dev/zero and a directory, in one line", async () => {
    const fifo = join(dir, "fifo-idx3-ubyte");
    execFileSync("mkfifo", [fifo]);
    const e = await expectInputError(() => readIdx(fifo), fifo, /^.*fifo-idx3-ubyte: is a FIFO \(named pipe\), not a regular file$/);
    expect(e).toBeInstanceOf(NotRegularFileError);
    await expectInputError(() => readIdx("/dev/zero"), "/dev/zero", /^\/dev\/zero: is a character device, not a regular file$/);
    await expectInputError(() => readIdx(dir), dir, /is a directory, not a regular file$/);
    const sub = join(dir, "with-fifo");
    mkdirSync(sub, { recursive: true });
    writePair(sub, "train", 2, false);
    writePair(sub, "t10k", 2, false);
    rmSync(join(sub, "t10k-images-idx3-ubyte"));
    symlinkSync("/dev/zero", join(sub, "t10k-images-idx3-ubyte"));
    await expectInputError(() => loadIdxDir(sub), "t10k-images-idx3-ubyte", /is a character device, not a regular file$/);
  });
});

describe("labels", () => {
  const images = () => put("lab-images-idx3-ubyte", idxBytes("uint8", [4, 28, 28], pixels(4)));

  it("are range-checked, naming the file, the index and the value of the first bad one", async () => {
    const img = images();
    const high = put("high-labels-idx1-ubyte", idxBytes("uint8", [4], [3, 200, 9, 10]));
    const e = await expectInputError(() => loadIdxDataset(img, high), high, /high-labels-idx1-ubyte: label 200 at index 1 is outside 0\.\.9 \(10 classes\); 2 labels are out of range$/);
    expect(e).toBeInstanceOf(LabelRangeError);
    expect([(e as LabelRangeError).index, (e as LabelRangeError).value, (e as LabelRangeError).bad]).toEqual([1, 200, 2]);
    const negative = put("neg-labels-idx1-ubyte", idxBytes("int8", [4], [0, 1, 2, -1]));
    await expectInputError(() => loadIdxDataset(img, negative), negative, /label -1 at index 3 is outside 0\.\.9 \(10 classes\)$/);
    const wide = put("wide-labels-idx1-ubyte", idxBytes("int32", [4], [0, 1, 2147483647, 2]));
    await expectInputError(() => loadIdxDataset(img, wide), wide, /label 2147483647 at index 2 is outside 0\.\.9/);
  });

  it("follow the number of classes given", async () => {
    const img = images();
    const labels = put("cls-labels-idx1-ubyte", idxBytes("uint8", [4], [0, 1, 2, 3]));
    expect(Array.from(data((await loadIdxDataset(img, labels, { classes: 4 })).labels).data)).toEqual([0, 1, 2, 3]);
    await expectInputError(() => loadIdxDataset(img, labels, { classes: 3 }), labels, /label 3 at index 3 is outside 0\.\.2 \(3 classes\)$/);
    await expect(loadIdxDataset(img, labels, { classes: 0 })).rejects.toThrow("loadIdxDataset: classes must be a positive integer, got 0");
  });

  it("are checked by loadIdxDir too", async () => {
    const sub = join(dir, "bad-labels");
    mkdirSync(sub, { recursive: true });
    writePair(sub, "train", 3, false);
    writePair(sub, "t10k", 3, false);
    writeFileSync(join(sub, "t10k-labels-idx1-ubyte"), idxBytes("uint8", [3], [0, 12, 1]));
    await expectInputError(() => loadIdxDir(sub), "t10k-labels-idx1-ubyte", /label 12 at index 1 is outside 0\.\.9/);
  });
});

describe("loadIdxDir", () => {
  it("loads the four standard files, mixing .gz and raw", async () => {
    const sub = join(dir, "std");
    mkdirSync(sub, { recursive: true });
    writePair(sub, "train", 20, true);
    writePair(sub, "t10k", 7, false);
    const ds = await loadIdxDir(sub);
    expect(ds.train.images.shape).toEqual([20, 784]);
    expect(ds.test.labels.shape).toEqual([7]);
  });

  it("lists what it looked for when files are missing", async () => {
    const sub = join(dir, "partial");
    mkdirSync(sub, { recursive: true });
    writePair(sub, "train", 2, false);
    await expectInputError(
      () => loadIdxDir(sub),
      sub,
      /missing IDX files: t10k-images-idx3-ubyte\[\.gz\], t10k-labels-idx1-ubyte\[\.gz\].*t10k-images-idx3-ubyte\.gz/,
    );
  });
});
