/** Running the three TypeScript compilers (pinned dev dependencies) on fixture projects, and reading what they print. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

export const root = join(import.meta.dirname, "..", "..");
const run = promisify(execFile);

/** The three compilers, by package directory. */
export const COMPILERS = [
  { name: "TypeScript 5.9", pkg: "typescript", version: "5.9." },
  { name: "TypeScript 6.0", pkg: "typescript-6", version: "6.0." },
  { name: "TypeScript 7.0", pkg: "typescript-7", version: "7.0." },
] as const;

/** One diagnostic: its 1-based line and its whole text (the message chain joined). */
export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** Parses `tsc --pretty false` output: `file(line,col): error TSn: message` and its indented continuation lines. */
export function parseDiagnostics(out: string): Diagnostic[] {
  const diags: { file: string; line: number; text: string }[] = [];
  for (const l of out.split("\n")) {
    const m = /^(.+?)\((\d+),\d+\): error (TS\d+: .*)$/.exec(l);
    if (m !== null) diags.push({ file: m[1]!, line: Number(m[2]), text: m[3]! });
    else if (/^\s/.test(l) && diags.length > 0) diags[diags.length - 1]!.text += `\n${l.trim()}`;
  }
  return diags;
}

/** Runs one compiler's `tsc` on a project; resolves with its output whether or not it reported errors. */
export async function tsc(pkg: string, args: readonly string[], cwd: string): Promise<string> {
  const bin = join(root, "node_modules", pkg, "bin", "tsc");
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd, maxBuffer: 1 << 26, timeout: 240_000 });
    return stdout + stderr;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; code?: unknown; killed?: boolean };
    if (err.killed === true || typeof err.code !== "number") throw e;
    return (err.stdout ?? "") + (err.stderr ?? "");
  }
}

/** The expectations of a fixture: line of the failing code (1-based) → message. */
export function expectations(source: string): Map<number, string> {
  const out = new Map<number, string>();
  source.split("\n").forEach((l, i) => {
    const m = /^\s*\/\/ @ts-expect-error (.+)$/.exec(l);
    if (m !== null) out.set(i + 2, m[1]!.trim());
  });
  return out;
}

/** `--extendedDiagnostics` figures: instantiations and check time in seconds. */
export interface CheckStats {
  readonly instantiations: number;
  readonly checkSeconds: number;
}

/** Reads `Instantiations:` and `Check time:` from `tsc --extendedDiagnostics` output (both compilers' formats). */
export function checkStats(out: string): CheckStats {
  const inst = /^Instantiations:\s+(\d+)/m.exec(out);
  const time = /^Check time:\s+([\d.]+)s/m.exec(out);
  if (inst === null || time === null) throw new Error(`no --extendedDiagnostics figures in:\n${out.slice(0, 2000)}`);
  return { instantiations: Number(inst[1]), checkSeconds: Number(time[1]) };
}
