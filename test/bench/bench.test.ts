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
});
