/** Child process for the pool test: uses the threaded GEMM, then must exit on its own. */
import { gemmF32Mode, warmupBackend } from "../../src/backend/gemm.js";

const ready = await warmupBackend();
const a = new Float32Array(200 * 784).fill(1);
const b = new Float32Array(784 * 200).fill(1);
const out = gemmF32Mode("wasm", a, b, 200, 784, 200);
console.log("ok", ready && out[0] === 784 && out[out.length - 1] === 784);
