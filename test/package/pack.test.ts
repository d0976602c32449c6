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
 * If `npm pack` itself cannot run for environmental reasons (no npm, no permission, no disk, no network),
 * the tests are skipped with the reason; any other failure (build errors, a broken tarball, wrong types)
 * fails them.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
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
  const link = (name: string): void => {
    const from = join(root, "node_modules", name);
    if (!existsSync(from)) throw new Error(`dependency ${name} is declared but not installed in the repo`);
    const to = join(project, "node_modules", name);
    mkdirSync(dirname(to), { recursive: true });
    symlinkSync(from, to, "dir");
  };
  for (const dep of Object.keys(manifest.dependencies ?? {})) link(dep);
  link("@types/node");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2));
  packed = { dir: project, files: info[0]!.files.map((f) => f.path), manifest };
}, TIMEOUT);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

/** Writes a tsconfig for the given files (strict, as the repo's) and runs the repo's tsc on it. */
function typecheck(project: string, name: string, files: readonly string[], emit: boolean): { ok: boolean; out: string } {
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
      noEmit: !emit,
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
  }, TIMEOUT);

  it("type-checks a model that imports 'tenfold' and runs it with node", (ctx) => {
    if (packed === undefined) return ctx.skip(skipReason);
    writeFileSync(join(packed.dir, "model.ts"), MODEL);
    const checked = typecheck(packed.dir, "tsconfig.model.json", ["model.ts"], true);
    expect(checked.out).toBe("");
    expect(checked.ok).toBe(true);
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
      const t = target as { types?: string; import?: string };
      // ./testing is being written; until it is built it cannot be shipped.
      if (sub === "./testing" && !existsSync(join(root, "src", "testing", "index.ts"))) continue;
      expect(existsSync(join(packed.dir, "node_modules", "tenfold", t.import ?? "")), `${sub} → ${t.import}`).toBe(true);
      expect(existsSync(join(packed.dir, "node_modules", "tenfold", t.types ?? "")), `${sub} → ${t.types}`).toBe(true);
    }
  }, TIMEOUT);

  // The interim type-level shapes compute result shapes but report no mismatch; this check turns itself
  // on when src/shape/types.ts stops being the interim version.
  it.skipIf(interimShapes)("rejects a matmul of mismatched shapes at compile time, through the published .d.ts", (ctx) => {
    if (packed === undefined) return ctx.skip(skipReason);
    writeFileSync(
      join(packed.dir, "wrong.ts"),
      `import { matmul, zeros } from "tenfold";\nexport const bad = matmul(zeros("2 3"), zeros("4 5"));\n`,
    );
    const checked = typecheck(packed.dir, "tsconfig.wrong.json", ["wrong.ts"], false);
    expect(checked.ok).toBe(false);
    expect(checked.out).toMatch(/wrong\.ts\(2,/);
  }, TIMEOUT);
});
