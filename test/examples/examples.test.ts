/**
 * Smoke-runs every example as a child process (`tsx examples/x.ts` with TENFOLD_SMOKE=1: small data,
 * one epoch) and checks the numbers each one teaches. The examples run concurrently.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const tsx = join(root, "node_modules", ".bin", "tsx");
const run = promisify(execFile);

/** Runs an example in smoke mode and returns what it printed. */
async function example(name: string): Promise<string> {
  const { stdout } = await run(tsx, [join(root, "examples", `${name}.ts`)], {
    cwd: root,
    env: { ...process.env, TENFOLD_SMOKE: "1" },
    timeout: 60_000,
    maxBuffer: 1 << 24,
  });
  return stdout;
}

/** The numbers of a printed list `label [a, b, …]`. */
function numbersAfter(out: string, label: string): number[] {
  const line = out.split("\n").find((l) => l.startsWith(label));
  if (line === undefined) throw new Error(`no line starting with '${label}' in:\n${out}`);
  const list = line.slice(label.length).match(/\[([^\]]*)\]/);
  if (list === null) throw new Error(`no [list] after '${label}' in '${line}'`);
  return list[1]!.split(",").map((s) => Number(s.trim()));
}

/** The number after `label` on its line. */
function numberAfter(out: string, label: string): number {
  const i = out.indexOf(label);
  if (i < 0) throw new Error(`'${label}' not found in:\n${out}`);
  return Number.parseFloat(out.slice(i + label.length).trim());
}

describe.concurrent("examples (TENFOLD_SMOKE=1)", () => {
  it("readme: the gradient of the README", async () => {
    const out = await example("readme");
    expect(out).toContain("10.4000, 12.2000");
    expect(out).toContain("16.5000, 20.4000");
  });

  it("linear-regression: recovers w = [2, −3.4] and b = 4.2 within 0.01", async () => {
    const out = await example("linear-regression");
    const errW = numbersAfter(out, "error in estimating w:");
    expect(errW).toHaveLength(2);
    for (const e of errW) expect(Math.abs(e)).toBeLessThan(0.01);
    expect(Math.abs(numberAfter(out, "error in estimating b:"))).toBeLessThan(0.01);
    const losses = [...out.matchAll(/epoch \d+, loss ([\d.e-]+)/g)].map((m) => Number(m[1]));
    expect(losses).toHaveLength(3);
    expect(losses[2]!).toBeLessThan(1e-3);
  });

  it("entropy: bits, the pick, cross-entropy = nll ∘ log-softmax, stability", async () => {
    const out = await example("entropy");
    expect(numbersAfter(out, "entropy in bits (nn.entropy):")).toEqual([2, 1.3568, 0.0313]);
    expect(numbersAfter(out, "entropy in bits (by hand):")).toEqual([2, 1.3568, 0.0313]);
    expect(numbersAfter(out, "y_hat[range(2), y] =")).toEqual([0.1, 0.5]);
    expect(numbersAfter(out, "cross-entropy −log(ŷ[y]) =")).toEqual([2.3026, 0.6931]);
    expect(numbersAfter(out, "nllLoss(log ŷ, y)")).toEqual([2.3026, 0.6931]);
    const fused = numbersAfter(out, "crossEntropy(logits, y)");
    expect(numbersAfter(out, "nllLoss(logSoftmax(logits), y)")).toEqual(fused);
    expect(numbersAfter(out, "−log(softmax(logits)[range(2), y])")).toEqual(fused);
    expect(numbersAfter(out, "naive softmax of [1e4, 0, −1e4]:")[0]).toBeNaN();
    expect(numbersAfter(out, "softmax of [1e4, 0, −1e4]:")).toEqual([1, 0, 0]);
    expect(numbersAfter(out, "crossEntropy, label 1:")).toEqual([10000]);
  });

  it("softmax-from-scratch: the tutorial's demonstrations, then a learning epoch", async () => {
    const out = await example("softmax-from-scratch");
    expect(numbersAfter(out, "X.sum(0, keepdim=True) =")).toEqual([5, 7, 9]);
    expect(numbersAfter(out, "X.sum(1, keepdim=True) =")).toEqual([6, 15]);
    expect(numbersAfter(out, "its row sums:")).toEqual([1, 1]);
    expect(numbersAfter(out, "softmax of a random 2×5:").every((p) => p > 0 && p < 1)).toBe(true);
    expect(numbersAfter(out, "y_hat[[0, 1], y] =")).toEqual([0.1, 0.5]);
    expect(numbersAfter(out, "cross_entropy(y_hat, y) =")).toEqual([2.3026, 0.6931]);
    expect(numberAfter(out, "accuracy(y_hat, y) / len(y) =")).toBe(0.5);
    expect(numberAfter(out, "train loss")).toBeLessThan(Math.log(10));
    expect(numberAfter(out, "test acc")).toBeGreaterThan(0.25);
    expect(out.match(/^true: .+, predicted: .+$/gm)).toHaveLength(6);
  });

  it("softmax-concise: fit with nn.crossEntropy and optim.sgd learns in one small epoch", async () => {
    const out = await example("softmax-concise");
    expect(out).toContain("sequential(flatten, linear(784, 10)): W 784×10, b 10");
    expect(numberAfter(out, "train loss")).toBeLessThan(Math.log(10));
    expect(numberAfter(out, "test accuracy:")).toBeGreaterThan(0.25);
  });

  it("mlp-mnist: the hand-written MLP equals nn.mlp, and an epoch learns", async () => {
    const out = await example("mlp-mnist");
    expect(numberAfter(out, "max |by hand − nn.mlp| =")).toBe(0);
    const before = numberAfter(out, "before training: test loss");
    const after = numberAfter(out, "epoch 1: test loss");
    expect(after).toBeLessThan(before);
    const acc = out.match(/^epoch 1: test loss [\d.]+, test acc ([\d.]+)/m);
    expect(Number(acc?.[1])).toBeGreaterThan(0.25);
    expect(out.match(/^digit \d: /gm)).toHaveLength(10);
  });

  it("k-fold: five folds and their mean", async () => {
    const out = await example("k-fold");
    const folds = [...out.matchAll(/^fold (\d), train rmse ([\d.]+), valid rmse ([\d.]+)$/gm)];
    expect(folds.map((m) => Number(m[1]))).toEqual([1, 2, 3, 4, 5]);
    const valid = folds.map((m) => Number(m[3]));
    const mean = numberAfter(out, "avg valid rmse");
    expect(mean).toBeCloseTo(valid.reduce((a, b) => a + b, 0) / 5, 3);
    expect(Number.isFinite(mean)).toBe(true);
  });

  it("higher-order: Hessian, HVP = H·v, grad(grad(sin)) = −sin, per-example gradients", async () => {
    const out = await example("higher-order");
    expect(out).toContain("hessian(f)([1, 2, 3]) = [[3.0000, 1.0000, 1.0000], [1.0000, 5.0000, 1.0000], [1.0000, 1.0000, 7.0000]]");
    expect(numbersAfter(out, "jvp(grad(f), [x], [v]) =")).toEqual([2, 0, -6]);
    expect(numbersAfter(out, "matmul(hessian(f)(x), v) =")).toEqual([2, 0, -6]);
    expect(numbersAfter(out, "grad(grad(sin))(x)")).toEqual(numbersAfter(out, "−sin(x)"));
    expect(numbersAfter(out, "grad(grad(grad(sin)))")).toEqual(numbersAfter(out, "−cos(x)"));
    expect(numbersAfter(out, "mean of per-example ∂ℓ/∂w:")).toEqual(numbersAfter(out, "∂(mean ℓ)/∂w:"));
  });

  it.runIf(existsSync(join(root, "examples", "custom-law.ts")))("custom-law: the user's op passes its laws; a wrong rule is caught at x = 0", async () => {
    const out = await example("custom-law");
    const [good, wrong] = out.split("with the wrong rule");
    expect(wrong).toBeDefined();
    const runs = process.env.TENFOLD_LAW_RUNS || "30"; // TENFOLD_SMOKE=1: 30 per law, unless TENFOLD_LAW_RUNS says otherwise
    for (const name of [
      "logCosh(x) = log(cosh(x))", "logCosh is even", "preservesShape", "gradMatchesFiniteDifferences", "jvpVjpAdjoint", "jvpLinear",
      "finite for 20 ≤ |x| ≤ 1e30",
    ])
      expect(good).toContain(`law "${name}": passed (${runs} runs)`);
    expect(good).not.toMatch(/fail/i);
    // The wrong rule ẋ·(1 − tanh²(x)): forward and reverse mode still agree, finite differences do not.
    expect(wrong).toContain(`law "jvpVjpAdjoint": passed (${runs} runs)`);
    expect(wrong).toContain('Law "gradMatchesFiniteDifferences" failed after');
    expect(wrong).toContain("tensor([0.], shape=[1], dtype=float64)");
    expect(wrong).toContain("∂/∂x[0] of f: autodiff gives 1 but central differences give 0");
    expect(wrong).toMatch(/Replay: TENFOLD_LAW_SEED=-?\d+ TENFOLD_LAW_PATH="[\d:]+"/);
  });
});
