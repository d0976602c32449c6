/**
 * Generates a shape-specialised float32 GEMM module: `C = op(A)·op(B) (+ bias) (relu)` with a
 * register-blocked 4×8 f32x4 micro-tile (eight v128 accumulators: V8 maps wasm SIMD onto x86's
 * sixteen XMM registers and spills above about twelve, see DESIGN-NOTES §2).
 *
 * Shapes, strides and buffer addresses are baked in as constants, mostly as `memarg` offsets, so the
 * inner loop is loads and multiply-adds plus two pointer bumps. `op(A) = Aᵀ` costs nothing: the kernel
 * reads A through swapped strides. op(B) is first packed into 8-column panels (transposing Bᵀ in 4×4
 * SIMD blocks on the way), by each thread for its own column range, so threads never wait on each other.
 */
import { encodeModule, func, i32, v128, type Emitter, type FuncSpec } from "./encoder.js";

/** Byte addresses of the operands in the shared wasm memory. */
export interface GemmLayout {
  /** op(A) source: A as stored (m×k, or k×m when transposed). */
  readonly offA: number;
  /** op(B) packed into panels of 8 columns: panel `j/8` holds k rows of 8 floats, contiguously. */
  readonly offB: number;
  /** B as stored (k×n, or n×k when transposed). */
  readonly offBRaw: number;
  /** Output, m×n row-major. */
  readonly offC: number;
  /** Bias, n floats. */
  readonly offBias: number;
  /** op(A) = Aᵀ repacked in 4-row micro-panels (k groups of 4 floats each), when A is transposed. */
  readonly offPA: number;
  /** Total bytes needed, including slack for vector reads past the last column. */
  readonly bytes: number;
}

/** A GEMM problem as the kernel sees it. */
export interface GemmShape {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

/** Cache-blocking and unrolling choices (tunable; defaults picked by measurement on the target machine). */
export interface GemmTuning {
  /** Depth of one k-block (multiple of `unroll`). */
  readonly kc: number;
  /** Rows of one A-block (multiple of 4). */
  readonly mc: number;
  /** Unroll factor of the k loop. */
  readonly unroll: number;
  /** Multiply-add with `f32x4.relaxed_madd` (one fused instruction where the CPU has FMA). */
  readonly fma?: boolean;
  /** Use the narrow kernel (default: when {@link isNarrow}); false forces the general one. */
  readonly narrow?: boolean;
}

/** Flags of the exported `run(i0, i1, j0, j1, flags)`. */
export const RUN_BIAS = 1;
/** Apply relu after the last k-block. */
export const RUN_RELU = 2;
/** Skip transposing Bᵀ (the caller already called `pack(0, n)`). */
export const RUN_NO_PACK = 4;

// Micro-kernel flags.
const INIT_C = 1;
const INIT_BIAS = 2;
const RELU = 4;

const MR = 4;
const NR = 8;
// Vector reads may run up to one vector-tile past a row's end: every buffer gets this much slack.
const SLACK = 64;

const align64 = (x: number): number => Math.ceil(x / 64) * 64;

/** Lays the operands out from address `base` upwards. */
export function gemmLayout(s: GemmShape, base = 64): GemmLayout {
  const { m, k, n } = s;
  let at = align64(base);
  const take = (floats: number): number => {
    const addr = at;
    at = align64(at + floats * 4 + SLACK);
    return addr;
  };
  const offA = take(m * k);
  const offB = take(k * Math.ceil(n / NR) * NR);
  const offBRaw = take(n * k);
  const offC = take(m * n);
  const offBias = take(n);
  const offPA = take(s.transA ? roundUp(m, MR) * k : 0);
  return { offA, offB, offBRaw, offC, offBias, offPA, bytes: at };
}

/** Default tuning for a shape (measured on the 2-core Xeon this library is benchmarked on). */
export function defaultTuning(s: GemmShape, fma = false): GemmTuning {
  // No unrolling: TurboFan schedules an unrolled body's loads first (all B vectors and A splats of every
  // step), which needs more than the 15 allocatable XMM registers and spills accumulators to the stack
  // on every step (seen with `node --print-wasm-code`). Measured on one thread, 200×784·784×200: with
  // fused multiply-add 36-41 GFLOPS not unrolled (about 80 % of two 4-lane FMAs per cycle at 3 GHz),
  // against 24-28 unrolled by 4; with separate multiplies and adds 33-36 against 24.
  const unroll = 1;
  // Keep the A-block (mc×kc floats) well inside L2 and one B strip (kc×8) inside L1.
  const kc = Math.min(roundUp(s.k, unroll), 256);
  const mc = Math.min(roundUp(s.m, MR), 64);
  return { kc, mc, unroll, fma };
}

const roundUp = (x: number, q: number): number => Math.ceil(x / q) * q;

/** Emits `for (v = start; v < end; v += step) body` where `start`/`end` are emitted by callbacks. */
function forLoop(c: Emitter, v: number, start: () => void, end: () => void, step: number, body: () => void): void {
  start();
  c.set(v).block().loop();
  c.get(v);
  end();
  c.i32("ge_s").brIf(1);
  body();
  c.get(v).i32Const(step).i32("add").set(v).br(0).end().end();
}

/**
 * Generates the micro-kernel `(a, b, c, bias, flags)` computing an `mr × nc` tile over `kc` steps of k.
 * `a` addresses op(A)[i][p0], `b` op(B)[p0][j], `c` C[i][j], `bias` bias[j]. Rows of B are `strideB`
 * bytes apart: an 8-column packed panel, or B as stored for the narrow kernel.
 */
function microKernel(
  s: GemmShape, mr: number, nc: number, kc: number, unroll: number, fma: boolean, strideB = NR * 4, packedA = false,
): FuncSpec {
  const { m, k, n, transA } = s;
  const f = func([i32, i32, i32, i32, i32], []);
  const c = f.code;
  const [pa, pb, pc, pbias, pflags] = [0, 1, 2, 3, 4];
  const nv = Math.ceil(nc / 4);
  // Packed A: a micro-panel holds the tile's MR values of each k step side by side.
  const strideAi = packedA ? 4 : transA ? 4 : k * 4;
  const strideAp = packedA ? MR * 4 : transA ? m * 4 : 4;
  const strideC = n * 4;
  const acc: number[][] = [];
  for (let r = 0; r < mr; r++) acc.push(Array.from({ length: nv }, () => f.local(v128)));
  const bv = Array.from({ length: nv }, () => f.local(v128));
  const sv = f.local(v128);
  const aEnd = f.local(i32);
  const accAt = (r: number, v: number): number => acc[r]![v]!;

  // Initialise: continue from C (later k-blocks), or start from bias or zero.
  c.get(pflags).i32Const(INIT_C).i32("and").if();
  for (let r = 0; r < mr; r++) for (let v = 0; v < nv; v++) c.get(pc).v128Load(r * strideC + v * 16).set(accAt(r, v));
  c.else();
  c.get(pflags).i32Const(INIT_BIAS).i32("and").if();
  for (let v = 0; v < nv; v++) c.get(pbias).v128Load(v * 16).set(accAt(0, v));
  c.else();
  c.v128ConstF32(0, 0, 0, 0).set(accAt(0, 0));
  for (let v = 1; v < nv; v++) c.get(accAt(0, 0)).set(accAt(0, v));
  c.end();
  for (let r = 1; r < mr; r++) for (let v = 0; v < nv; v++) c.get(accAt(0, v)).set(accAt(r, v));
  c.end();

  const step = (u: number): void => {
    for (let v = 0; v < nv; v++) c.get(pb).v128Load(u * strideB + v * 16).set(bv[v]!);
    for (let r = 0; r < mr; r++) {
      c.get(pa).v128Load32Splat(u * strideAp + r * strideAi).set(sv);
      for (let v = 0; v < nv; v++) {
        if (fma) c.get(sv).get(bv[v]!).get(accAt(r, v)).f32x4RelaxedMadd().set(accAt(r, v));
        else c.get(accAt(r, v)).get(sv).get(bv[v]!).f32x4("mul").f32x4("add").set(accAt(r, v));
      }
    }
  };

  const full = Math.floor(kc / unroll);
  if (full > 0) {
    c.get(pa).i32Const(full * unroll * strideAp).i32("add").set(aEnd);
    c.loop();
    for (let u = 0; u < unroll; u++) step(u);
    c.get(pa).i32Const(unroll * strideAp).i32("add").set(pa);
    c.get(pb).i32Const(unroll * strideB).i32("add").set(pb);
    c.get(pa).get(aEnd).i32("ne").brIf(0);
    c.end();
  }
  for (let u = 0; u < kc % unroll; u++) step(u);

  // Relu as pmax(0, x) = 0 < x ? x : 0, which matches the reference's handling of NaN.
  c.get(pflags).i32Const(RELU).i32("and").if();
  for (let r = 0; r < mr; r++)
    for (let v = 0; v < nv; v++) c.v128ConstF32(0, 0, 0, 0).get(accAt(r, v)).f32x4("pmax").set(accAt(r, v));
  c.end();

  for (let r = 0; r < mr; r++) {
    for (let v = 0; v < nv; v++) {
      const lanes = Math.min(4, nc - v * 4);
      if (lanes === 4) c.get(pc).get(accAt(r, v)).v128Store(r * strideC + v * 16);
      else
        for (let l = 0; l < lanes; l++)
          c.get(pc).get(accAt(r, v)).f32x4ExtractLane(l).f32Store(r * strideC + (v * 4 + l) * 4);
    }
  }
  return f.build();
}

/**
 * Generates `pack(j0, j1)` (exported): copies columns j0..j1 of op(B) into 8-column panels, so the
 * micro-kernel streams B contiguously whatever n is (row strides of 4 KiB alias in L1 and crawl).
 * For Bᵀ this is where the transpose happens, in 4×4 SIMD blocks.
 */
function packB(s: GemmShape, L: GemmLayout): FuncSpec {
  const { k, n, transB } = s;
  const f = func([i32, i32], [], "pack");
  const c = f.code;
  const [pj0, pj1] = [0, 1];
  const j = f.local(i32);
  const src = f.local(i32);
  const dst = f.local(i32);
  const end = f.local(i32);
  // dst = offB + (j & ~7)·k·4 + (j & 7)·4: start of column j in its panel.
  const panelAddr = (): void => {
    c.get(j).i32Const(~7).i32("and").i32Const(k * 4).i32("mul");
    c.get(j).i32Const(7).i32("and").i32Const(4).i32("mul").i32("add").i32Const(L.offB).i32("add").set(dst);
  };
  if (!transB) {
    // Whole panels: two vectors per row; a partial last panel reads past its row into slack or the
    // next row, and those lanes are never stored.
    c.get(pj0).set(j).block().loop();
    c.get(j).get(pj1).i32("ge_s").brIf(1);
    c.get(j).i32Const(4).i32("mul").i32Const(L.offBRaw).i32("add").set(src);
    panelAddr();
    c.get(dst).i32Const(k * NR * 4).i32("add").set(end);
    c.loop();
    c.get(dst).get(src).v128Load(0).v128Store(0);
    c.get(dst).get(src).v128Load(16).v128Store(16);
    c.get(src).i32Const(n * 4).i32("add").set(src);
    c.get(dst).i32Const(NR * 4).i32("add").tee(dst).get(end).i32("ne").brIf(0);
    c.end();
    c.get(j).i32Const(NR).i32("add").set(j).br(0).end().end();
    return f.build();
  }
  const r = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)];
  const t = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)];
  const lanes = (x: readonly number[]): number[] => x.flatMap((l) => [l * 4, l * 4 + 1, l * 4 + 2, l * 4 + 3]);
  const k4 = Math.floor(k / 4);

  // Groups of four stored rows of B (= four columns of op(B)).
  c.get(pj0).set(j).block().loop();
  c.get(j).i32Const(4).i32("add").get(pj1).i32("gt_s").brIf(1);
  c.get(j).i32Const(k * 4).i32("mul").i32Const(L.offBRaw).i32("add").set(src);
  panelAddr();
  if (k4 > 0) {
    c.get(src).i32Const(k4 * 16).i32("add").set(end);
    c.loop();
    for (let q = 0; q < 4; q++) c.get(src).v128Load(q * k * 4).set(r[q]!);
    c.get(r[0]!).get(r[1]!).i8x16Shuffle(lanes([0, 4, 1, 5])).set(t[0]!);
    c.get(r[0]!).get(r[1]!).i8x16Shuffle(lanes([2, 6, 3, 7])).set(t[1]!);
    c.get(r[2]!).get(r[3]!).i8x16Shuffle(lanes([0, 4, 1, 5])).set(t[2]!);
    c.get(r[2]!).get(r[3]!).i8x16Shuffle(lanes([2, 6, 3, 7])).set(t[3]!);
    c.get(dst).get(t[0]!).get(t[2]!).i8x16Shuffle(lanes([0, 1, 4, 5])).v128Store(0);
    c.get(dst).get(t[0]!).get(t[2]!).i8x16Shuffle(lanes([2, 3, 6, 7])).v128Store(NR * 4);
    c.get(dst).get(t[1]!).get(t[3]!).i8x16Shuffle(lanes([0, 1, 4, 5])).v128Store(2 * NR * 4);
    c.get(dst).get(t[1]!).get(t[3]!).i8x16Shuffle(lanes([2, 3, 6, 7])).v128Store(3 * NR * 4);
    c.get(src).i32Const(16).i32("add").set(src);
    c.get(dst).i32Const(4 * NR * 4).i32("add").set(dst);
    c.get(src).get(end).i32("ne").brIf(0);
    c.end();
  }
  for (let p = 0; p < k % 4; p++)
    for (let q = 0; q < 4; q++) c.get(dst).get(src).f32Load(q * k * 4 + p * 4).f32Store(p * NR * 4 + q * 4);
  c.get(j).i32Const(4).i32("add").set(j).br(0).end().end();

  // Leftover single columns (only at the end of B, since split points are multiples of 8).
  c.block().loop();
  c.get(j).get(pj1).i32("ge_s").brIf(1);
  c.get(j).i32Const(k * 4).i32("mul").i32Const(L.offBRaw).i32("add").set(src);
  panelAddr();
  c.get(src).i32Const(k * 4).i32("add").set(end);
  c.loop();
  c.get(dst).get(src).f32Load(0).f32Store(0);
  c.get(dst).i32Const(NR * 4).i32("add").set(dst);
  c.get(src).i32Const(4).i32("add").tee(src).get(end).i32("ne").brIf(0);
  c.end();
  c.get(j).i32Const(1).i32("add").set(j).br(0).end().end();
  return f.build();
}

/**
 * Generates `packA(i0, i1)`: rows i0..i1 of op(A) = Aᵀ into 4-row micro-panels, so that the micro-kernel
 * reads A sequentially. Read in place, Aᵀ's k steps are m·4 bytes apart, beyond what the hardware's
 * stride prefetcher follows (about a third slower here). One vector copy per k step and row tile; the
 * last tile may read past row m into the next row or the slack (rows that are never stored).
 */
function packA(s: GemmShape, L: GemmLayout): FuncSpec {
  const { m, k } = s;
  const f = func([i32, i32], []);
  const c = f.code;
  const [pi0, pi1] = [0, 1];
  const t = f.local(i32);
  const src = f.local(i32);
  const dst = f.local(i32);
  const end = f.local(i32);
  forLoop(c, t, () => c.get(pi0), () => c.get(pi1), MR, () => {
    c.get(t).i32Const(4).i32("mul").i32Const(L.offA).i32("add").set(src);
    c.get(t).i32Const(k * 4).i32("mul").i32Const(L.offPA).i32("add").tee(dst).i32Const(k * MR * 4).i32("add").set(end);
    c.loop();
    c.get(dst).get(src).v128Load(0).v128Store(0);
    c.get(src).i32Const(m * 4).i32("add").set(src);
    c.get(dst).i32Const(MR * 4).i32("add").tee(dst).get(end).i32("ne").brIf(0);
    c.end();
  });
  return f.build();
}

/**
 * Generates the module: exports `run(i0, i1, j0, j1, flags)` computing rows i0..i1 and columns j0..j1 of C.
 * Split points must be multiples of 4 (rows) and 8 (columns), so partial tiles only occur at m and n.
 */
export function gemmModuleBytes(s: GemmShape, L: GemmLayout, tune: GemmTuning, shared: boolean, maxPages: number): Uint8Array {
  const { m, k, n, transA } = s;
  if (m < 1 || k < 1 || n < 1) throw new RangeError("gemm kernel needs m, k, n ≥ 1");
  const { kc: KC, mc: MC, unroll } = tune;
  if (KC % unroll !== 0 || MC % MR !== 0) throw new RangeError("bad tuning");
  const funcs: FuncSpec[] = [];
  const mRem = m % MR;
  const nRem = n % NR;
  const kLast = k - Math.floor((k - 1) / KC) * KC;

  // Micro-kernel variants: [full k-block | last k-block][full rows | mRem][full cols | nRem].
  const kern = new Map<string, number>();
  const kernel = (mr: number, nc: number, kcLen: number): number => {
    const key = `${mr},${nc},${kcLen}`;
    let idx = kern.get(key);
    if (idx === undefined) {
      idx = funcs.push(microKernel(s, mr, nc, kcLen, unroll, tune.fma === true, NR * 4, transA)) - 1;
      kern.set(key, idx);
    }
    return idx;
  };
  const packIdx = funcs.push(packB(s, L)) - 1;
  const packAIdx = transA ? funcs.push(packA(s, L)) - 1 : -1;

  const f = func([i32, i32, i32, i32, i32], [], "run");
  const c = f.code;
  const [pi0, pi1, pj0, pj1, pflags] = [0, 1, 2, 3, 4];
  const pc = f.local(i32);
  const ic = f.local(i32);
  const icEnd = f.local(i32);
  const jp = f.local(i32);
  const ir = f.local(i32);
  const kf = f.local(i32);
  // Where op(A)[ir][pc] is: in A as stored, or (A transposed) in the row tile's packed micro-panel.
  const strideAi = transA ? k * 4 : k * 4;
  const strideAp = transA ? MR * 4 : 4;
  const baseA = transA ? L.offPA : L.offA;

  c.get(pflags).i32Const(RUN_NO_PACK).i32("and").i32("eqz").if().get(pj0).get(pj1).call(packIdx).end();
  if (transA) c.get(pi0).get(pi1).call(packAIdx);

  // Emits the call of the micro-kernel variant for (mr, nc, kcLen) with the current loop indices.
  const callKernel = (mr: number, nc: number, kcLen: number): void => {
    c.get(ir).i32Const(strideAi).i32("mul").get(pc).i32Const(strideAp).i32("mul").i32("add").i32Const(baseA).i32("add");
    c.get(pc).i32Const(NR * 4).i32("mul").get(jp).i32Const(k * 4).i32("mul").i32("add").i32Const(L.offB).i32("add");
    c.get(ir).i32Const(n * 4).i32("mul").get(jp).i32Const(4).i32("mul").i32("add").i32Const(L.offC).i32("add");
    c.get(jp).i32Const(4).i32("mul").i32Const(L.offBias).i32("add");
    c.get(kf);
    c.call(kernel(mr, nc, kcLen));
  };
  // Branches on whether the tile is partial in rows / columns (statically known remainders).
  const dispatch = (kcLen: number): void => {
    const byCols = (mr: number): void => {
      if (nRem === 0) return callKernel(mr, NR, kcLen);
      c.get(jp).i32Const(NR).i32("add").get(pj1).i32("le_s").if();
      callKernel(mr, NR, kcLen);
      c.else();
      callKernel(mr, nRem, kcLen);
      c.end();
    };
    if (mRem === 0) return byCols(MR);
    c.get(ir).i32Const(MR).i32("add").get(pi1).i32("le_s").if();
    byCols(MR);
    c.else();
    byCols(mRem);
    c.end();
  };

  forLoop(c, pc, () => c.i32Const(0), () => c.i32Const(k), KC, () => {
    // Kernel flags for this k-block: first block starts from bias/zero, later ones continue from C;
    // relu only once the sum is complete.
    c.get(pc).i32("eqz").if();
    c.get(pflags).i32Const(RUN_BIAS).i32("and").if().i32Const(INIT_BIAS).set(kf).else().i32Const(0).set(kf).end();
    c.else().i32Const(INIT_C).set(kf).end();
    c.get(pc).i32Const(KC).i32("add").i32Const(k).i32("ge_s");
    c.get(pflags).i32Const(RUN_RELU).i32("and").i32Const(0).i32("ne").i32("and").if();
    c.get(kf).i32Const(RELU).i32("or").set(kf).end();

    forLoop(c, ic, () => c.get(pi0), () => c.get(pi1), MC, () => {
      c.get(ic).i32Const(MC).i32("add").tee(icEnd).get(pi1).i32("gt_s").if().get(pi1).set(icEnd).end();
      forLoop(c, jp, () => c.get(pj0), () => c.get(pj1), NR, () => {
        forLoop(c, ir, () => c.get(ic), () => c.get(icEnd), MR, () => {
          if (kLast === KC) dispatch(KC);
          else {
            c.get(pc).i32Const(KC).i32("add").i32Const(k).i32("le_s").if();
            dispatch(KC);
            c.else();
            dispatch(kLast);
            c.end();
          }
        });
      });
    });
  });
  funcs.push(f.build());
  return encodeModule({ minPages: 1, maxPages, shared }, funcs);
}

// ---------------------------------------------------------------- narrow outputs (n ≤ 16)

/** Whether a product takes the narrow kernel: few output columns, B not transposed (read in place). */
export const isNarrow = (s: GemmShape): boolean => s.n <= NARROW_MAX_N && !s.transB;
const NARROW_MAX_N = 16;

/**
 * Rows per micro-tile of the narrow kernel: as many as keep accumulators, B vectors and the A splat
 * within about thirteen v128 registers.
 */
export function narrowRows(n: number): number {
  const nv = Math.ceil(n / 4);
  return nv === 1 ? 8 : nv === 2 ? 4 : nv === 3 ? 3 : 2;
}

/**
 * The narrow module: exports `run(i0, i1, j0, j1, flags)` (rows i0..i1, all columns; split points must be
 * multiples of {@link narrowRows}) and a no-op `pack`, so it plugs in where the general module does.
 */
export function gemmNarrowModuleBytes(s: GemmShape, L: GemmLayout, fma: boolean, shared: boolean, maxPages: number): Uint8Array {
  const { m, k, n, transA } = s;
  if (!isNarrow(s) || m < 1 || k < 1 || n < 1) throw new RangeError("narrow gemm kernel needs n ≤ 16, B not transposed, and m, k ≥ 1");
  // One micro-tile spans the full width and all of k, reading B in place (rows n·4 bytes apart): with
  // n ≤ 16 a row of B is at most four vectors, so packing would gain nothing. Vector reads past a row's
  // end land in the next row (or the slack after B); those lanes are never stored.
  const mr = narrowRows(n);
  const funcs: FuncSpec[] = [microKernel(s, mr, n, k, 1, fma, n * 4)];
  const mRem = m % mr;
  if (mRem > 0) funcs.push(microKernel(s, mRem, n, k, 1, fma, n * 4));
  const strideAi = transA ? 4 : k * 4;
  const f = func([i32, i32, i32, i32, i32], [], "run");
  const c = f.code;
  const [pi0, pi1, , , pflags] = [0, 1, 2, 3, 4];
  const ir = f.local(i32);
  const kf = f.local(i32);
  c.get(pflags).i32Const(RUN_BIAS).i32("and").if().i32Const(INIT_BIAS).set(kf).end();
  c.get(pflags).i32Const(RUN_RELU).i32("and").if().get(kf).i32Const(RELU).i32("or").set(kf).end();
  const call = (idx: number): void => {
    c.get(ir).i32Const(strideAi).i32("mul").i32Const(L.offA).i32("add");
    c.i32Const(L.offBRaw);
    c.get(ir).i32Const(n * 4).i32("mul").i32Const(L.offC).i32("add");
    c.i32Const(L.offBias).get(kf).call(idx);
  };
  forLoop(c, ir, () => c.get(pi0), () => c.get(pi1), mr, () => {
    if (mRem === 0) return call(0);
    c.get(ir).i32Const(mr).i32("add").get(pi1).i32("le_s").if();
    call(0);
    c.else();
    call(1);
    c.end();
  });
  funcs.push(f.build());
  const pack = func([i32, i32], [], "pack");
  funcs.push(pack.build());
  return encodeModule({ minPages: 1, maxPages, shared }, funcs);
}
