/**
 * Mutations of checkpoint files for the fuzz law and the fuzz report: bit flips, byte changes,
 * truncation, padding, deleted/inserted/copied ranges, splices of two checkpoints, digit edits in the
 * header, and header edits re-sealed with a fresh checksum (so only the structural checks can catch them).
 * A mutation is plain data, drawn by fast-check; `apply` is pure.
 */
import fc from "fast-check";
import { crc32 } from "../../src/data/checkpoint.js";
import { impl, isTensor, type AnyTensor } from "../../src/tensor/tensor.js";

/** One mutation of a file; positions are fractions in [0, 1) of the region they apply to. */
export type Mutation =
  | { readonly kind: "flip"; readonly at: number; readonly bit: number; readonly header: boolean }
  | { readonly kind: "set"; readonly at: number; readonly value: number; readonly header: boolean }
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "extend"; readonly bytes: readonly number[] }
  | { readonly kind: "delete"; readonly at: number; readonly length: number }
  | { readonly kind: "insert"; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: "copy"; readonly from: number; readonly to: number; readonly length: number }
  | { readonly kind: "splice"; readonly at: number; readonly other: number }
  | { readonly kind: "digit"; readonly at: number; readonly delta: number }
  | { readonly kind: "resealed"; readonly edit: HeaderEdit };

/** A JSON-level edit of the header; applied, then the file's checksum is recomputed. */
export type HeaderEdit =
  | { readonly kind: "digit"; readonly at: number; readonly delta: number }
  | { readonly kind: "offset"; readonly leaf: number; readonly by: number }
  | { readonly kind: "sameOffset"; readonly leaf: number; readonly as: number }
  | { readonly kind: "swapOffsets"; readonly leaf: number; readonly with: number }
  | { readonly kind: "swapLeaves"; readonly leaf: number; readonly with: number }
  | { readonly kind: "byteLength"; readonly leaf: number; readonly by: number }
  | { readonly kind: "shape"; readonly leaf: number; readonly shape: readonly number[] }
  | { readonly kind: "dtype"; readonly leaf: number; readonly dtype: string }
  | { readonly kind: "duplicateEntry"; readonly at: number }
  | { readonly kind: "renameKey"; readonly at: number; readonly to: string }
  | { readonly kind: "dataLength"; readonly by: number };

const SCALE = 2 ** 30;
/** A position as a fraction in [0, 1), uniform (fast-check's bias towards small values would pile mutations on the first bytes). */
const frac = fc.noBias(fc.integer({ min: 0, max: SCALE - 1 })).map((i) => i / SCALE);
const byte = fc.integer({ min: 0, max: 255 });
const small = fc.integer({ min: 1, max: 64 });

const headerEditArb: fc.Arbitrary<HeaderEdit> = fc.oneof(
  fc.record({ kind: fc.constant("digit" as const), at: frac, delta: fc.integer({ min: 1, max: 9 }) }),
  fc.record({ kind: fc.constant("offset" as const), leaf: fc.nat(), by: fc.constantFrom(-16, -8, -4, -1, 1, 4, 8, 16) }),
  fc.record({ kind: fc.constant("sameOffset" as const), leaf: fc.nat(), as: fc.nat() }),
  fc.record({ kind: fc.constant("swapOffsets" as const), leaf: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant("swapLeaves" as const), leaf: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant("byteLength" as const), leaf: fc.nat(), by: fc.constantFrom(-8, -4, 4, 8) }),
  fc.record({ kind: fc.constant("shape" as const), leaf: fc.nat(), shape: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 3 }) }),
  fc.record({ kind: fc.constant("dtype" as const), leaf: fc.nat(), dtype: fc.constantFrom("float32", "float64", "int32", "bool") }),
  fc.record({ kind: fc.constant("duplicateEntry" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("renameKey" as const), at: fc.nat(), to: fc.constantFrom("0", "1", "w", "b", "layers.0.w", "layers.1", "a.b", "") }),
  fc.record({ kind: fc.constant("dataLength" as const), by: fc.constantFrom(-8, -4, 4, 8) }),
);

/** Damage of every kind but deliberate edits, equally likely; flips and byte changes hit the header half of the time. */
export const damageArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: frac, bit: fc.integer({ min: 0, max: 7 }), header: fc.boolean() }),
  fc.record({ kind: fc.constant("set" as const), at: frac, value: byte, header: fc.boolean() }),
  fc.record({ kind: fc.constant("truncate" as const), at: frac }),
  fc.record({ kind: fc.constant("extend" as const), bytes: fc.array(byte, { minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: frac, length: small }),
  fc.record({ kind: fc.constant("insert" as const), at: frac, bytes: fc.array(byte, { minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant("copy" as const), from: frac, to: frac, length: small }),
  fc.record({ kind: fc.constant("splice" as const), at: frac, other: frac }),
  fc.record({ kind: fc.constant("digit" as const), at: frac, delta: fc.integer({ min: 1, max: 9 }) }),
);

/** Only header edits with a fresh checksum: what the structural checks alone must catch. */
export const resealedArb: fc.Arbitrary<Mutation> = headerEditArb.map((edit) => ({ kind: "resealed" as const, edit }));

/** Every kind of mutation: damage, or (one time in ten) a header edit with a fresh checksum. */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof({ arbitrary: damageArb, weight: 9 }, { arbitrary: resealedArb, weight: 1 });

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
const headerEnd = (b: Uint8Array): number => Math.min(b.length, 12 + view(b).getUint32(8, true));
const index = (f: number, n: number): number => Math.min(n - 1, Math.floor(f * n));

/** The format version of checkpoint bytes (from the JSON header). */
const versionOf = (b: Uint8Array): number => {
  const h = JSON.parse(new TextDecoder().decode(b.subarray(12, headerEnd(b)))) as { version: number };
  return h.version;
};

/**
 * Recomputes a file's checksum after an edit: version 2 and later end in a CRC-32 of every byte before
 * the last four; version 1 had no checksum over the header (nothing to recompute).
 */
export function reseal(b: Uint8Array, version: number): Uint8Array {
  if (version < 2 || b.length < 4) return b;
  const out = b.slice();
  view(out).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

/** Replaces the header of `b` by `edit(header)` (data moved along to the new 8-aligned start). */
function editHeader(b: Uint8Array, edit: (h: any) => void): Uint8Array {
  const end = headerEnd(b);
  const h = JSON.parse(new TextDecoder().decode(b.subarray(12, end)));
  const dataStart = Math.ceil(end / 8) * 8;
  edit(h);
  const json = new TextEncoder().encode(JSON.stringify(h));
  const start = Math.ceil((12 + json.length) / 8) * 8;
  const out = new Uint8Array(start + b.length - dataStart);
  out.set(b.subarray(0, 8));
  view(out).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(b.subarray(dataStart), start);
  return out;
}

/** The record entries of a header's tree, depth first (for edits of keys). */
function recordEntries(node: any, out: any[][] = []): any[][] {
  if (node.kind === "record") {
    out.push(node.entries);
    for (const [, c] of node.entries) recordEntries(c, out);
  } else if (node.kind === "array") for (const c of node.items) recordEntries(c, out);
  return out;
}

function applyHeaderEdit(b: Uint8Array, e: HeaderEdit): Uint8Array {
  if (e.kind === "digit") {
    const end = headerEnd(b);
    const digits: number[] = [];
    for (let i = 12; i < end; i++) if (b[i]! >= 0x30 && b[i]! <= 0x39) digits.push(i);
    if (digits.length === 0) return b;
    const out = b.slice();
    const i = digits[index(e.at, digits.length)]!;
    out[i] = 0x30 + ((out[i]! - 0x30 + e.delta) % 10);
    return out;
  }
  return editHeader(b, (h) => {
    const leaves = h.leaves as any[];
    const leaf = (i: number) => leaves[i % Math.max(1, leaves.length)];
    if (leaves.length === 0 && e.kind !== "duplicateEntry" && e.kind !== "renameKey" && e.kind !== "dataLength") return;
    switch (e.kind) {
      case "offset":
        leaf(e.leaf).offset = Math.max(0, leaf(e.leaf).offset + e.by);
        return;
      case "sameOffset":
        leaf(e.leaf).offset = leaf(e.as).offset;
        return;
      case "swapOffsets": {
        const [a, c] = [leaf(e.leaf), leaf(e.with)];
        [a.offset, c.offset] = [c.offset, a.offset];
        return;
      }
      case "swapLeaves": {
        const [i, j] = [e.leaf % leaves.length, e.with % leaves.length];
        [leaves[i], leaves[j]] = [leaves[j], leaves[i]];
        return;
      }
      case "byteLength":
        leaf(e.leaf).byteLength = Math.max(0, leaf(e.leaf).byteLength + e.by);
        return;
      case "shape":
        leaf(e.leaf).shape = [...e.shape];
        return;
      case "dtype":
        leaf(e.leaf).dtype = e.dtype;
        return;
      case "duplicateEntry": {
        const all = recordEntries(h.tree).filter((es) => es.length > 0);
        if (all.length === 0) return;
        const es = all[e.at % all.length]!;
        es.push(es[e.at % es.length]);
        return;
      }
      case "renameKey": {
        const all = recordEntries(h.tree).filter((es) => es.length > 0);
        if (all.length === 0) return;
        const es = all[e.at % all.length]!;
        es[e.at % es.length]![0] = e.to;
        return;
      }
      case "dataLength":
        h.dataLength = Math.max(0, h.dataLength + e.by);
        return;
    }
  });
}

/** The bytes of `parts`, one after the other, in a fresh array. */
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Applies a mutation to checkpoint bytes `b`; `other` is a second checkpoint for splices. */
export function applyMutation(b: Uint8Array, m: Mutation, other: Uint8Array): Uint8Array {
  const n = b.length;
  switch (m.kind) {
    case "flip":
    case "set": {
      const out = b.slice();
      const i = index(m.at, m.header ? headerEnd(b) : n);
      out[i] = m.kind === "flip" ? out[i]! ^ (1 << m.bit) : m.value;
      return out;
    }
    case "truncate":
      return b.slice(0, index(m.at, n));
    case "extend":
      return concat(b, Uint8Array.from(m.bytes));
    case "delete": {
      const i = index(m.at, n);
      return concat(b.subarray(0, i), b.subarray(Math.min(n, i + m.length)));
    }
    case "insert": {
      const i = index(m.at, n + 1);
      return concat(b.subarray(0, i), Uint8Array.from(m.bytes), b.subarray(i));
    }
    case "copy": {
      const out = b.slice();
      const from = index(m.from, n);
      out.set(b.subarray(from, Math.min(n, from + m.length)).subarray(0, n - index(m.to, n)), index(m.to, n));
      return out;
    }
    case "splice": {
      // A prefix of one file and a suffix of the other, each at least one byte long.
      const i = 1 + index(m.at, n - 1);
      return concat(b.subarray(0, i), other.subarray(1 + index(m.other, other.length - 1)));
    }
    case "digit":
      return applyHeaderEdit(b, { kind: "digit", at: m.at, delta: m.delta });
    case "resealed":
      return reseal(applyHeaderEdit(b, m.edit), versionOf(b));
  }
}

const rawBytes = (x: AnyTensor): Uint8Array => {
  const d = impl(x).concrete().data;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
};

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype;

/** Whether two byte arrays are equal. */
export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** Whether `got` equals `want` in structure, dtypes, shapes, dim names and every bit of every leaf. */
export function sameTree(got: unknown, want: unknown): boolean {
  if (isTensor(want)) {
    if (!isTensor(got) || got.dtype !== want.dtype || got.shape.length !== want.shape.length) return false;
    if (got.shape.some((d, i) => d !== want.shape[i]) || got.names.some((d, i) => d !== want.names[i])) return false;
    const [g, w] = [rawBytes(got), rawBytes(want)];
    return g.length === w.length && g.every((v, i) => v === w[i]);
  }
  if (typeof want === "number") return Object.is(got, want);
  if (Array.isArray(want)) return Array.isArray(got) && got.length === want.length && want.every((w, i) => sameTree(got[i], w));
  if (isPlainObject(want)) {
    if (!isPlainObject(got)) return false;
    const [gk, wk] = [Object.keys(got).sort(), Object.keys(want).sort()];
    return gk.length === wk.length && gk.every((k, i) => k === wk[i]) && wk.every((k) => sameTree(got[k], want[k]));
  }
  return Object.is(got, want);
}
