/** Smoke test of the side-by-side benchmark: `npm run bench -- --quick` runs and prints well-formed rows. */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("bench --quick", () => {
  it("runs tenfold and jax-js side by side and prints one JSON object per row", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", "bench/run.ts", "--quick", "--json", "--peers", "tenfold,jaxjs"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 120_000,
    });
    const rows = out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const gemm = rows.find((r) => String(r.row).startsWith("matmul 200x784·784x200"));
    expect(gemm).toBeDefined();
    for (const key of ["row", "unit", "tenfold", "jaxjs", "tfjsWasm", "tfjsCpu", "ratio"]) expect(gemm).toHaveProperty(key);
    expect(gemm!.tenfold as number).toBeGreaterThan(1);
    expect(gemm!.jaxjs as number).toBeGreaterThan(0);
    expect(typeof gemm!.ratio).toBe("number");
    const acc = rows.find((r) => r.row === "softmax test acc");
    expect(acc!.tenfold as number).toBeGreaterThan(0.4);
  }, 150_000);

  it("measures memory in a fresh process: peak, resident memory after each epoch, growth", () => {
    const out = execFileSync(
      process.execPath,
      ["--import", "tsx", "bench/run.ts", "--child", "tenfold", "--memory-run", "--memory-epochs", "2"],
      { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 120_000 },
    );
    const rows = out.trim().split("\n").map((l) => JSON.parse(l) as { row: string; value: number; unit: string });
    const value = (row: string): number | undefined => rows.find((r) => r.row === row)?.value;
    const peak = value("mlp 2-epoch peak RSS")!;
    const after = [value("mlp 2-epoch RSS after epoch 1")!, value("mlp 2-epoch RSS after epoch 2")!];
    // The data alone is 210 MB of float32; the peak is at least every sampled value.
    expect(peak).toBeGreaterThan(210);
    for (const r of after) expect(r).toBeLessThanOrEqual(peak);
    expect(value("mlp 2-epoch RSS growth after epoch 1")).toBeCloseTo((100 * after[1]!) / after[0]! - 100, 0);
    expect(value("mlp 2-epoch test acc")).toBeGreaterThan(0.7);
  }, 150_000);
});
