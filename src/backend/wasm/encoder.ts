/**
 * A small hand-written WebAssembly binary encoder: just enough of the format (types, one imported
 * memory, functions, exports, code) and of the instruction set (control flow, i32 arithmetic,
 * f32 and v128/f32x4 SIMD loads, stores and arithmetic) to generate GEMM kernels at run time with
 * shapes and strides baked in as constants. No dependency; compiling an emitted module takes
 * microseconds.
 */

/** Value type byte of `i32`. */
export const i32 = 0x7f;
/** Value type byte of `f32`. */
export const f32 = 0x7d;
/** Value type `f64`. */
export const f64 = 0x7c;
/** Value type byte of `v128`. */
export const v128 = 0x7b;
/** A value type byte understood by this encoder. */
export type ValType = typeof i32 | typeof f32 | typeof f64 | typeof v128;

/** Appends `value` as unsigned LEB128 (the format's encoding of sizes, indices and offsets). */
export function uleb(out: number[], value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`uleb: ${value}`);
  let v = value;
  do {
    const byte = v % 128;
    v = Math.floor(v / 128);
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
}

/** Appends `value` as signed LEB128 (the encoding of `i32.const` immediates). */
export function sleb(out: number[], value: number): void {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) throw new RangeError(`sleb: ${value}`);
  // Immediates are i32: wrap unsigned values above 2^31 into their two's-complement meaning.
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

/** Appends a length-prefixed vector of already-encoded items. */
function vec(out: number[], items: readonly (readonly number[])[]): void {
  uleb(out, items.length);
  for (const item of items) out.push(...item);
}

/** Appends a length-prefixed UTF-8 name. */
function name(out: number[], s: string): void {
  const bytes = new TextEncoder().encode(s);
  uleb(out, bytes.length);
  out.push(...bytes);
}

/**
 * Instruction emitter for one function body. Every method appends one instruction and returns the
 * emitter so bodies read top to bottom. Memory offsets are byte offsets baked into the instruction
 * (the `memarg` immediate), which is how constant strides cost nothing at run time.
 */
export interface Emitter {
  /** The encoded instructions so far. */
  readonly bytes: number[];
  /** Appends raw bytes (escape hatch for opcodes not covered below). */
  raw(...b: number[]): Emitter;
  /** `block` with no result. */
  block(): Emitter;
  /** `loop` with no result. */
  loop(): Emitter;
  /** `if` with no result (pops an i32 condition). */
  if(): Emitter;
  /** `else` of the innermost `if`. */
  else(): Emitter;
  /** `end` of the innermost block, loop or if. */
  end(): Emitter;
  /** `br depth`. */
  br(depth: number): Emitter;
  /** `br_if depth`. */
  brIf(depth: number): Emitter;
  /** `return`. */
  return(): Emitter;
  /** `call index`. */
  call(funcIndex: number): Emitter;
  /** `drop`. */
  drop(): Emitter;
  /** `local.get`. */
  get(local: number): Emitter;
  /** `local.set`. */
  set(local: number): Emitter;
  /** `local.tee`. */
  tee(local: number): Emitter;
  /** `i32.const`. */
  i32Const(v: number): Emitter;
  /** `f32.const`. */
  f32Const(v: number): Emitter;
  /** i32 binary or comparison operator by name. */
  i32(op: I32Op): Emitter;
  /** `i32.load offset`. */
  i32Load(offset?: number): Emitter;
  /** `i32.store offset`. */
  i32Store(offset?: number): Emitter;
  /** `f32.load offset`. */
  f32Load(offset?: number): Emitter;
  /** `f32.store offset`. */
  f32Store(offset?: number): Emitter;
  /** f32 binary operator by name. */
  f32(op: F32Op): Emitter;
  /** `v128.load offset`. */
  v128Load(offset?: number): Emitter;
  /** `v128.store offset`. */
  v128Store(offset?: number): Emitter;
  /** `v128.load32_splat offset`: one f32 from memory broadcast to all four lanes. */
  v128Load32Splat(offset?: number): Emitter;
  /** `v128.const` of four f32 lanes. */
  v128ConstF32(a: number, b: number, c: number, d: number): Emitter;
  /** `i8x16.shuffle` with sixteen lane indices (0–31 over the two operands). */
  i8x16Shuffle(lanes: readonly number[]): Emitter;
  /** `f32x4.splat`. */
  f32x4Splat(): Emitter;
  /** `i32x4.splat`. */
  i32x4Splat(): Emitter;
  /** An i32x4 lane-wise operation (`add`, and shifts by an i32 amount: `shl`, `shr_u`). */
  i32x4(op: I32x4Op): Emitter;
  /** `f32x4.extract_lane lane`. */
  f32x4ExtractLane(lane: number): Emitter;
  /** f32x4 binary operator by name (`pmax(a, b)` is lane-wise `a < b ? b : a`, so `pmax(0, x)` maps NaN to 0). */
  f32x4(op: F32x4Op): Emitter;
  /** `f64x2.promote_low_f32x4`: the two low f32 lanes, widened. */
  f64x2PromoteLow(): Emitter;
  /** `f64x2.add`. */
  f64x2Add(): Emitter;
  /** `f64.promote_f32`. */
  f64PromoteF32(): Emitter;
  /** `f64.add`. */
  f64Add(): Emitter;
  /** `f64.const v`. */
  f64Const(v: number): Emitter;
  /** `f64.store offset`. */
  f64Store(offset?: number): Emitter;
  /** Bitwise v128 operator by name. */
  v128(op: V128Op): Emitter;
  /** `select(a, b, cond)`: `a` if `cond` ≠ 0, else `b` (numeric operands). */
  select(): Emitter;
  /** `f32x4.relaxed_madd(a, b, c)` = a·b + c, fused where the CPU has FMA (relaxed SIMD proposal). */
  f32x4RelaxedMadd(): Emitter;
}

/** Names of the i32 operators the emitter knows. */
export type I32Op = keyof typeof I32_OPS;
/** Names of the f32 operators the emitter knows. */
export type F32Op = keyof typeof F32_OPS;
/** Names of the f32x4 operators the emitter knows. */
export type F32x4Op = keyof typeof F32X4_OPS;
/** Names of the bitwise v128 operators the emitter knows (`bitselect(a, b, m)` = `a & m | b & ~m`). */
export type V128Op = keyof typeof V128_OPS;

const I32_OPS = {
  eqz: 0x45, eq: 0x46, ne: 0x47, lt_s: 0x48, lt_u: 0x49, gt_s: 0x4a, gt_u: 0x4b,
  le_s: 0x4c, le_u: 0x4d, ge_s: 0x4e, ge_u: 0x4f,
  add: 0x6a, sub: 0x6b, mul: 0x6c, and: 0x71, or: 0x72, xor: 0x73, shl: 0x74, shr_s: 0x75, shr_u: 0x76,
} as const;
const F32_OPS = { add: 0x92, sub: 0x93, mul: 0x94, min: 0x96, max: 0x97 } as const;
const F32X4_OPS = {
  add: 0xe4, sub: 0xe5, mul: 0xe6, div: 0xe7, min: 0xe8, max: 0xe9, pmin: 0xea, pmax: 0xeb,
  // Unary.
  abs: 0xe0, neg: 0xe1, sqrt: 0xe3, ceil: 0x67, floor: 0x68, trunc: 0x69, nearest: 0x6a,
  // Comparisons: lane masks (all ones where true).
  eq: 0x41, ne: 0x42, lt: 0x43, gt: 0x44, le: 0x45, ge: 0x46,
} as const;
const I32X4_OPS = { shl: 0xab, shr_u: 0xad, add: 0xae } as const;
/** Names of the i32x4 operators the emitter knows. */
export type I32x4Op = keyof typeof I32X4_OPS;
const V128_OPS = { not: 0x4d, and: 0x4e, andnot: 0x4f, or: 0x50, xor: 0x51, bitselect: 0x52 } as const;

const SIMD = 0xfd;

/** Creates an empty instruction emitter. */
export function emitter(): Emitter {
  const bytes: number[] = [];
  const memarg = (align: number, offset: number): void => {
    bytes.push(align);
    uleb(bytes, offset);
  };
  const simd = (op: number): void => {
    bytes.push(SIMD);
    uleb(bytes, op);
  };
  const e: Emitter = {
    bytes,
    raw: (...b) => (bytes.push(...b), e),
    block: () => (bytes.push(0x02, 0x40), e),
    loop: () => (bytes.push(0x03, 0x40), e),
    if: () => (bytes.push(0x04, 0x40), e),
    else: () => (bytes.push(0x05), e),
    end: () => (bytes.push(0x0b), e),
    br: (d) => (bytes.push(0x0c), uleb(bytes, d), e),
    brIf: (d) => (bytes.push(0x0d), uleb(bytes, d), e),
    return: () => (bytes.push(0x0f), e),
    call: (f) => (bytes.push(0x10), uleb(bytes, f), e),
    drop: () => (bytes.push(0x1a), e),
    get: (l) => (bytes.push(0x20), uleb(bytes, l), e),
    set: (l) => (bytes.push(0x21), uleb(bytes, l), e),
    tee: (l) => (bytes.push(0x22), uleb(bytes, l), e),
    i32Const: (v) => (bytes.push(0x41), sleb(bytes, v), e),
    f32Const: (v) => {
      const buf = new Uint8Array(new Float32Array([v]).buffer);
      bytes.push(0x43, ...buf);
      return e;
    },
    i32: (op) => (bytes.push(I32_OPS[op]), e),
    i32Load: (o = 0) => (bytes.push(0x28), memarg(2, o), e),
    i32Store: (o = 0) => (bytes.push(0x36), memarg(2, o), e),
    f32Load: (o = 0) => (bytes.push(0x2a), memarg(2, o), e),
    f32Store: (o = 0) => (bytes.push(0x38), memarg(2, o), e),
    f32: (op) => (bytes.push(F32_OPS[op]), e),
    // Alignment hints of 4 bytes: buffers are only guaranteed f32-aligned; engines use unaligned moves anyway.
    v128Load: (o = 0) => (simd(0x00), memarg(2, o), e),
    v128Store: (o = 0) => (simd(0x0b), memarg(2, o), e),
    v128Load32Splat: (o = 0) => (simd(0x09), memarg(2, o), e),
    v128ConstF32: (a, b, c, d) => {
      simd(0x0c);
      bytes.push(...new Uint8Array(new Float32Array([a, b, c, d]).buffer));
      return e;
    },
    i8x16Shuffle: (lanes) => {
      if (lanes.length !== 16 || lanes.some((l) => l < 0 || l > 31)) throw new RangeError("i8x16.shuffle lanes");
      simd(0x0d);
      bytes.push(...lanes);
      return e;
    },
    f32x4Splat: () => (simd(0x13), e),
    i32x4Splat: () => (simd(0x11), e),
    i32x4: (op) => (simd(I32X4_OPS[op]), e),
    f32x4ExtractLane: (lane) => (simd(0x1f), bytes.push(lane), e),
    f32x4: (op) => (simd(F32X4_OPS[op]), e),
    f32x4RelaxedMadd: () => (simd(0x105), e),
    v128: (op) => (simd(V128_OPS[op]), e),
    f64x2PromoteLow: () => (simd(0x5f), e),
    f64x2Add: () => (simd(0xf0), e),
    f64PromoteF32: () => (bytes.push(0xbb), e),
    f64Add: () => (bytes.push(0xa0), e),
    f64Const: (v) => {
      bytes.push(0x44, ...new Uint8Array(new Float64Array([v]).buffer));
      return e;
    },
    f64Store: (o = 0) => (bytes.push(0x39), memarg(3, o), e),
    select: () => (bytes.push(0x1b), e),
  };
  return e;
}

/** One function of a module under construction. */
export interface FuncSpec {
  /** Export name, if the function is exported. */
  readonly exportName?: string;
  /** Parameter types. */
  readonly params: readonly ValType[];
  /** Result types. */
  readonly results: readonly ValType[];
  /** Types of the extra locals, indexed after the parameters. */
  readonly locals: readonly ValType[];
  /** The body, without the final `end` (the encoder appends it). */
  readonly body: readonly number[];
}

/** Memory imported as `env.memory`. */
export interface MemoryImport {
  /** Minimum size in 64 KiB pages. */
  readonly minPages: number;
  /** Maximum size in pages (required when shared). */
  readonly maxPages: number;
  /** Whether the memory is a shared (threads) memory. */
  readonly shared: boolean;
}

/** Encodes a module of `funcs` (function index = array index) importing one memory as `env.memory`. */
export function encodeModule(memory: MemoryImport, funcs: readonly FuncSpec[]): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const section = (id: number, content: number[]): void => {
    out.push(id);
    uleb(out, content.length);
    out.push(...content);
  };

  // Type section: one type per distinct signature.
  const sigs: string[] = [];
  const typeIndex = funcs.map((f) => {
    const sig = `${f.params.join(",")}:${f.results.join(",")}`;
    let idx = sigs.indexOf(sig);
    if (idx < 0) idx = sigs.push(sig) - 1;
    return idx;
  });
  const types = sigs.map((sig) => {
    const [ps = "", rs = ""] = sig.split(":");
    const t: number[] = [0x60];
    const p = ps === "" ? [] : ps.split(",").map(Number);
    const r = rs === "" ? [] : rs.split(",").map(Number);
    uleb(t, p.length);
    t.push(...p);
    uleb(t, r.length);
    t.push(...r);
    return t;
  });
  const typeSec: number[] = [];
  vec(typeSec, types);
  section(1, typeSec);

  // Import section: env.memory.
  const imp: number[] = [];
  uleb(imp, 1);
  name(imp, "env");
  name(imp, "memory");
  imp.push(0x02, memory.shared ? 0x03 : 0x01);
  uleb(imp, memory.minPages);
  uleb(imp, memory.maxPages);
  section(2, imp);

  // Function section.
  const fsec: number[] = [];
  uleb(fsec, funcs.length);
  for (const t of typeIndex) uleb(fsec, t);
  section(3, fsec);

  // Export section.
  const exps = funcs.flatMap((f, i) => {
    if (f.exportName === undefined) return [];
    const x: number[] = [];
    name(x, f.exportName);
    x.push(0x00);
    uleb(x, i);
    return [x];
  });
  const esec: number[] = [];
  vec(esec, exps);
  section(7, esec);

  // Code section: locals run-length encoded by type.
  const bodies = funcs.map((f) => {
    const groups: [number, ValType][] = [];
    for (const t of f.locals) {
      const last = groups[groups.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const body: number[] = [];
    uleb(body, groups.length);
    for (const [count, t] of groups) {
      uleb(body, count);
      body.push(t);
    }
    body.push(...f.body, 0x0b);
    const sized: number[] = [];
    uleb(sized, body.length);
    sized.push(...body);
    return sized;
  });
  const csec: number[] = [];
  uleb(csec, bodies.length);
  for (const b of bodies) csec.push(...b);
  section(10, csec);

  return Uint8Array.from(out);
}

/**
 * A function under construction: allocates locals after the parameters and collects the body.
 * `local(type)` returns the new local's index.
 */
export interface FuncBuilder {
  /** Instruction emitter for the body. */
  readonly code: Emitter;
  /** Index of parameter `i`. */
  param(i: number): number;
  /** Declares a new local of `type` and returns its index. */
  local(type: ValType): number;
  /** Finishes the function. */
  build(): FuncSpec;
}

/** Starts a function with the given signature. */
export function func(params: readonly ValType[], results: readonly ValType[], exportName?: string): FuncBuilder {
  const locals: ValType[] = [];
  const code = emitter();
  return {
    code,
    param: (i) => {
      if (i < 0 || i >= params.length) throw new RangeError(`param ${i}`);
      return i;
    },
    local: (t) => params.length + locals.push(t) - 1,
    build: () => ({ ...(exportName === undefined ? {} : { exportName }), params, results, locals, body: code.bytes }),
  };
}
