/**
 * The shape messages on every compiler users install: `expected-errors.ts` is compiled without its
 * `@ts-expect-error` directives by TypeScript 5.9, 6.0 and 7.0 (pinned dev dependencies `typescript`,
 * `typescript-6`, `typescript-7`), and each line after a directive must fail with a diagnostic that contains the
 * directive's message verbatim; no other line may fail. (`npm run typecheck` checks the directives themselves.)
 * The same project holds the examples (examples/*.ts), so one check per compiler also measures what checking the
 * examples, the fixture and the sources they import costs, against a budget (about 10% above today's figures;
 * examples alone: 5.9 69.5k instantiations before this budget's work, 58.2k after; 7.0 93.7k and 82.4k).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkStats, COMPILERS, expectations, parseDiagnostics, root, tsc } from "./tsc.js";

/** Instantiations of checking the fixture and the examples with the sources. */
// About 10 % above the figures of the merged library (5.9/6.0: 81.0k, 7.0: 110.1k instantiations).
const BUDGET: Record<(typeof COMPILERS)[number]["pkg"], number> = { typescript: 89_000, "typescript-6": 89_000, "typescript-7": 121_000 };

const work = mkdtempSync(join(tmpdir(), "tenfold-compilers-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A project in a temp dir checking `source` and the examples with the repository's compiler options. */
function project(name: string, source: string): string {
  const src = source.replaceAll('"../../src/index.js"', JSON.stringify(join(root, "src", "index.js")));
  writeFileSync(join(work, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(work, `${name}.ts`), src);
  writeFileSync(
    join(work, `${name}.tsconfig.json`),
    JSON.stringify({
      extends: join(root, "tsconfig.json"),
      compilerOptions: { noEmit: true, typeRoots: [join(root, "node_modules", "@types")] },
      include: [join(root, "examples")],
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

  describe.concurrent.each(COMPILERS)("$name", ({ name, pkg, version }) => {
    it("prints every message verbatim, nothing else fails, within budget", async () => {
      expect(await tsc(pkg, ["--version"], work)).toContain(`Version ${version}`);
      const out = await tsc(pkg, ["-p", config, "--pretty", "false", "--extendedDiagnostics"], work);
      const diags = parseDiagnostics(out);
      const unexpected = diags.filter((d) => !d.file.endsWith("unmasked.ts") || !expected.has(d.line));
      expect(unexpected.map((d) => `${d.file}:${d.line}: ${d.text}`)).toEqual([]);
      const missing = [...expected].filter(([line, msg]) => !diags.some((d) => d.line === line && d.text.includes(msg)));
      const shown = (line: number): string => diags.filter((d) => d.line === line).map((d) => d.text).join(" | ") || "(no error)";
      expect(missing.map(([line, msg]) => `line ${line}: expected "${msg}", got: ${shown(line)}`)).toEqual([]);
      const stats = checkStats(out);
      console.log(`${name} examples and expected errors: ${stats.instantiations} instantiations, ${stats.checkSeconds} s check`);
      expect(stats.instantiations).toBeLessThanOrEqual(BUDGET[pkg]);
    }, 300_000);
  });
});
