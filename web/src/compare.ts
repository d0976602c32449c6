/**
 * The same softmax regression trained by jax-js in the same browser, for the speed comparison
 * (`?compare=jaxjs`): the benchmark's own jax-js runner (bench/peers/jaxjs.ts, a jit-compiled SGD step
 * on jax-js's wasm device, which uses its worker pool where the page is isolated), on the same data.
 * Loaded only with that parameter, in a chunk of its own.
 */
import { JaxJsRunner } from "../../bench/peers/jaxjs.js";
import { loadFashionMnistArrays } from "./data.js";

/** Seconds per epoch and the final test accuracy of jax-js's run. */
export interface JaxJsResult {
  readonly secondsPerEpoch: readonly number[];
  readonly testAcc: number;
}

/** Trains `epochs` epochs of softmax regression (batches of 256, learning rate 0.1) with jax-js. */
export async function trainJaxJs(epochs: number): Promise<JaxJsResult> {
  // The runner reports its process's memory (Node); a page has no process: report none.
  const g = globalThis as { process?: unknown };
  g.process ??= { memoryUsage: () => ({ rss: 0 }), resourceUsage: () => ({ maxRSS: 0 }) };
  const runner = new JaxJsRunner();
  await runner.init();
  const data = await loadFashionMnistArrays();
  const r = await runner.trainEpochs("softmax", data, { epochs, batchSize: 256, lr: 0.1, seed: 0 });
  return { secondsPerEpoch: r.secondsPerEpoch, testAcc: r.testAcc };
}
