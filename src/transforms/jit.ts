/**
 * `jit`: stages a function once per argument signature into a program of primitive applications, then
 * replays the program on new arguments without tracing overhead, fusing chains of elementwise
 * primitives into single generated loops (no intermediate buffers for them).
 *
 * Like JAX's jit, the staged function must be pure: side effects run once, at staging time, and the
 * values of traced arguments are not available while staging (their shapes and dtypes are).
 * Called with values of an enclosing transformation (`grad(jit(f))`), the function is simply inlined,
 * so every composition of transformations stays correct.
 */
import { TransformError } from "../errors.js";
import { allocUninit, freshStorage, isStorageOf, withStorageSource, type DType, type Storage, type StorageSource } from "../tensor/dtype.js";
import { Concrete, typed, type TensorImpl } from "../tensor/tensor.js";
import { Trace, Tracer, whileStaging, withTrace } from "../core/trace.js";
import type { Meta, Primitive } from "../core/primitive.js";
import { flatten, type Leaf } from "../core/pytree.js";
import { elementwiseFormulas } from "../primitives/elementwise.js";
import { LazyTake } from "../primitives/lazy.js";
import { take } from "../primitives/structure.js";
import { H } from "../primitives/kernels.js";
import { ARENA_BASE, arenaArray, heapAddress, requestedMode } from "../backend/runtime.js";
import { accessFor, elementwiseKernel, SIMD_MIN_ELEMENTS, type EwAccess, type EwArg, type EwNode } from "../backend/elementwise.js";

// A constant's value is read when the program runs, so a compiled program can take new constants.
type Ref = { readonly kind: "var"; readonly id: number } | { readonly kind: "const"; value: Concrete };

interface Eqn {
  readonly prim: Primitive<any>;
  readonly params: unknown;
  readonly ins: readonly Ref[];
  readonly out: number;
  readonly meta: Meta;
}

/** The staging transformation: records every primitive application instead of running it. */
class JitTrace extends Trace {
  readonly eqns: Eqn[] = [];
  private nextVar = 0;
  constructor(level: number) {
    super(level, "jit");
  }
  fresh(meta: Meta): JitTracer {
    return new JitTracer(this, this.nextVar++, meta);
  }
  ref(x: TensorImpl): Ref {
    if (x instanceof JitTracer && x.trace === this) return { kind: "var", id: x.id };
    if (x instanceof Tracer) throw new TransformError("jit", `a value of an enclosing ${x.trace.kind} transformation leaked into a staged function`);
    return { kind: "const", value: x.concrete() };
  }
  process<P>(prim: Primitive<P>, inputs: readonly TensorImpl[], params: P): TensorImpl {
    const meta = prim.abstract(inputs, params);
    const out = this.fresh(meta);
    this.eqns.push({ prim, params, ins: inputs.map((x) => this.ref(x)), out: out.id, meta });
    return out;
  }
}

/** A staged value: known shape and dtype, no data yet. */
class JitTracer extends Tracer {
  constructor(
    readonly trace: JitTrace,
    readonly id: number,
    meta: Meta,
  ) {
    super(meta.shape, meta.dtype, meta.names);
  }
  concrete(): Concrete {
    throw new TransformError("jit", "the value of a traced argument is not known while staging (only its shape and dtype are); keep value-dependent control flow out of jitted functions");
  }
  override tryConcrete(): Concrete | null {
    return null;
  }
  override toString(): string {
    return `Traced<jit>(shape=[${this.shape.join(", ")}], dtype=${this.dtype})`;
  }
}

// ---------------------------------------------------------------- compilation

const FLOATY: ReadonlySet<DType> = new Set(["float32", "float64", "bool"]);

interface Group {
  readonly eqns: Eqn[];
  readonly shape: readonly number[];
}

type Step = { readonly kind: "eqn"; readonly eqn: Eqn } | { readonly kind: "fused"; readonly run: (env: Map<number, Concrete>) => void };

function fusible(e: Eqn, shape: readonly number[] | null, defs: Map<number, Meta>): boolean {
  const f = elementwiseFormulas.get(e.prim);
  if (f === undefined || !FLOATY.has(e.meta.dtype)) return false;
  if (shape !== null && (shape.length !== e.meta.shape.length || shape.some((d, i) => d !== e.meta.shape[i]))) return false;
  return e.ins.every((r) => {
    const m = r.kind === "const" ? r.value : defs.get(r.id)!;
    return FLOATY.has(m.dtype) && accessFor(m.shape, e.meta.shape) !== null;
  });
}

function compileGroup(g: Group, usedOutside: Set<number>, defs: ReadonlyMap<number, Meta>, simdOnly: true): Step | null;
function compileGroup(g: Group, usedOutside: Set<number>, defs: ReadonlyMap<number, Meta>, simdOnly?: false): Step;
function compileGroup(g: Group, usedOutside: Set<number>, defs: ReadonlyMap<number, Meta>, simdOnly = false): Step | null {
  const members = new Set(g.eqns.map((e) => e.out));
  const external: Ref[] = [];
  const extIndex = new Map<unknown, number>();
  const extOf = (r: Ref): number => {
    const key = r.kind === "var" ? r.id : r; // each use of a constant is its own input (constants can be replaced)
    let i = extIndex.get(key);
    if (i === undefined) {
      i = external.length;
      extIndex.set(key, i);
      external.push(r);
    }
    return i;
  };
  const outputs = g.eqns.filter((e) => usedOutside.has(e.out));
  const lines: string[] = [];
  const loads = new Map<number, string>();
  const valueOf = (r: Ref): string => {
    if (r.kind === "var" && members.has(r.id)) return `t${r.id}`;
    const i = extOf(r);
    if (!loads.has(i)) loads.set(i, `v${i}`);
    return `v${i}`;
  };
  for (const e of g.eqns) {
    const f = elementwiseFormulas.get(e.prim)!;
    const args = e.ins.map(valueOf);
    const binds = f.vars.map((v, i) => `const ${v} = ${args[i]};`).join(" ");
    const expr = e.meta.dtype === "float32" ? `Math.fround(${f.expr})` : f.expr;
    lines.push(`let t${e.out}; { ${binds} t${e.out} = ${expr}; }`);
  }
  let total = 1;
  for (const d of g.shape) total *= d;
  const metaOf = (r: Ref): Meta => (r.kind === "const" ? r.value : defs.get(r.id)!);
  const accesses = external.map((r) => accessFor(metaOf(r).shape, g.shape)!);
  const simd = simdGroup(g, external, accesses, outputs, total, extOf, metaOf);
  if (simd !== null || simdOnly) return simd;
  const loadLines = [...loads.keys()].map((i) => {
    const a = accesses[i]!;
    const idx = a.mode === "full" ? "i" : a.mode === "scalar" ? "0" : a.mode === "mod" ? `i % ${a.m}` : `(i / ${a.m}) | 0`;
    return `const v${i} = x${i}[${idx}];`;
  });
  const stores = outputs.map((e, k) => `o${k}[i] = t${e.out};`);
  const params = [...external.map((_, i) => `x${i}`), ...outputs.map((_, k) => `o${k}`), "n"];
  const body = `for (let i = 0; i < n; i++) { ${loadLines.join(" ")} ${lines.join(" ")} ${stores.join(" ")} }`;
  const kernel = new Function("H", `return function fused(${params.join(", ")}) { ${body} }`)(H) as (...args: unknown[]) => void;
  return {
    kind: "fused",
    run: (env) => {
      const ins = external.map((r) => (r.kind === "const" ? r.value.data : env.get(r.id)!.data));
      const outs = outputs.map((e) => allocUninit(e.meta.dtype, total));
      kernel(...ins, ...outs, total);
      outputs.forEach((e, k) => env.set(e.out, new Concrete(e.meta.shape, e.meta.dtype, outs[k]!, e.meta.names)));
    },
  };

}



/**
 * The group as one SIMD kernel, when every operation has one, every operand and result is float32, and
 * the broadcasts are ones the kernel handles; null to use the generated TypeScript loop instead.
 */
function simdGroup(
  g: Group, external: readonly Ref[], accesses: readonly EwAccess[], outputs: readonly Eqn[], total: number,
  extOf: (r: Ref) => number, metaOf: (r: Ref) => Meta,
): Step | null {
  // float32 throughout (bool only inside, as masks): a float64 step would round differently.
  if (total < SIMD_MIN_ELEMENTS || outputs.some((e) => e.meta.dtype !== "float32") || external.some((r) => metaOf(r).dtype !== "float32")) return null;
  if (g.eqns.some((e) => e.meta.dtype !== "float32" && e.meta.dtype !== "bool")) return null;
  const nodeOf = new Map<number, number>(g.eqns.map((e, k) => [e.out, k]));
  const nodes: EwNode[] = [];
  for (const e of g.eqns) {
    const op = elementwiseFormulas.get(e.prim)?.simd;
    if (op === undefined) return null;
    const args = e.ins.map((r): EwArg => {
      const k = r.kind === "var" ? nodeOf.get(r.id) : undefined;
      return k !== undefined ? { kind: "node", index: k } : { kind: "in", index: extOf(r) };
    });
    nodes.push({ op, args });
  }
  const kernel = elementwiseKernel({ total, inputs: accesses, nodes, outputs: outputs.map((e) => nodeOf.get(e.out)!) });
  if (kernel === null) return null;
  return {
    kind: "fused",
    run: (env) => {
      const outs = kernel(external.map((r) => (r.kind === "const" ? r.value.data : env.get(r.id)!.data) as Float32Array));
      outputs.forEach((e, k) => env.set(e.out, new Concrete(e.meta.shape, e.meta.dtype, outs[k]!, e.meta.names)));
    },
  };
}

/** Groups elementwise chains and turns the equations into executable steps. */
function compile(eqns: readonly Eqn[], inputs: readonly { id: number; meta: Meta }[], outRefs: readonly Ref[]): Step[] {
  const defs = new Map<number, Meta>(inputs.map((x) => [x.id, x.meta]));
  for (const e of eqns) defs.set(e.out, e.meta);
  // Which values are read by whom: a group must materialise values that anything outside it reads.
  const readers = new Map<number, number[]>();
  eqns.forEach((e, k) => e.ins.forEach((r) => r.kind === "var" && (readers.get(r.id) ?? readers.set(r.id, []).get(r.id)!).push(k)));
  const programOutputs = new Set(outRefs.flatMap((r) => (r.kind === "var" ? [r.id] : [])));
  const steps: Step[] = [];
  // Groups grow along the data flow, not only between neighbours: an elementwise equation joins the open
  // group of one of its operands (same shape), so `g·(−lr)` and `p + u` of one parameter fuse although
  // other parameters' equations come between them. A group runs where it is sealed: before the first
  // equation outside it that reads one of its values (or at the end), so its operands are all ready.
  const open: { group: Group; idx: number[]; outs: Set<number> }[] = [];
  const seal = (g: (typeof open)[number]): void => {
    open.splice(open.indexOf(g), 1);
    const members = new Set(g.idx);
    const usedOutside = new Set(
      g.group.eqns.filter((e) => programOutputs.has(e.out) || (readers.get(e.out) ?? []).some((k) => !members.has(k))).map((e) => e.out),
    );
    // A lone equation runs its primitive, unless it has a SIMD kernel: resolved here once, not at every run.
    if (g.group.eqns.length === 1) return void steps.push(compileGroup(g.group, usedOutside, defs, true) ?? { kind: "eqn", eqn: g.group.eqns[0]! });
    steps.push(compileGroup(g.group, usedOutside, defs));
  };
  const groupOf = (id: number): (typeof open)[number] | undefined => open.find((g) => g.outs.has(id));
  eqns.forEach((e, k) => {
    const producers = [...new Set(e.ins.flatMap((r) => (r.kind === "var" ? [groupOf(r.id)] : [])).filter((g) => g !== undefined))];
    let home: (typeof open)[number] | undefined;
    if (fusible(e, null, defs)) home = producers.filter((g) => fusible(e, g.group.shape, defs)).pop();
    for (const g of producers) if (g !== home) seal(g);
    if (home === undefined && fusible(e, null, defs)) {
      home = { group: { eqns: [], shape: e.meta.shape }, idx: [], outs: new Set() };
      open.push(home);
    }
    if (home === undefined) return void steps.push({ kind: "eqn", eqn: e });
    home.group.eqns.push(e);
    home.idx.push(k);
    home.outs.add(e.out);
  });
  while (open.length > 0) seal(open[0]!);
  return steps;
}

// ---------------------------------------------------------------- the transformation

/**
 * The planned buffers of a staged program. The k-th allocation of a run reuses the buffer of the k-th
 * allocation of the previous run when dtype and size agree, unless that buffer escaped into the results
 * (the caller owns those). Intermediates thus cost no fresh memory after the first run: a fresh large
 * typed array costs page faults, which on this kind of machine take longer than the kernels that fill it.
 * Within one run no buffer is handed out twice, so reuse never aliases two live values.
 */
class BufferPlan implements StorageSource {
  private readonly bufs: (Storage | undefined)[] = [];
  private readonly inArena: boolean[] = [];
  private arenaTop = ARENA_BASE;
  private k = 0;
  take(dtype: DType, n: number, zeroed: boolean): Storage {
    const i = this.k++;
    const b = this.bufs[i];
    if (b !== undefined && b.length === n && isStorageOf(b, dtype)) {
      if (zeroed) b.fill(0);
      return b;
    }
    if (b !== undefined) return freshStorage(dtype, n); // the program allocates differently this run: leave the plan alone
    const slot = this.arena(dtype, n);
    // The arena is shared by every program (runs never overlap): a new slot holds another run's data.
    if (slot !== null && zeroed) slot.fill(0);
    const f = slot ?? freshStorage(dtype, n);
    this.bufs[i] = f;
    this.inArena[i] = slot !== null;
    return f;
  }
  /** A new slot in the kernels' memory (64-byte aligned, with slack for vector reads and writes past the end). */
  private arena(dtype: DType, n: number): Storage | null {
    if (requestedMode() === "typescript") return null;
    const at = Math.ceil(this.arenaTop / 64) * 64;
    const bytes = n * BYTES[dtype];
    const view = arenaArray((buf, off, len) => new ARRAYS[dtype](buf as ArrayBuffer, off, len) as Storage, at, bytes + 64, n);
    if (view !== null) this.arenaTop = at + bytes + 64;
    return view;
  }
  /** Starts a run: allocations are numbered from 0 again. */
  begin(): void {
    this.k = 0;
  }
  /**
   * The results as the caller may keep them: values in the kernels' memory are copied out (the next run
   * reuses their slots), into donated buffers where one of the same type and length is free, else into
   * fresh ones; other buffers the results hold are dropped from the plan, so no later run writes into them.
   */
  finish(results: readonly Concrete[], donated: readonly Storage[] = [], written?: Set<Storage>): Concrete[] {
    const free = donatable(results, donated);
    const out = results.map((r) => {
      if (heapAddress(r.data) === null) return r;
      const i = free.findIndex((d) => d.length === r.data.length && d.constructor === r.data.constructor);
      const data = i < 0 ? r.data.slice() : free.splice(i, 1)[0]!;
      if (i >= 0) data.set(r.data as never);
      written?.add(data);
      return new Concrete(r.shape, r.dtype, data, r.names);
    });
    const kept = new Set<ArrayBufferLike>(out.map((r) => r.data.buffer));
    for (let i = 0; i < this.bufs.length; i++) if (!this.inArena[i] && this.bufs[i] !== undefined && kept.has(this.bufs[i]!.buffer)) this.bufs[i] = undefined;
    return out;
  }
}

/**
 * The donated buffers a run may write its results into: none twice, and none that a result of this run
 * still holds (a value passed through unchanged).
 */
function donatable(results: readonly Concrete[], donated: readonly Storage[]): Storage[] {
  if (donated.length === 0) return [];
  const held = new Set<ArrayBufferLike>(results.map((r) => r.data.buffer));
  const seen = new Set<ArrayBufferLike>();
  return donated.filter((d) => {
    if (held.has(d.buffer) || seen.has(d.buffer)) return false;
    seen.add(d.buffer);
    return true;
  });
}

const BYTES: Readonly<Record<DType, number>> = { float32: 4, float64: 8, int32: 4, bool: 1 };
const ARRAYS = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array } as const;

interface Staged {
  readonly buffers: BufferPlan;
  readonly inputIds: readonly number[];
  readonly steps: readonly Step[];
  readonly outRefs: readonly Ref[];
  readonly unflatten: (leaves: readonly unknown[]) => unknown;
}

function signature(leaves: readonly Leaf[], tree: unknown): string {
  const meta = (t: TensorImpl): string => `${t.dtype}[${t.shape.join(",")}]`;
  const parts = leaves.map((l) =>
    typeof l === "number" ? `n${numberKey(l)}` : l instanceof LazyTake ? `take(${meta(l.source)},${meta(l.idx)})` : meta(l as unknown as TensorImpl),
  );
  // Functions among the arguments (not leaves) are static parts of the signature: keyed by identity.
  const structure = JSON.stringify(tree, (_k, v) =>
    typeof v === "object" && v !== null && !Array.isArray(v) && "shape" in v ? 0 : typeof v === "number" ? 0 : typeof v === "function" ? keyOf(v) : v,
  );
  return `${requestedMode()}|${structure}|${parts.join(";")}`;
}

/** A number as a key: −0 differs from 0 (it changes results: 1 / −0 = −∞). */
const numberKey = (x: number): string => (Object.is(x, -0) ? "-0" : String(x));

/** Options of {@link jit}. */
export interface JitOptions {
  /** How many argument signatures to keep compiled (least recently used are dropped). Default 16. */
  readonly cacheSize?: number;
}

/**
 * Compiles `f` for each new signature of its arguments (tree structure, shapes, dtypes, and the values
 * of plain-number leaves, which are static) and replays the compiled program on later calls.
 *
 * @example
 * ```ts
 * const step = jit((w: Tensor<[3]>, x: Tensor<[3]>) => sub(w, mul(grad((v: Tensor<[3]>) => sum(mul(v, x)))(w), 0.1)));
 * const w1 = step(ones("3"), tensor([1, 2, 3])); // staged once, then run as one program
 * ```
 */
export function jit<Args extends readonly unknown[], R>(f: (...args: Args) => R, opts: JitOptions = {}): (...args: Args) => R {
  const cache = new Map<string, Staged>();
  const limit = opts.cacheSize ?? 16;
  return (...args: Args): R => {
    const flat = flatten(args);
    if (flat.leaves.some((l) => l instanceof Tracer)) return f(...args);
    const sig = signature(flat.leaves, args);
    let staged = cache.get(sig);
    if (staged === undefined) {
      staged = stage(f, flat.leaves, flat.unflatten);
      if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
    } else cache.delete(sig);
    cache.set(sig, staged);
    return run(staged, flat.leaves) as R;
  };
}

/**
 * `jit(f)` for a function that may not be stageable: the first call that cannot be staged (value-dependent
 * control flow) switches to calling `f` itself, then and on every later call, whatever the arguments'
 * shapes. Other errors propagate.
 */
export function jitOrEager<Args extends readonly unknown[], R>(f: (...args: Args) => R, opts: JitOptions = {}): (...args: Args) => R {
  const staged = jit(f, opts);
  let eager = false;
  return (...args: Args): R => {
    if (!eager)
      try {
        return staged(...args);
      } catch (e) {
        if (!(e instanceof TransformError && e.op === "jit")) throw e;
        eager = true;
      }
    return f(...args);
  };
}

/** A traced program before compilation. */
interface Program {
  readonly eqns: readonly Eqn[];
  readonly inputs: readonly { id: number; meta: Meta }[];
  readonly outRefs: readonly Ref[];
  /** The output leaves that are plain numbers, with their values (undefined for tensors). */
  readonly numbers: readonly (number | undefined)[];
  readonly unflatten: (vals: readonly unknown[]) => unknown;
}

function traceFlat<Args extends readonly unknown[], R>(f: (...args: Args) => R, leaves: readonly Leaf[], unflatten: (l: readonly unknown[]) => unknown): Program {
  return withTrace(
    (level) => new JitTrace(level),
    (trace) => {
      const inputs: { id: number; meta: Meta }[] = [];
      const traced = leaves.map((l) => {
        if (typeof l === "number") return l;
        if (l instanceof LazyTake) {
          // A deferred gather: its operands are the inputs, the gather a step of the program.
          const [src, idx] = [trace.fresh(l.source), trace.fresh(l.idx)];
          inputs.push({ id: src.id, meta: l.source }, { id: idx.id, meta: l.idx });
          return typed(take(src, idx, 0));
        }
        const t = l as unknown as TensorImpl;
        const x = trace.fresh(t);
        inputs.push({ id: x.id, meta: t });
        return typed(x);
      });
      const out = whileStaging(() => f(...(unflatten(traced) as Args)));
      const o = flatten(out);
      const outRefs = o.leaves.map((l) => (typeof l === "number" ? ({ kind: "const", value: new Concrete([], "float64", Float64Array.of(l)) } as Ref) : trace.ref(l as unknown as TensorImpl)));
      const numbers = o.leaves.map((l) => (typeof l === "number" ? l : undefined));
      return {
        eqns: trace.eqns,
        inputs,
        outRefs,
        numbers,
        unflatten: (vals: readonly unknown[]) => o.unflatten(vals.map((v, i) => (numbers[i] !== undefined ? (v as Concrete).data[0] : typed(v as Concrete)))),
      };
    },
  );
}

function compileProgram(p: Program): Staged {
  return { buffers: new BufferPlan(), inputIds: p.inputs.map((x) => x.id), steps: compile(p.eqns, p.inputs, p.outRefs), outRefs: p.outRefs, unflatten: p.unflatten };
}

function stage<Args extends readonly unknown[], R>(f: (...args: Args) => R, leaves: readonly Leaf[], unflatten: (l: readonly unknown[]) => unknown): Staged {
  return compileProgram(traceFlat(f, leaves, unflatten));
}

// Identities for values in primitive parameters that are not plain data (functions of custom rules, …).
const identities = new WeakMap<object, number>();
let nextIdentity = 0;
function keyOf(v: unknown): string {
  if (typeof v === "number") return numberKey(v);
  if (v === null || typeof v === "boolean" || typeof v === "string" || v === undefined) return JSON.stringify(v) ?? "u";
  if (Array.isArray(v)) return `[${v.map(keyOf).join(",")}]`;
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype)
    return `{${Object.keys(v).sort().map((k) => `${k}:${keyOf((v as Record<string, unknown>)[k])}`).join(",")}}`;
  const o = v as object;
  let id = identities.get(o);
  if (id === undefined) identities.set(o, (id = nextIdentity++));
  return `#${id}`;
}

/**
 * A constant's value as a key: its bytes in hex when small (so −0, NaN payloads and every bit count), else
 * two independent 32-bit FNV-1a hashes of the bytes and the length.
 */
function constKey(d: Storage): string {
  const u8 = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  if (u8.length <= 256) return Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join("");
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < u8.length; i++) {
    h1 = Math.imul(h1 ^ u8[i]!, 0x01000193);
    h2 = Math.imul(h2 ^ u8[i]!, 0x5bd1e995) ^ (h2 >>> 13);
  }
  return `#${u8.length}:${(h1 >>> 0).toString(16)}:${(h2 >>> 0).toString(16)}`;
}

/**
 * A text that is equal for two traces exactly when they are the same program: the same equations on the
 * same operands with the same parameters, constants and number outputs aside (the caller compares those).
 */
function fingerprintOf(p: Program, constValues: boolean): string {
  const ref = (r: Ref, values: boolean): string =>
    r.kind === "var" ? `v${r.id}` : `c${r.value.dtype}[${r.value.shape.join(",")}]${values ? constKey(r.value.data) : ""}`;
  const ins = p.inputs.map((x) => `${x.meta.dtype}[${x.meta.shape.join(",")}]`).join(";");
  const eqns = p.eqns.map((e) => `${e.prim.name}${keyOf(e.params)}(${e.ins.map((r) => ref(r, constValues)).join(",")})`).join(";");
  const outs = p.outRefs.map((r, i) => (p.numbers[i] !== undefined ? "n" : ref(r, true))).join(",");
  return `${ins}|${eqns}|${outs}`;
}

/** The constants the equations read, in order of use. */
const constRefsOf = (p: Program): { kind: "const"; value: Concrete }[] =>
  p.eqns.flatMap((e) => e.ins.filter((r): r is { kind: "const"; value: Concrete } => r.kind === "const"));

/** @internal A function traced for the current arguments: its fingerprint, number outputs, and compiler. */
export interface TracedFunction {
  /** Equal for two traces exactly when they stage the same program (number outputs aside). */
  readonly fingerprint: string;
  /** Equal for two traces that stage the same program up to the values of the constants equations read. */
  readonly structure: string;
  /** Those constants' values, in order of use. */
  readonly consts: readonly Concrete[];
  /** The output leaves (flattened) that are numbers, with their values; undefined for tensors. */
  readonly numbers: readonly (number | undefined)[];
  /** Compiles the program; the result runs it on arguments of the same signature. */
  compile(): CompiledFunction;
}

/** @internal A compiled program: runs it; its constants can be replaced by those of a same-structure trace. */
export interface CompiledFunction {
  (...args: readonly unknown[]): unknown;
  /**
   * Runs it on `args`, writing results into the `donated` buffers where they fit (type and length), and
   * reports the buffers this run wrote its results into (each backs exactly one result, whole). The caller
   * promises that no one reads a donated buffer after this call: only buffers that an earlier run reported
   * as written, for results that nothing else holds or will see again.
   */
  runDonating(args: readonly unknown[], donated: readonly Storage[]): { readonly result: unknown; readonly written: ReadonlySet<Storage> };
  /** The constants the equations read, in order of use (as compiled, or as last replaced). */
  readonly consts: readonly Concrete[];
  /** Replaces the last `values.length` of them (same dtypes and shapes), for the following runs. */
  replaceLastConsts(values: readonly Concrete[]): void;
}

/**
 * @internal Traces `f` on `args` (values unknown, shapes and number leaves static) without running it, for
 * callers that keep their own cache of compiled programs (the training step, whose optimizer state holds
 * a step counter: a number, static to `jit`, that most updates never read).
 */
export function traceFunction(f: (...args: any[]) => unknown, args: readonly unknown[]): TracedFunction {
  const flat = flatten(args);
  const program = traceFlat(f, flat.leaves, flat.unflatten);
  return {
    fingerprint: fingerprintOf(program, true),
    structure: fingerprintOf(program, false),
    consts: constRefsOf(program).map((r) => r.value),
    numbers: program.numbers,
    compile: () => {
      const staged = compileProgram(program);
      // Steps read each constant through its reference when they run, so replacing the value suffices.
      const refs = constRefsOf(program);
      const fn = ((...callArgs: readonly unknown[]) => run(staged, flatten(callArgs).leaves)) as CompiledFunction;
      (fn as { runDonating: CompiledFunction["runDonating"] }).runDonating = (callArgs, donated) => {
        const written = new Set<Storage>();
        return { result: run(staged, flatten(callArgs).leaves, donated, written), written };
      };
      Object.defineProperty(fn, "consts", { get: () => refs.map((r) => r.value) });
      (fn as { replaceLastConsts: CompiledFunction["replaceLastConsts"] }).replaceLastConsts = (values) => {
        const start = refs.length - values.length;
        if (start < 0) throw new RangeError("replaceLastConsts: more values than constants");
        values.forEach((v, i) => {
          const r = refs[start + i]!;
          if (v.dtype !== r.value.dtype || v.shape.join() !== r.value.shape.join()) throw new RangeError("replaceLastConsts: a constant of another dtype or shape");
          r.value = v;
        });
      };
      return fn;
    },
  };
}

/**
 * @internal `jit`'s cache key for arguments: tree structure, shapes and dtypes, and the values of number
 * leaves unless `numbers` is false.
 */
export function argsSignature(args: readonly unknown[], numbers = true): string {
  const flat = flatten(args);
  return signature(numbers ? flat.leaves : flat.leaves.map((l) => (typeof l === "number" ? 0 : l)), args);
}

// Runs in progress: every program's arena slots start at the same address, which is safe only because
// one run never starts inside another (primitives never call back into user code); a nested run, should
// one ever happen, gets fresh storage instead of the plan.
let running = 0;
const FRESH: StorageSource = { take: (dtype, n) => freshStorage(dtype, n) };

function run(staged: Staged, leaves: readonly Leaf[], donated: readonly Storage[] = [], written?: Set<Storage>): unknown {
  const env = new Map<number, Concrete>();
  let k = 0;
  for (const l of leaves) {
    if (typeof l === "number") continue;
    if (l instanceof LazyTake) {
      env.set(staged.inputIds[k++]!, l.source);
      env.set(staged.inputIds[k++]!, l.idx);
    } else env.set(staged.inputIds[k++]!, (l as unknown as TensorImpl).concrete());
  }
  const execute = (): Concrete[] => {
    for (const s of staged.steps) {
      if (s.kind === "fused") s.run(env);
      else {
        const e = s.eqn;
        const ins = e.ins.map((r) => (r.kind === "const" ? r.value : env.get(r.id)!));
        const data: Storage = e.prim.impl(ins, e.params, e.meta);
        env.set(e.out, new Concrete(e.meta.shape, e.meta.dtype, data, e.meta.names));
      }
    }
    return staged.outRefs.map((r) => (r.kind === "const" ? r.value : env.get(r.id)!));
  };
  if (running > 0) return staged.unflatten(withStorageSource(FRESH, execute));
  const plan = staged.buffers;
  plan.begin();
  running++;
  try {
    return staged.unflatten(plan.finish(withStorageSource(plan, execute), donated, written));
  } finally {
    running--;
  }
}
