/**
 * A child process of test/train/resume.test.ts. `first DIR K`: trains each optimizer's run for K steps and
 * saves the state to DIR/<name>.ckpt. `rest DIR`: loads each of them in this fresh process, trains to the
 * end and writes the final parameters' bits to DIR/<name>.json.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { isLeft } from "fp-ts/lib/Either.js";
import { loadTrainState, saveTrainState } from "../../src/train/checkpoint.js";
import { OPTIMIZERS, like, paramBits, run } from "./resume-run.js";

const [mode, dir, k] = process.argv.slice(2);
for (const [name, optimizer] of Object.entries(OPTIMIZERS)) {
  const file = join(dir!, `${name}.ckpt`);
  if (mode === "first") saveTrainState(file, run(optimizer, undefined, Number(k)));
  else {
    const loaded = loadTrainState(file, like(optimizer));
    if (isLeft(loaded)) throw new Error(loaded.left);
    const final = run(optimizer, loaded.right.state);
    writeFileSync(join(dir!, `${name}.json`), JSON.stringify({ step: final.step, position: final.position, bits: paramBits(final) }));
  }
}
