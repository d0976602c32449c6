/**
 * Laws of the dataset cache: encoding then decoding is the identity, and reading a file piece by piece
 * (`readCacheStream`, what the loaders use) agrees with decoding it whole (`decodeCache`) for every file,
 * intact or damaged, and every chunk size.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { lawParams, lawTitle } from "../src/testing/index.js";
import { decodeCache, encodeCache, readCacheStream, type CachePart, type CacheSink, type RawDataset } from "../src/data/cache.js";

const dir = mkdtempSync(join(tmpdir(), "tenfold-cache-law-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const datasetArb: fc.Arbitrary<RawDataset> = fc
  .record({ rows: fc.integer({ min: 1, max: 3 }), cols: fc.integer({ min: 1, max: 3 }), nTrain: fc.nat(5), nTest: fc.nat(3) })
  .chain(({ rows, cols, nTrain, nTest }) => {
    const split = (count: number) =>
      fc.record({
        count: fc.constant(count),
        pixels: fc.uint8Array({ minLength: count * rows * cols, maxLength: count * rows * cols }),
        labels: fc.uint8Array({ minLength: count, maxLength: count }),
      });
    return fc.record({ rows: fc.constant(rows), cols: fc.constant(cols), train: split(nTrain), test: split(nTest) });
  });

/** What can happen to a file on disk: nothing, a flipped bit, truncation, extra bytes. */
type Damage = { kind: "none" } | { kind: "flip"; at: number; bit: number } | { kind: "cut"; keep: number } | { kind: "pad"; extra: number };
const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  fc.constant<Damage>({ kind: "none" }),
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant("cut" as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant("pad" as const), extra: fc.integer({ min: 1, max: 5 }) }),
);

function damage(bytes: Uint8Array, d: Damage): Uint8Array {
  switch (d.kind) {
    case "none":
      return bytes;
    case "flip": {
      const out = bytes.slice();
      const at = d.at % out.length;
      out[at] = out[at]! ^ (1 << d.bit);
      return out;
    }
    case "cut":
      return bytes.slice(0, d.keep % bytes.length);
    case "pad":
      return Uint8Array.from([...bytes, ...new Array<number>(d.extra).fill(7)]);
  }
}

/** Reassembles the four parts from their pieces, checking that they arrive in order. */
const collect: CacheSink<Record<CachePart, number[]>> = {
  start: () => ({ trainPixels: [], trainLabels: [], testPixels: [], testLabels: [] }),
  piece: (into, part, offset, bytes) => {
    if (offset !== into[part].length) throw new Error(`piece of ${part} at ${offset}, expected ${into[part].length}`);
    into[part].push(...bytes);
  },
};

const plain = (d: RawDataset) => ({
  trainPixels: Array.from(d.train.pixels), trainLabels: Array.from(d.train.labels),
  testPixels: Array.from(d.test.pixels), testLabels: Array.from(d.test.labels),
});

let fileNo = 0;

describe("dataset cache laws", () => {
  it(lawTitle("decodeCache ∘ encodeCache is the identity", { numRuns: 100 }), () => {
    fc.assert(
      fc.property(datasetArb, fc.string({ maxLength: 8 }), (ds, tag) => {
        const back = decodeCache(encodeCache(ds, tag), tag);
        expect(back.ok).toBe(true);
        if (back.ok) {
          expect([back.value.rows, back.value.cols, back.value.train.count, back.value.test.count]).toEqual([ds.rows, ds.cols, ds.train.count, ds.test.count]);
          expect(plain(back.value)).toEqual(plain(ds));
        }
      }),
      lawParams({ numRuns: 100 }),
    );
  });

  it(lawTitle("reading in pieces agrees with decoding whole, for damaged files and any chunk size", { numRuns: 200 }), () => {
    fc.assert(
      fc.property(datasetArb, fc.string({ maxLength: 8 }), damageArb, fc.integer({ min: 1, max: 64 }), (ds, tag, d, chunk) => {
        const bytes = damage(encodeCache(ds, tag), d);
        const path = join(dir, `c${fileNo++}.bin`);
        writeFileSync(path, bytes);
        const whole = decodeCache(bytes, tag);
        const pieces = readCacheStream(path, tag, collect, chunk);
        rmSync(path);
        expect(pieces.ok).toBe(whole.ok);
        if (whole.ok && pieces.ok) expect(pieces.value).toEqual(plain(whole.value));
        // Both name the same kind of miss; a damaged size field is found by the checksum when decoding
        // whole and by the sizes when reading in pieces (which checks the checksum last), both `corrupt`.
        if (!whole.ok && !pieces.ok) expect(pieces.miss.kind).toBe(whole.miss.kind);
        if (d.kind === "none") expect(pieces.ok).toBe(true);
      }),
      lawParams({ numRuns: 200 }),
    );
  });
});
