/**
 * The runner: executes a compiled program's steps on concrete inputs, serving the kernels' allocations
 * from the program's buffer plan, and writes results into donated buffers where it may.
 */
import { FRESH, type Storage, type StorageSource } from "../tensor/dtype.js";
import type { Concrete } from "../tensor/tensor.js";
import type { Atom, Program } from "../core/program.js";
import { BufferPlan } from "./buffers.js";
import { compileSteps, inlineCalls, read, setVar, type Env, type Step } from "./fusion.js";
import { requestedMode } from "../backend/runtime.js";

/** A program compiled for one backend mode: steps, buffer plan, and the buffers its runs wrote results into. */
export interface Compiled {
  readonly program: Program;
  readonly steps: readonly Step[];
  /** The program's outputs after inlining. */
  readonly outputs: readonly Atom[];
  readonly buffers: BufferPlan;
}

// Compiled forms of every program, by backend mode (a program compiled for SIMD kernels is not rerun on the
// reference loops). Weak: a program nobody holds is collected with its compiled form.
const compiled = new WeakMap<Program, Map<string, Compiled>>();
let compilations = 0;
const INLINED: ReadonlySet<string> = new Set(["call", "custom_jvp", "custom_vjp"]);

/** How many programs have been compiled so far (for tests that check caching). */
export const compileCount = (): number => compilations;

/** The program's compiled form (compiled once per backend mode). */
export function compiledOf(p: Program): Compiled {
  const mode = requestedMode();
  let m = compiled.get(p);
  if (m === undefined) compiled.set(p, (m = new Map()));
  let c = m.get(mode);
  if (c === undefined) {
    compilations++;
    // Inline nested staged calls and custom rules (evaluated, they are their function; the bodies fuse
    // with the caller's equations).
    const flat = inlineCalls(p, (e) => (INLINED.has(e.prim.name) ? (e.params as { program: Program }).program : null));
    c = { program: p, steps: compileSteps(flat), outputs: flat.outputs, buffers: new BufferPlan() };
    m.set(mode, c);
  }
  return c;
}

// Runs in progress: every program's arena slots start at the same address, which is safe only because one
// run never starts inside another; a nested run (a scan body, a conditional branch run by an outer
// program's step) gets fresh storage instead of the plan.
let running = 0;

function execute(c: Compiled, inputs: readonly Concrete[], mem: StorageSource): Concrete[] {
  const env: Env = new Map();
  c.program.inputs.forEach((v, i) => env.set(v, inputs[i]!));
  for (const s of c.steps) {
    if (s.kind === "fused") s.run(env, mem);
    else if (s.kind === "eqn") {
      const ins = s.ins.map((a) => read(env, a));
      setVar(env, s.out, s.prim.impl(ins, s.params, s.out, mem));
    } else {
      const outs = s.prim.impl(s.ins.map((a) => read(env, a)), s.params);
      s.outs.forEach((v, i) => env.set(v, outs[i]!));
    }
  }
  return c.outputs.map((a) => read(env, a));
}

/** Buffers a run may write its results into, and the set it reports the buffers it wrote results into. */
export interface Donation {
  readonly give: readonly Storage[];
  readonly written: Set<Storage>;
}

/**
 * Runs a compiled program, writing results into the donated buffers where they fit (the caller promises
 * that nothing reads them afterwards) and reporting which buffers hold results it wrote.
 */
export function runCompiled(c: Compiled, inputs: readonly Concrete[], donation?: Donation): Concrete[] {
  if (running > 0) return execute(c, inputs, FRESH);
  const plan = c.buffers;
  plan.begin();
  running++;
  try {
    return plan.finish(execute(c, inputs, plan), donation?.give ?? [], donation?.written);
  } finally {
    running--;
  }
}
