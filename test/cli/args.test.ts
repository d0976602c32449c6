import { describe, expect, it } from "vitest";
import { parseDemoArgs } from "../../src/cli/args.js";

const run = (...argv: string[]) => {
  const r = parseDemoArgs(argv);
  if (r.kind !== "run") throw new Error(`expected a run, got ${JSON.stringify(r)}`);
  return r.config;
};
const error = (...argv: string[]): string => {
  const r = parseDemoArgs(argv);
  if (r.kind !== "error") throw new Error(`expected an error, got ${JSON.stringify(r)}`);
  return r.message;
};

describe("demo flags", () => {
  it("defaults to d2l's softmax regression", () => {
    expect(run()).toEqual({ model: "softmax", epochs: 10, batchSize: 256, lr: 0.1, seed: 0, json: false, progress: true, chart: "out/fashion-mnist-softmax.svg" });
  });
  it("uses the MLP's defaults unless given", () => {
    expect(run("--model", "mlp")).toMatchObject({ model: "mlp", batchSize: 200, lr: 0.1, chart: "out/fashion-mnist-mlp.svg" });
    expect(run("--model", "mlp", "--batch-size", "64", "--lr", "5e-2")).toMatchObject({ batchSize: 64, lr: 0.05 });
  });
  it("decodes every flag", () => {
    expect(
      run("--epochs", "3", "--seed", "7", "--limit", "2000", "--data-dir", "d", "--chart", "c.svg", "--json", "--no-progress"),
    ).toEqual({ model: "softmax", epochs: 3, batchSize: 256, lr: 0.1, seed: 7, limit: 2000, dataDir: "d", json: true, progress: false, chart: "c.svg" });
    expect(run("--lr=.5").lr).toBe(0.5);
    expect(run("--checkpoint", "run.ckpt", "--resume", "old.ckpt")).toMatchObject({ checkpoint: "run.ckpt", resume: "old.ckpt" });
    expect(error("--checkpoint", " ")).toBe('invalid value " " for --checkpoint: expected a non-empty path');
    expect(error("--resume")).toMatch(/argument missing/);
  });
  it("rejects bad values with a one-line message naming the flag", () => {
    expect(error("--epochs", "0")).toBe('invalid value "0" for --epochs: expected a positive integer');
    expect(error("--lr", "abc")).toBe('invalid value "abc" for --lr: expected a positive number');
    expect(error("--model", "cnn")).toBe('invalid value "cnn" for --model: expected one of softmax, mlp');
    expect(error("--batch-size", "2.5")).toMatch(/--batch-size: expected a positive integer/);
    expect(error("--lr", "0")).toMatch(/--lr: expected a positive number/);
    expect(error("--lr", "Infinity")).toMatch(/--lr/);
    expect(error("--seed", "1.5")).toMatch(/--seed: expected an integer/);
    expect(run("--seed", "-3").seed).toBe(-3);
    expect(error("--limit", "")).toMatch(/--limit/);
    expect(error("--bogus")).toBe("unknown option '--bogus'");
    expect(error("--epochs")).toMatch(/argument missing/);
    expect(error("stray")).toMatch(/too many arguments/);
  });
  it("prints help and exits 0", () => {
    const r = parseDemoArgs(["--help"]);
    expect(r.kind).toBe("exit");
    if (r.kind === "exit") expect(r.output).toMatch(/--model <name>[\s\S]*--checkpoint <file>[\s\S]*--resume <file>[\s\S]*--no-progress/);
  });
});
