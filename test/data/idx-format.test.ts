/**
 * The host-independent IDX functions: on uncompressed bytes they are Node's `parseIdx` exactly (values
 * and messages); gzipped bytes are refused with a message saying how to decompress them.
 */
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { isGzip, parseIdx, scalePixels, splitFromBytes } from "../../src/data/idx-format.js";
import { parseIdx as parseIdxNode } from "../../src/data/idx.js";
import { CODES, idxBytes } from "../fixtures/idx.js";

/** What a parse gives: the result, or the error's class and message. */
const outcome = (f: () => unknown): unknown => {
  try {
    return f();
  } catch (e) {
    return { error: (e as Error).constructor.name, message: (e as Error).message };
  }
};

describe("parseIdx (every host)", () => {
  it("agrees with Node's parseIdx on uncompressed bytes, well-formed or cut and extended at random", () => {
    const types = Object.keys(CODES) as (keyof typeof CODES)[];
    const file = fc
      .record({ type: fc.constantFrom(...types), dims: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }) })
      .chain(({ type, dims }) => {
        const n = dims.reduce((a, b) => a * b, 1);
        const value = type.startsWith("float") ? fc.double({ noNaN: true, min: -1e6, max: 1e6 }) : fc.integer({ min: 0, max: 127 });
        return fc.record({ bytes: fc.array(value, { minLength: n, maxLength: n }).map((vs) => idxBytes(type, dims, vs)), cut: fc.integer({ min: -3, max: 3 }) });
      });
    fc.assert(
      fc.property(file, ({ bytes, cut }) => {
        const b = cut <= 0 ? bytes.subarray(0, Math.max(0, bytes.length + cut)) : Uint8Array.from([...bytes, ...new Array<number>(cut).fill(1)]);
        expect(outcome(() => parseIdx(b, "f"))).toEqual(outcome(() => parseIdxNode(b, "f")));
      }),
      { numRuns: 200 },
    );
  });

  it("refuses gzipped bytes, naming the source and how to decompress them (Node's inflates them)", () => {
    const gz = gzipSync(idxBytes("uint8", [2], [3, 4]));
    expect(isGzip(gz)).toBe(true);
    expect(() => parseIdx(gz, "t10k-labels.gz")).toThrow(InputError);
    expect(() => parseIdx(gz, "t10k-labels.gz")).toThrow(/^t10k-labels\.gz: gzipped bytes \(magic 0x1f 0x8b\): decompress them first .*DecompressionStream\("gzip"\)/);
    expect(Array.from(parseIdxNode(gz, "t10k-labels.gz").data)).toEqual([3, 4]);
  });

  it("tells gzip from IDX by the magic", () => {
    expect(isGzip(new Uint8Array([0x1f, 0x8b]))).toBe(true);
    expect(isGzip(new Uint8Array([0x1f]))).toBe(false);
    expect(isGzip(idxBytes("uint8", [1], [0x1f]))).toBe(false);
  });

  it("builds a split from uint8 pixels and labels, pixels scaled by 1/255", () => {
    const px = Uint8Array.from({ length: 2 * 784 }, (_, i) => i % 256);
    const split = splitFromBytes(px, new Uint8Array([3, 9]));
    expect(split.images.shape).toEqual([2, 784]);
    expect(split.labels.toFlat()).toEqual([3, 9]);
    expect(Array.from(scalePixels(new Uint8Array([0, 51, 255])))).toEqual([0, Math.fround(0.2), 1]);
    expect(() => splitFromBytes(px, new Uint8Array([1]))).toThrow(/1568 pixels for 1 labels/);
  });
});
