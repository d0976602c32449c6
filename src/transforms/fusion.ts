/**
 * Code generation for staged programs: nested staged calls are inlined, chains of elementwise primitives
 * (those whose record has a `formula`) are grouped along the data flow and compiled into one loop each —
 * a generated WebAssembly SIMD kernel when every operand is float32, else a generated TypeScript loop —
 * and every other equation runs its primitive's kernel.
 */
import type { DType, StorageSource } from "../tensor/dtype.js";
import { Concrete } from "../tensor/tensor.js";
import { isMulti, type MultiPrimitive, type Primitive } from "../core/primitive.js";
import { Program, Var, type Atom, type Eqn } from "../core/program.js";
import { H } from "../primitives/kernels.js";
import { accessFor, elementwiseKernel, SIMD_MIN_ELEMENTS, type EwAccess, type EwArg, type EwNode, type SimdOp } from "../backend/elementwise.js";

/** Values of a run, by variable. */
export type Env = Map<Var, Concrete>;

/** One executable step of a compiled program. */
export type Step =
  | { readonly kind: "eqn"; readonly prim: Primitive<any>; readonly params: unknown; readonly ins: readonly Atom[]; readonly out: Var }
  | { readonly kind: "multi"; readonly prim: MultiPrimitive<any>; readonly params: unknown; readonly ins: readonly Atom[]; readonly outs: readonly Var[] }
  | { readonly kind: "fused"; readonly via: "simd" | "loop"; readonly prims: readonly string[]; readonly run: (env: Env, mem: StorageSource) => void };

/** A first-order list of equations: a program with its staged calls replaced by their bodies. */
export interface Flat {
  readonly inputs: readonly Var[];
  readonly eqns: readonly Eqn[];
  readonly outputs: readonly Atom[];
}

/**
 * Inlines the staged calls of a program (recursively), renaming the variables of each inlined body so
 * that a program called twice defines distinct variables. `isInlined` says which equations to open.
 */
export function inlineCalls(p: Program, isInlined: (e: Eqn) => Program | null): Flat {
  const eqns: Eqn[] = [];
  const body = (q: Program, args: readonly Atom[]): Atom[] => {
    const env = new Map<Var, Atom>();
    q.inputs.forEach((v, i) => env.set(v, args[i]!));
    const r = (a: Atom): Atom => (a instanceof Var ? (env.get(a) ?? a) : a);
    for (const e of q.eqns) {
      const ins = e.ins.map(r);
      const sub = isInlined(e);
      if (sub !== null) {
        const outs = body(sub, ins);
        e.outs.forEach((v, i) => env.set(v, outs[i]!));
        continue;
      }
      const outs = e.outs.map((v) => new Var(v.shape, v.dtype, v.names));
      e.outs.forEach((v, i) => env.set(v, outs[i]!));
      eqns.push({ prim: e.prim, params: e.params, ins, outs });
    }
    return q.outputs.map(r);
  };
  const outputs = body(p, p.inputs);
  return { inputs: p.inputs, eqns, outputs };
}

// ---------------------------------------------------------------- fusion

const FLOATY: ReadonlySet<DType> = new Set(["float32", "float64", "bool"]);

const formulaOf = (e: Eqn) => (isMulti(e.prim) ? undefined : e.prim.formula);

interface Group {
  readonly eqns: Eqn[];
  readonly shape: readonly number[];
}

function fusible(e: Eqn, shape: readonly number[] | null): boolean {
  if (formulaOf(e) === undefined) return false;
  const out = e.outs[0]!;
  if (!FLOATY.has(out.dtype)) return false;
  if (shape !== null && (shape.length !== out.shape.length || shape.some((d, i) => d !== out.shape[i]))) return false;
  return e.ins.every((a) => FLOATY.has(a.dtype) && accessFor(a.shape, out.shape) !== null);
}

function compileGroup(g: Group, usedOutside: ReadonlySet<Var>, simdOnly: boolean): Step | null {
  const members = new Set(g.eqns.map((e) => e.outs[0]!));
  const external: Atom[] = [];
  const extIndex = new Map<Atom, number>();
  const extOf = (a: Atom): number => {
    let i = extIndex.get(a);
    if (i === undefined) {
      i = external.length;
      extIndex.set(a, i);
      external.push(a);
    }
    return i;
  };
  const outputs = g.eqns.filter((e) => usedOutside.has(e.outs[0]!));
  const names = new Map<Var, string>();
  g.eqns.forEach((e, k) => names.set(e.outs[0]!, `t${k}`));
  const lines: string[] = [];
  const loads = new Set<number>();
  const valueOf = (a: Atom): string => {
    if (a instanceof Var && members.has(a)) return names.get(a)!;
    const i = extOf(a);
    loads.add(i);
    return `v${i}`;
  };
  for (const e of g.eqns) {
    const f = formulaOf(e)!;
    const args = e.ins.map(valueOf);
    const binds = f.vars.map((v, i) => `const ${v} = ${args[i]};`).join(" ");
    const out = e.outs[0]!;
    const expr = out.dtype === "float32" ? `Math.fround(${f.expr})` : f.expr;
    lines.push(`let ${names.get(out)}; { ${binds} ${names.get(out)} = ${expr}; }`);
  }
  let total = 1;
  for (const d of g.shape) total *= d;
  const accesses = external.map((a) => accessFor(a.shape, g.shape)!);
  const simd = simdGroup(g, external, accesses, outputs, total, extOf);
  if (simd !== null || simdOnly) return simd;
  const loadLines = [...loads].map((i) => {
    const a = accesses[i]!;
    const idx = a.mode === "full" ? "i" : a.mode === "scalar" ? "0" : a.mode === "mod" ? `i % ${a.m}` : `(i / ${a.m}) | 0`;
    return `const v${i} = x${i}[${idx}];`;
  });
  const stores = outputs.map((e, k) => `o${k}[i] = ${names.get(e.outs[0]!)};`);
  const params = [...external.map((_, i) => `x${i}`), ...outputs.map((_, k) => `o${k}`), "n"];
  const body = `for (let i = 0; i < n; i++) { ${loadLines.join(" ")} ${lines.join(" ")} ${stores.join(" ")} }`;
  const kernel = new Function("H", `return function fused(${params.join(", ")}) { ${body} }`)(H) as (...args: unknown[]) => void;
  return {
    kind: "fused",
    via: "loop",
    prims: g.eqns.map((e) => e.prim.name),
    run: (env, mem) => {
      const ins = external.map((a) => read(env, a).data);
      const outs = outputs.map((e) => mem.take(e.outs[0]!.dtype, total, false));
      kernel(...ins, ...outs, total);
      outputs.forEach((e, k) => setVar(env, e.outs[0]!, outs[k]!));
    },
  };
}

/** The value of an operand in a run. */
export const read = (env: Env, a: Atom): Concrete => (a instanceof Var ? env.get(a)! : a);

/** Stores a variable's value. */
export const setVar = (env: Env, v: Var, data: Concrete["data"]): void => void env.set(v, new Concrete(v.shape, v.dtype, data, v.names));

/**
 * The group as one SIMD kernel, when every operation has one, every operand and result is float32, and
 * the broadcasts are ones the kernel handles; null to use the generated TypeScript loop instead.
 */
function simdGroup(g: Group, external: readonly Atom[], accesses: readonly EwAccess[], outputs: readonly Eqn[], total: number, extOf: (a: Atom) => number): Step | null {
  // float32 throughout (bool only inside, as masks): a float64 step would round differently.
  if (total < SIMD_MIN_ELEMENTS || outputs.some((e) => e.outs[0]!.dtype !== "float32") || external.some((a) => a.dtype !== "float32")) return null;
  if (g.eqns.some((e) => e.outs[0]!.dtype !== "float32" && e.outs[0]!.dtype !== "bool")) return null;
  const nodeOf = new Map<Var, number>(g.eqns.map((e, k) => [e.outs[0]!, k]));
  const nodes: EwNode[] = [];
  for (const e of g.eqns) {
    const op = formulaOf(e)?.simd as SimdOp | undefined;
    if (op === undefined) return null;
    const args = e.ins.map((a): EwArg => {
      const k = a instanceof Var ? nodeOf.get(a) : undefined;
      return k !== undefined ? { kind: "node", index: k } : { kind: "in", index: extOf(a) };
    });
    nodes.push({ op, args });
  }
  const kernel = elementwiseKernel({ total, inputs: accesses, nodes, outputs: outputs.map((e) => nodeOf.get(e.outs[0]!)!) });
  if (kernel === null) return null;
  return {
    kind: "fused",
    via: "simd",
    prims: g.eqns.map((e) => e.prim.name),
    run: (env, mem) => {
      const outs = kernel(external.map((a) => read(env, a).data as Float32Array), mem);
      outputs.forEach((e, k) => setVar(env, e.outs[0]!, outs[k]!));
    },
  };
}

const single = (e: Eqn): Step =>
  isMulti(e.prim)
    ? { kind: "multi", prim: e.prim, params: e.params, ins: e.ins, outs: e.outs }
    : { kind: "eqn", prim: e.prim, params: e.params, ins: e.ins, out: e.outs[0]! };

/** Groups elementwise chains and turns the equations into executable steps. */
export function compileSteps(flat: Flat): Step[] {
  const { eqns, outputs } = flat;
  // Which values are read by whom: a group must materialise values that anything outside it reads.
  const readers = new Map<Var, number[]>();
  eqns.forEach((e, k) => e.ins.forEach((a) => a instanceof Var && (readers.get(a) ?? readers.set(a, []).get(a)!).push(k)));
  const programOutputs = new Set(outputs.filter((a): a is Var => a instanceof Var));
  const steps: Step[] = [];
  // Groups grow along the data flow, not only between neighbours: an elementwise equation joins the open
  // group of one of its operands (same shape), so `g·(−lr)` and `p + u` of one parameter fuse although
  // other parameters' equations come between them. A group runs where it is sealed: before the first
  // equation outside it that reads one of its values (or at the end), so its operands are all ready.
  interface Open { readonly group: Group; readonly idx: number[]; readonly outs: Set<Var> }
  const open: Open[] = [];
  const seal = (g: Open): void => {
    open.splice(open.indexOf(g), 1);
    const members = new Set(g.idx);
    const usedOutside = new Set(
      g.group.eqns.map((e) => e.outs[0]!).filter((v) => programOutputs.has(v) || (readers.get(v) ?? []).some((k) => !members.has(k))),
    );
    // A lone equation runs its primitive, unless it has a SIMD kernel: resolved here once, not at every run.
    if (g.group.eqns.length === 1) return void steps.push(compileGroup(g.group, usedOutside, true) ?? single(g.group.eqns[0]!));
    steps.push(compileGroup(g.group, usedOutside, false)!);
  };
  const groupOf = (v: Var): Open | undefined => open.find((g) => g.outs.has(v));
  eqns.forEach((e, k) => {
    const producers = [...new Set(e.ins.flatMap((a) => (a instanceof Var ? [groupOf(a)] : [])).filter((g) => g !== undefined))];
    let home: Open | undefined;
    if (fusible(e, null)) {
      // Every open group of this shape that feeds it merges into one: no equation outside an open group
      // has read its values yet (it would have been sealed), so running them together later is safe, and a
      // mask made in one group (a comparison) stays inside the kernel that uses it.
      const mine = producers.filter((g) => fusible(e, g.group.shape));
      home = mine.pop();
      if (home !== undefined)
        for (const g of mine) {
          open.splice(open.indexOf(g), 1);
          const merged = [...home.idx.map((i, j) => [i, home!.group.eqns[j]!] as const), ...g.idx.map((i, j) => [i, g.group.eqns[j]!] as const)].sort((a, b) => a[0] - b[0]);
          home.group.eqns.length = 0;
          home.idx.length = 0;
          for (const [i, q] of merged) {
            home.group.eqns.push(q);
            home.idx.push(i);
          }
          for (const v of g.outs) home.outs.add(v);
        }
    }
    for (const g of producers) if (g !== home && open.includes(g)) seal(g);
    if (home === undefined && fusible(e, null)) {
      home = { group: { eqns: [], shape: e.outs[0]!.shape }, idx: [], outs: new Set() };
      open.push(home);
    }
    if (home === undefined) return void steps.push(single(e));
    home.group.eqns.push(e);
    home.idx.push(k);
    home.outs.add(e.outs[0]!);
  });
  while (open.length > 0) seal(open[0]!);
  return steps;
}
