/**
 * The law runner: every law of the kit is a fast-check property run with {@link law}, returning
 * fast-check's `RunDetails` tagged with the law's name, and {@link assertLaw} turns a failure into an
 * Error whose message shows the counterexample as tensors print (`tensor([...], shape=[2, 3], ...)`).
 *
 * Run counts and seeds come from the environment so one suite serves both a quick `npm test` and a
 * thorough `npm run laws`: `TENFOLD_LAW_RUNS` (runs per law), `TENFOLD_LAW_SEED` and `TENFOLD_LAW_PATH`
 * (replay a reported failure).
 */
import fc from "fast-check";
import type { DType } from "../tensor/dtype.js";
import { concreteOf, isTensor, pathLeaves, shapeOf, showIndex, showPath, showShape, showTree, valuesOf } from "./tree.js";

/**
 * Runs per law when `TENFOLD_LAW_RUNS` is not set.
 *
 * @example
 * ```ts
 * DEFAULT_RUNS; // 30
 * ```
 */
export const DEFAULT_RUNS = 30;

/** The fast-check parameters a law accepts (run count, seed, path, verbosity, ...). */
export type LawParameters<T> = fc.Parameters<[T]>;

/** What every law accepts besides its own options: fast-check parameters, merged over {@link lawParams}. */
export interface LawOptions<T> {
  readonly params?: LawParameters<T>;
}

/** The result of a law: fast-check's run details (`failed`, `numRuns`, `counterexample`, `seed`, ...) and the law's name. */
export type LawResult<T> = fc.RunDetails<[T]> & { readonly law: string };

const env = (name: string): string | undefined => (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];

function envInt(name: string): number | undefined {
  const v = env(name);
  if (v === undefined || v.trim() === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new RangeError(`${name} must be an integer, got "${v}"`);
  return n;
}

/**
 * Run parameters for laws: `numRuns` from `TENFOLD_LAW_RUNS` (else `defaults.numRuns`, else
 * {@link DEFAULT_RUNS}), and `seed`/`path` from `TENFOLD_LAW_SEED`/`TENFOLD_LAW_PATH` when set.
 *
 * @example
 * ```ts
 * lawParams(); // { numRuns: 30 }, or what TENFOLD_LAW_RUNS / _SEED / _PATH say
 * ```
 */
export function lawParams(defaults: { readonly numRuns?: number } = {}): { numRuns: number; seed?: number; path?: string } {
  const runs = envInt("TENFOLD_LAW_RUNS");
  const numRuns = runs ?? defaults.numRuns ?? DEFAULT_RUNS;
  if (numRuns < 1) throw new RangeError(`law runs must be ≥ 1, got ${numRuns}`);
  const out: { numRuns: number; seed?: number; path?: string } = { numRuns };
  const seed = envInt("TENFOLD_LAW_SEED");
  if (seed !== undefined) out.seed = seed;
  const path = env("TENFOLD_LAW_PATH");
  if (path !== undefined && path !== "") out.path = path;
  return out;
}

/**
 * A test title carrying the run count: `lawTitle("add is commutative")` is `"add is commutative (30 runs)"`.
 *
 * @example
 * ```ts
 * lawTitle("add is commutative"); // "add is commutative (30 runs)"
 * ```
 */
export function lawTitle(name: string, defaults: { readonly numRuns?: number } = {}): string {
  return `${name} (${lawParams(defaults).numRuns} runs)`;
}

/**
 * The error a law throws from inside its property: its message says what was checked and what was seen.
 *
 * @example
 * ```ts
 * try {
 *   violated("the rows do not sum to 1");
 * } catch (e) {
 *   e instanceof LawViolation; // true
 * }
 * ```
 */
export class LawViolation extends Error {
  override readonly name = "LawViolation";
}

/**
 * Fails the current law with a readable message.
 *
 * @example
 * ```ts
 * assertLaw(law("positive", arbValue({ min: 1, max: 2 }), (v) => {
 *   if (!(v > 0)) violated(`${v} is not positive`);
 * }));
 * ```
 */
export function violated(message: string): never {
  throw new LawViolation(message);
}

/**
 * Runs a law: `check` throws (or returns false) when the law does not hold for a drawn value.
 * Parameters: `params` over {@link lawParams}.
 *
 * @example
 * ```ts
 * assertLaw(law("softmax rows sum to 1", arbTensor("B 5"), (x) => {
 *   assertClose(sum(softmax(x), { axis: 1 }), ones([x.shape[0]].join(" ")));
 * }));
 * ```
 */
export function law<T>(name: string, arb: fc.Arbitrary<T>, check: (x: T) => void | boolean, params?: LawParameters<T>): LawResult<T> {
  const prop = fc.property(arb, (x) => {
    const r = check(x);
    if (r === false) violated(`${name} does not hold`);
  });
  const details = fc.check(prop, { ...lawParams(), ...params });
  return Object.assign(details, { law: name });
}

/** Describes an error thrown while checking a law. */
function describeError(e: unknown): string {
  if (e instanceof LawViolation) return e.message;
  if (e instanceof Error) {
    const frame = e.stack?.split("\n").find((l) => l.trim().startsWith("at "));
    return `threw ${e.name}: ${e.message}${frame ? `\n  ${frame.trim()}` : ""}`;
  }
  return `threw ${String(e)}`;
}

/**
 * The readable report of a failed law (or null if it held).
 *
 * @example
 * ```ts
 * lawReport(preservesShape((x: Tensor<any>) => neg(x), arbTensor("N"))); // null: it passed
 * ```
 */
export function lawReport<T>(r: LawResult<T>): string | null {
  if (!r.failed) return null;
  const head = `Law "${r.law}"`;
  if (r.counterexample === null) {
    if (r.interrupted) return `${head} was interrupted after ${r.numRuns} runs.`;
    return `${head} could not run: ${r.numSkips} drawn values were skipped by preconditions (runs: ${r.numRuns}). Loosen the generator or the precondition.`;
  }
  const lines = [
    `${head} failed after ${r.numRuns} run${r.numRuns === 1 ? "" : "s"} (shrunk ${r.numShrinks} time${r.numShrinks === 1 ? "" : "s"}).`,
    `Counterexample:`,
    `  ${showTree(r.counterexample[0], "  ")}`,
    describeError(r.errorInstance),
    `Replay: TENFOLD_LAW_SEED=${r.seed} TENFOLD_LAW_PATH="${r.counterexamplePath}"`,
  ];
  return lines.join("\n");
}

/**
 * Throws an Error with the readable report if the law failed; returns the result otherwise (e.g. to read `numRuns`).
 *
 * @example
 * ```ts
 * const r = assertLaw(preservesShape((x: Tensor<any>) => neg(x), arbTensor("N"))); // throws a readable report on failure
 * r.numRuns; // 30 by default (TENFOLD_LAW_RUNS)
 * ```
 */
export function assertLaw<T>(r: LawResult<T>): LawResult<T> {
  const report = lawReport(r);
  if (report !== null) {
    const e = new Error(report);
    e.name = "LawFailure";
    throw e;
  }
  return r;
}

/** Tolerances of a closeness check: |a − b| ≤ atol + rtol · max(|a|, |b|). */
export interface Tolerance {
  readonly rtol?: number;
  readonly atol?: number;
}

/**
 * Default tolerances per dtype: float32 {1e−4, 1e−5}, float64 {1e−9, 1e−9}, exact for int32 and bool.
 *
 * @example
 * ```ts
 * defaultTolerance("float32"); // { rtol, atol } for float32 comparisons
 * ```
 */
export function defaultTolerance(dtype: DType | "number"): Required<Tolerance> {
  switch (dtype) {
    case "float32":
      return { rtol: 1e-4, atol: 1e-5 };
    case "float64":
    case "number":
      return { rtol: 1e-9, atol: 1e-9 };
    default:
      return { rtol: 0, atol: 0 };
  }
}

/**
 * Whether two numbers agree within a tolerance (NaN agrees with NaN, ±∞ with itself).
 *
 * @example
 * ```ts
 * close(1, 1 + 1e-9, 1e-6, 0); // true: |a − b| ≤ atol + rtol·max(|a|, |b|)
 * ```
 */
export function close(a: number, b: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= atol + rtol * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Asserts two trees agree: same leaf paths, same shapes, values within tolerance (per-dtype default).
 * Fails with a {@link LawViolation} naming the leaf, the index, both values and both tensors.
 *
 * @example
 * ```ts
 * assertClose(tensor([1, 2]), tensor([1, 2 + 1e-7])); // within float32's default tolerance
 * assertClose({ w: tensor([1]) }, { w: tensor([1]) }); // trees too
 * ```
 */
export function assertClose(actual: unknown, expected: unknown, tol: Tolerance = {}, labels: { actual?: string; expected?: string } = {}): void {
  const an = labels.actual ?? "actual";
  const en = labels.expected ?? "expected";
  const a = pathLeaves(actual);
  const e = pathLeaves(expected);
  const ap = a.map((l) => l.path).join(", ");
  const ep = e.map((l) => l.path).join(", ");
  if (ap !== ep) violated(`${an} and ${en} have different tree structures: {${ap}} vs {${ep}}`);
  for (let i = 0; i < a.length; i++) {
    const la = a[i]!.leaf;
    const le = e[i]!.leaf;
    const p = a[i]!.path;
    const sa = shapeOf(la);
    const se = shapeOf(le);
    if (sa.join(",") !== se.join(",")) violated(`${showPath(an, p)} has shape ${showShape(sa)} but ${showPath(en, p)} has shape ${showShape(se)}`);
    const va = valuesOf(la);
    const ve = valuesOf(le);
    const dt = isTensor(la) ? concreteOf(la).dtype : "number";
    const d = defaultTolerance(dt);
    const rtol = tol.rtol ?? d.rtol;
    const atol = tol.atol ?? d.atol;
    for (let k = 0; k < va.length; k++) {
      if (!close(va[k]!, ve[k]!, rtol, atol)) {
        const at = showIndex(k, sa);
        violated(
          `${showPath(an, p)}${at} = ${va[k]} but ${showPath(en, p)}${at} = ${ve[k]} ` +
            `(|diff| ${Math.abs(va[k]! - ve[k]!).toExponential(3)} > atol ${atol} + rtol ${rtol}·max)\n` +
            `  ${showPath(an, p)} = ${showTree(la, "  ")}\n  ${showPath(en, p)} = ${showTree(le, "  ")}`,
        );
      }
    }
  }
}
