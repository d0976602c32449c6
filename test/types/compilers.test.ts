/**
 * The shape messages on every compiler users install: `expected-errors.ts` is compiled without its
 * `@ts-expect-error` directives by TypeScript 5.9, 6.0 and 7.0 (pinned dev dependencies `typescript`,
 * `typescript-6`, `typescript-7`), and each line after a directive must fail with a diagnostic that contains the
 * directive's message verbatim; no other line may fail. (`npm run typecheck` checks the directives themselves.)
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
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

const work = mkdtempSync(join(tmpdir(), "tenfold-compilers-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A project in a temp dir checking `source` with the repository's compiler options. */
function project(name: string, source: string): string {
  const src = source.replaceAll('"../../src/index.js"', JSON.stringify(join(root, "src", "index.js")));
  writeFileSync(join(work, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(work, `${name}.ts`), src);
  writeFileSync(
    join(work, `${name}.tsconfig.json`),
    JSON.stringify({
      extends: join(root, "tsconfig.json"),
      compilerOptions: { noEmit: true, typeRoots: [join(root, "node_modules", "@types")] },
      include: [],
      files: [`${name}.ts`],
    }),
  );
  return `${name}.tsconfig.json`;
}

describe("expected-errors.ts", () => {
  const fixture = readFileSync(join(import.meta.dirname, "expected-errors.ts"), "utf8");
  const expected = expectations(fixture);
  const config = project("unmasked", fixture.replaceAll("// @ts-expect-error ", "// expected: "));

  it("has expectations to check", () => {
    expect(expected.size).toBeGreaterThanOrEqual(40);
  });

  describe.concurrent.each(COMPILERS)("$name", ({ pkg, version }) => {
    it("prints every message verbatim, and nothing else fails", async () => {
      expect(await tsc(pkg, ["--version"], work)).toContain(`Version ${version}`);
      const diags = parseDiagnostics(await tsc(pkg, ["-p", config, "--pretty", "false"], work));
      const unexpected = diags.filter((d) => !d.file.endsWith("unmasked.ts") || !expected.has(d.line));
      expect(unexpected.map((d) => `${d.file}:${d.line}: ${d.text}`)).toEqual([]);
      const missing = [...expected].filter(([line, msg]) => !diags.some((d) => d.line === line && d.text.includes(msg)));
      const shown = (line: number): string => diags.filter((d) => d.line === line).map((d) => d.text).join(" | ") || "(no error)";
      expect(missing.map(([line, msg]) => `line ${line}: expected "${msg}", got: ${shown(line)}`)).toEqual([]);
    });
  });
});
