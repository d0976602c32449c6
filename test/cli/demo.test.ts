/**
 * The demo CLI end to end, as a child process: a short real run (JSON summary, SVG chart), a run on IDX
 * files given by `--data-dir`, and bad flags (exit code 2, a one-line message, no stack trace).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
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
    const dir = join(tmp, "idx");
    mkdirSync(dir, { recursive: true });
    // Example i has label i mod 10 and lights up rows 2c and 2c+1 of the image for its label c.
    const labels = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 10);
    const images = (n: number) => Uint8Array.from({ length: n * 784 }, (_, j) => (Math.floor((j % 784) / 56) === Math.floor(j / 784) % 10 ? 255 : 0));
    writeIdx(join(dir, "train-images-idx3-ubyte"), [300, 28, 28], images(300));
    writeIdx(join(dir, "train-labels-idx1-ubyte"), [300], labels(300));
    writeIdx(join(dir, "t10k-images-idx3-ubyte"), [50, 28, 28], images(50));
    writeIdx(join(dir, "t10k-labels-idx1-ubyte"), [50], labels(50));
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
});
