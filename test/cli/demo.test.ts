/**
 * The demo CLI end to end, as a child process: a short real run (JSON summary, SVG chart), a run on IDX
 * files given by `--data-dir`, bad flags and bad files (exit code 2, a one-line message, no stack trace),
 * a diverging run, output paths checked before training and late write failures reported after the
 * results, and a run checkpointed, stopped and resumed.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isLeft } from "fp-ts/lib/Either.js";
import { loadCheckpoint } from "../../src/data/checkpoint.js";
import { svgProblems } from "./svg.js";

const root = resolve(import.meta.dirname, "../..");
const tmp = mkdtempSync(join(tmpdir(), "tenfold-demo-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node --import tsx src/cli/demo.ts ...args` from the repository root. */
const demo = (...args: string[]): Promise<Result> =>
  new Promise((done) => {
    execFile(process.execPath, ["--import", "tsx", "src/cli/demo.ts", ...args], { cwd: root, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      done({ code, stdout, stderr });
    });
  });

const lastLine = (s: string): string => s.trimEnd().split("\n").at(-1) ?? "";

/** Writes an IDX file: big-endian header (type uint8, dims) then the bytes. */
function writeIdx(path: string, dims: number[], data: Uint8Array): void {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(0x08, 2);
  header.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  writeFileSync(path, Buffer.concat([header, data]));
}

// Example i has label i mod 10 and lights up rows 2c and 2c+1 of the image for its label c.
const labels = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 10);
const images = (n: number) => Uint8Array.from({ length: n * 784 }, (_, j) => (Math.floor((j % 784) / 56) === Math.floor(j / 784) % 10 ? 255 : 0));

/** A directory of the four IDX files with `train` and `test` examples. */
function idxDir(name: string, train: number, test: number): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeIdx(join(dir, "train-images-idx3-ubyte"), [train, 28, 28], images(train));
  writeIdx(join(dir, "train-labels-idx1-ubyte"), [train], labels(train));
  writeIdx(join(dir, "t10k-images-idx3-ubyte"), [test, 28, 28], images(test));
  writeIdx(join(dir, "t10k-labels-idx1-ubyte"), [test], labels(test));
  return dir;
}

/** The float32 bits of a demo checkpoint's parameters, leaf by leaf. */
function paramBits(file: string): number[][] {
  const tree = loadCheckpoint(file);
  if (isLeft(tree)) throw new Error(tree.left);
  const params = (tree.right as unknown as { state: { params: Record<string, { toFlat(): number[] }> } }).state.params;
  return Object.keys(params).sort().map((k) => Array.from(new Uint32Array(Float32Array.from(params[k]!.toFlat()).buffer)));
}

/** Expects a failure: this exit code, one line on stderr matching `message`, no stack trace. */
function expectOneLine(r: Result, code: number, message: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe("npm run demo", () => {
  it("trains one short epoch, prints the JSON summary last and writes an SVG chart", async () => {
    const chart = join(tmp, "nested", "chart.svg");
    const r = await demo("--limit", "2000", "--epochs", "1", "--json", "--no-progress", "--chart", chart);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const summary = JSON.parse(lastLine(r.stdout)) as Record<string, unknown>;
    expect(Object.keys(summary).sort()).toEqual(["epochs", "model", "secondsPerEpoch", "testAcc", "trainAcc", "trainLoss"]);
    expect(summary).toMatchObject({ model: "softmax", epochs: 1 });
    for (const k of ["trainLoss", "trainAcc", "testAcc", "secondsPerEpoch"]) expect(typeof summary[k]).toBe("number");
    expect(summary.testAcc as number).toBeGreaterThan(0.5); // 8 steps of softmax regression already beat chance by far
    expect(summary.trainLoss as number).toBeLessThan(Math.log(10));
    expect(r.stdout).toMatch(/^epoch 1\/1 {2}train loss \d\.\d{4} {2}train acc 0\.\d{3} {2}test acc 0\.\d{3}/m);
    expect(r.stdout).toContain(`chart: ${chart}`);
    const svg = readFileSync(chart, "utf8");
    expect(svgProblems(svg)).toEqual([]);
    expect(svg).toContain(">test acc</text>");
  });

  it("reads IDX files from --data-dir", async () => {
    const dir = idxDir("idx", 300, 50);
    const r = await demo("--data-dir", dir, "--epochs", "2", "--batch-size", "30", "--json", "--no-progress", "--chart", join(tmp, "idx.svg"));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Fashion-MNIST: 300 train \/ 50 test examples/);
    expect(JSON.parse(lastLine(r.stdout))).toMatchObject({ model: "softmax", epochs: 2 });
    expect(existsSync(join(tmp, "idx.svg"))).toBe(true);
  });

  it.each([
    [["--epochs", "0"], /^demo: invalid value "0" for --epochs: expected a positive integer/],
    [["--lr", "abc"], /^demo: invalid value "abc" for --lr: expected a positive number/],
    [["--model", "cnn"], /^demo: invalid value "cnn" for --model: expected one of softmax, mlp/],
    [["--frobnicate"], /^demo: unknown option '--frobnicate'/],
    [["--data-dir", "/no/such/dir"], /^demo: --data-dir: no such directory: \/no\/such\/dir\n$/],
    [["--data-dir", "."], /^demo: cannot load Fashion-MNIST: .*missing IDX files/],
  ])("exits with code 2 and one line on stderr for %j", async (args, message) => {
    const r = await demo(...args, "--no-progress", "--chart", join(tmp, "never.svg"));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a diverging run stops at the first non-finite loss with one line naming where, exit 1, no summary", async () => {
    const r = await demo("--model", "mlp", "--lr", "1e10", "--epochs", "3", "--limit", "600", "--json", "--no-progress", "--chart", join(tmp, "diverged.svg"));
    expectOneLine(r, 1, /^demo: training diverged: the loss is (NaN|-?Infinity) at epoch 1\/3, batch \d\/3 \(step \d\); try a smaller --lr \(now 10000000000\)\n$/);
    expect(r.stdout).not.toMatch(/^\{/m);
    expect(r.stdout).not.toMatch(/NaN/);
  });

  it.each([
    ["no training examples", () => idxDir("empty-train", 0, 50), /^demo: --data-dir .*empty-train: the training set has no examples\n$/],
    ["no test examples", () => idxDir("empty-test", 300, 0), /^demo: --data-dir .*empty-test: the test set has no examples\n$/],
    [
      "a truncated label file",
      () => {
        const dir = idxDir("truncated", 300, 50);
        writeFileSync(join(dir, "train-labels-idx1-ubyte"), readFileSync(join(dir, "train-labels-idx1-ubyte")).subarray(0, 100));
        return dir;
      },
      /^demo: cannot load Fashion-MNIST: .*truncated\/train-labels-idx1-ubyte: truncated payload/,
    ],
  ])("%s: exit 2, one line naming the data, nothing trained", { concurrent: true }, async (what, make, message) => {
    // A chart path of its own per case: the cases run at once, and each demo probes its chart path (creating
    // and removing the file) before loading, so a shared name could be seen mid-probe by another case.
    const chart = join(tmp, `never-${what.replace(/ /g, "-")}.svg`);
    const r = await demo("--data-dir", make(), "--epochs", "1", "--json", "--no-progress", "--chart", chart);
    expectOneLine(r, 2, message);
    expect(r.stdout).toBe("");
    expect(existsSync(chart)).toBe(false);
  });

  const pathsDir = idxDir("paths", 300, 50);
  it.each([
    [["--chart", "/proc/tenfold-chart.svg"], /^demo: --chart: cannot write \/proc\/tenfold-chart\.svg \(ENOENT: no such file or directory\)\n$/],
    // Creatable, but not its temporary file (a longer name): the first save, before training, finds it.
    [["--checkpoint", join(tmp, `${"k".repeat(250)}.ckpt`)], /^demo: --checkpoint: cannot write .*k{250}\.ckpt \(ENAMETOOLONG: name too long\)\n$/],
    [["--resume", "package.json"], /^demo: --resume: checkpoint package\.json: not a tenfold checkpoint/],
  ])("checks output and resume paths before training: %j exits 2 with one line", { concurrent: true }, async (args, message) => {
    const r = await demo("--data-dir", pathsDir, "--epochs", "1", "--no-progress", "--chart", join(tmp, "paths.svg"), ...args);
    expectOneLine(r, 2, message);
    expect(r.stdout).toBe("");
  });

  it("a write that fails after training prints the results first (the JSON summary too), then the error, exit 1", async () => {
    // /dev/full accepts the open and fails every write with ENOSPC.
    const r = await demo("--data-dir", idxDir("late", 300, 50), "--epochs", "2", "--batch-size", "30", "--json", "--no-progress", "--chart", "/dev/full");
    expectOneLine(r, 1, /^demo: --chart: cannot write \/dev\/full \(ENOSPC: no space left on device\)\n$/);
    expect(r.stdout).toMatch(/^epoch 2\/2 /m);
    expect(JSON.parse(lastLine(r.stdout))).toMatchObject({ model: "softmax", epochs: 2 });
  });

  it.skipIf(process.platform !== "linux" || !existsSync("/usr/bin/prlimit"))("a checkpoint that cannot be saved after an epoch stops the run: results and summary first, then the error, exit 1", async () => {
    const dir = idxDir("full", 300, 50);
    const args = ["src/cli/demo.ts", "--data-dir", dir, "--batch-size", "30", "--json", "--no-progress", "--chart", join(tmp, "full.svg")];
    const one = join(tmp, "one.ckpt");
    expect((await demo(...args.slice(1), "--epochs", "1", "--checkpoint", one)).code).toBe(0);
    // A file-size limit one byte under a 1-epoch checkpoint: the first save (no history yet) fits, the next does not.
    const limit = readFileSync(one).length - 1;
    const file = join(tmp, "full.ckpt");
    const r = await new Promise<Result>((done) =>
      execFile("sh", ["-c", `trap '' XFSZ; exec prlimit --fsize=${limit} "$0" --import tsx "$@"`, process.execPath, ...args, "--epochs", "3", "--checkpoint", file], { cwd: root, timeout: 60_000 }, (err, stdout, stderr) =>
        done({ code: err === null ? 0 : typeof err.code === "number" ? err.code : -1, stdout, stderr }),
      ),
    );
    expectOneLine(r, 1, /^demo: --checkpoint: cannot write .*full\.ckpt \(EFBIG: file too large\); stopped after epoch 1 \(the file still holds the state before epoch 1\)\n$/);
    expect(r.stdout).toMatch(/^epoch 1\/3 /m);
    expect(r.stdout).not.toMatch(/^epoch 2\/3 /m);
    expect(r.stdout).toContain(`chart: ${join(tmp, "full.svg")}`);
    expect(JSON.parse(lastLine(r.stdout))).toMatchObject({ model: "softmax", epochs: 1 });
    expect(readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    const saved = loadCheckpoint(file);
    if (isLeft(saved)) throw new Error(saved.left);
    expect((saved.right as unknown as { state: { position: { epoch: number } } }).state.position.epoch).toBe(0);
  }, 60_000);

  it("--checkpoint and --resume: 2 epochs, then 2 more from the file, equal the 4-epoch run bit for bit; a resume with other settings is refused", async () => {
    const dir = idxDir("resume", 300, 50);
    const common = ["--data-dir", dir, "--batch-size", "32", "--json", "--no-progress"];
    const [a, b, c] = ["a", "b", "c"].map((n) => join(tmp, `${n}.ckpt`));
    const first = await demo(...common, "--epochs", "2", "--checkpoint", a!, "--chart", join(tmp, "a.svg"));
    expect(first.stderr).toBe("");
    const whole = await demo(...common, "--epochs", "4", "--checkpoint", c!, "--chart", join(tmp, "c.svg"));
    const rest = await demo(...common, "--epochs", "4", "--resume", a!, "--checkpoint", b!, "--chart", join(tmp, "b.svg"));
    expect(rest.stderr).toBe("");
    expect(rest.code).toBe(0);
    expect(rest.stdout).toMatch(/^resuming .*a\.ckpt after epoch 2\nepoch 3\/4 /m);
    expect(rest.stdout).not.toMatch(/^epoch [12]\/4/m);
    expect(paramBits(b!)).toEqual(paramBits(c!));
    const summary = (r: Result) => ({ ...(JSON.parse(lastLine(r.stdout)) as Record<string, unknown>), secondsPerEpoch: 0 });
    expect(summary(rest)).toEqual(summary(whole));
    // The epoch lines are those of the whole run, timings aside; the chart covers all four epochs.
    const lines = (r: Result) => r.stdout.split("\n").filter((l) => l.startsWith("epoch ")).map((l) => l.replace(/\S+ s$/, ""));
    expect(lines(rest)).toEqual(lines(whole).slice(2));
    expect(readFileSync(join(tmp, "b.svg"), "utf8").match(/<circle/g)?.length).toBe(readFileSync(join(tmp, "c.svg"), "utf8").match(/<circle/g)?.length);
    expect(readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    const other = await demo(...common, "--epochs", "4", "--lr", "0.2", "--resume", a!, "--chart", join(tmp, "x.svg"));
    expectOneLine(other, 2, /^demo: --resume: cannot resume .*a\.ckpt: it was trained with --lr 0\.1, this run has --lr 0\.2\n$/);
    const done = await demo(...common, "--epochs", "2", "--resume", a!, "--chart", join(tmp, "x.svg"));
    expectOneLine(done, 2, /it has trained 2 epochs already; --epochs counts the whole run \(now 2\)/);
    const mlp = await demo(...common, "--epochs", "4", "--model", "mlp", "--batch-size", "32", "--resume", a!, "--chart", join(tmp, "x.svg"));
    expectOneLine(mlp, 2, /it was trained with --model softmax, this run has --model mlp/);
  }, 60_000);
});
