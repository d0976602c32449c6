/**
 * The transcript matcher that checks what the examples print against what their comments say. The
 * examples themselves run, compiled against the packed tarball and in full, in test/package/pack.test.ts.
 */
import { describe, expect, it } from "vitest";
import { compileClaims, lineMismatch, transcriptOf, transcriptProblems } from "./transcript.js";

describe("transcriptOf", () => {
  it("takes comment runs right after code, and not prose comments or claims", () => {
    const src = [
      "// ## A heading", // prose: after a blank start
      "const x = 1;",
      "console.log(x);",
      "// 1",
      "//",
      "//   2",
      "",
      "// prose again",
      "f();",
      'g(); // trailing comments are code lines',
      '// matmul(x, y)  ← does not compile: "matmul: inner dimensions 3 and 4 differ"',
    ].join("\n");
    expect(transcriptOf(src)).toEqual([{ line: 4, lines: ["1", "", "  2"] }]);
    expect(compileClaims(src)).toEqual([{ line: 11, code: "matmul(x, y)", message: "matmul: inner dimensions 3 and 4 differ" }]);
  });
});

describe("lineMismatch", () => {
  it("accepts two units of the last printed digit, integers exactly", () => {
    expect(lineMismatch("loss 0.8371, n 200", "loss 0.8373, n 200")).toBeUndefined();
    expect(lineMismatch("loss 0.8371, n 200", "loss 0.8374, n 200")).toMatch(/0.8374 where 0.8371/);
    expect(lineMismatch("loss 0.8371, n 200", "loss 0.8371, n 201")).toMatch(/201 where 200/);
    expect(lineMismatch("x [-6.0000]", "x [-6.0001]")).toBeUndefined();
    expect(lineMismatch("diff 1.000e+0", "diff 1.001e+0")).toBeUndefined();
  });

  it("checks timings given as ranges one-sidedly (load only slows), and catches a stale order of magnitude", () => {
    expect(lineMismatch("epoch 1 (0.2–0.4 s)", "epoch 1 (2.7 s)")).toBeUndefined();
    expect(lineMismatch("epoch 1 (0.2–0.4 s)", "epoch 1 (0.07 s)")).toBeUndefined();
    expect(lineMismatch("epoch 1 (0.2–0.4 s)", "epoch 1 (9 s)")).toMatch(/far outside/);
    expect(lineMismatch("epoch 1 (3.8–4.4 s)", "epoch 1 (0.3 s)")).toMatch(/far outside the stated 3.8–4.4/);
  });

  it("compares the text exactly, with … as a wildcard", () => {
    expect(lineMismatch("acc 0.5", "accuracy 0.5")).toBe("the text differs");
    expect(lineMismatch("Replay: SEED=… PATH=\"…\"", 'Replay: SEED=-1697 PATH="0:0:1"')).toBeUndefined();
    expect(lineMismatch("[NaN, 0.0000]", "[0.0000, 0.0000]")).toBe("the text differs");
  });
});

describe("transcriptProblems", () => {
  const printed = ["a 1", "b 2", "c 3", "d 4", "e 5"].join("\n");
  it("finds blocks in order, each consecutive except across ...", () => {
    expect(transcriptProblems("x", [{ line: 1, lines: ["b 2", "c 3"] }, { line: 9, lines: ["d 4", "...", "e 5"] }], printed)).toEqual([]);
    expect(transcriptProblems("x", [{ line: 1, lines: ["a 1", "...", "e 5"] }], printed)).toEqual([]);
  });

  it("says which line differs, and how", () => {
    expect(transcriptProblems("x", [{ line: 3, lines: ["b 2", "c 4"] }], printed)).toEqual(['x:3: "b 2" — "c 4" — printed "c 3": 3 where 4 is written']);
    expect(transcriptProblems("x", [{ line: 3, lines: ["d 4"] }, { line: 5, lines: ["b 2"] }], printed)).toEqual([
      'x:5: "b 2" — no such line was printed',
    ]);
    expect(transcriptProblems("x", [{ line: 7, lines: ["c 9"] }], printed)).toEqual(['x:7: "c 9" — printed "c 3": 3 where 9 is written']);
  });
});
