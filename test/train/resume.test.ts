/**
 * Resumable training across processes: k steps in one process, a checkpoint file, the rest in a fresh
 * process — bit-identical parameters to the uninterrupted run, for SGD with momentum, Adam and Adam with a
 * warm-up cosine schedule, stopped mid-epoch.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EPOCHS, OPTIMIZERS, paramBits, run } from "./resume-run.js";

const root = resolve(import.meta.dirname, "../..");
const tmp = mkdtempSync(join(tmpdir(), "tenfold-resume-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const child = (...args: string[]) => execFileSync(process.execPath, ["--import", "tsx", "test/train/resume-child.ts", ...args], { cwd: root, timeout: 60_000 });

describe("resuming a run in a fresh process", () => {
  it("k = 9 steps (epoch 1, batch 2), save, load elsewhere, continue: the uninterrupted run's parameters, bit for bit", () => {
    child("first", tmp, "9");
    child("rest", tmp);
    for (const [name, optimizer] of Object.entries(OPTIMIZERS)) {
      const whole = run(optimizer);
      const resumed = JSON.parse(readFileSync(join(tmp, `${name}.json`), "utf8")) as { step: number; position: unknown; bits: number[] };
      expect(resumed.step, name).toBe(7 * EPOCHS);
      expect(resumed.position, name).toEqual({ epoch: EPOCHS, batch: 0, dataKey: JSON.parse(JSON.stringify(whole.position!.dataKey)) });
      expect(resumed.bits, name).toEqual(paramBits(whole));
      // The check can fail: an interrupted run that restarted its epoch's data order would differ.
      expect(paramBits(run(optimizer, { ...run(optimizer, undefined, 9), position: { ...whole.position!, epoch: 1, batch: 0 } })), name).not.toEqual(paramBits(whole));
    }
  }, 60_000);
});
