/**
 * A persistent helper thread for the GEMM: one `worker_threads` worker sharing the main thread's
 * `WebAssembly.Memory`. The caller stays synchronous: it writes a job into a shared control block,
 * `Atomics.notify`s, computes its own share, then spins (and eventually `Atomics.wait`s) for the worker.
 *
 * The worker is created from a code string (`eval: true`) so the same code loads from TypeScript sources
 * (vitest, tsx) and from compiled `dist/`. It is `unref()`ed, so it never keeps the process alive, and it
 * only takes jobs once it has reported ready: until then the caller simply computes everything itself.
 */
import { Worker, MessageChannel } from "node:worker_threads";
import type { WasmMemory, WasmModule } from "./wasm/api.js";

// Control block slots (Int32Array over a SharedArrayBuffer).
const SEQ = 0; // job counter, bumped by the caller to start a job
const DONE = 1; // last job counter the worker finished
const READY = 2; // 1 once the worker is waiting for jobs
const ERR = 3; // 1 if the last job threw in the worker
const ID = 4; // module id of the job
const ARGS = 5; // five i32 arguments of `run`
const SLOTS = 16;

// How long each side spins before blocking: jobs arrive in quick succession during training, and a
// futex wake-up costs tens of microseconds, a sizeable share of a sub-millisecond GEMM.
const WORKER_SPIN = 1 << 17;
const CALLER_SPIN = 1 << 22;

const WORKER_SOURCE = `
"use strict";
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const { memory, control, port, spin } = workerData;
const ctrl = new Int32Array(control);
const instances = new Map();
const drain = () => {
  for (let msg = receiveMessageOnPort(port); msg !== undefined; msg = receiveMessageOnPort(port)) {
    const m = msg.message;
    if (m.drop !== undefined) instances.delete(m.drop);
    else instances.set(m.id, new WebAssembly.Instance(m.module, { env: { memory } }).exports.run);
  }
};
Atomics.store(ctrl, ${READY}, 1);
let seen = Atomics.load(ctrl, ${SEQ});
for (;;) {
  let seq = Atomics.load(ctrl, ${SEQ});
  for (let i = 0; seq === seen && i < spin; i++) seq = Atomics.load(ctrl, ${SEQ});
  if (seq === seen) { Atomics.wait(ctrl, ${SEQ}, seen, 1000); continue; }
  seen = seq;
  let err = 0;
  try {
    drain();
    const id = ctrl[${ID}];
    let run = instances.get(id);
    // The module is posted before the job is signalled, so it is already queued on the port.
    for (let tries = 0; run === undefined && tries < 1e7; tries++) { drain(); run = instances.get(id); }
    if (run === undefined) throw new Error("module not received");
    run(ctrl[${ARGS}], ctrl[${ARGS + 1}], ctrl[${ARGS + 2}], ctrl[${ARGS + 3}], ctrl[${ARGS + 4}]);
  } catch (e) { err = 1; }
  Atomics.store(ctrl, ${ERR}, err);
  Atomics.store(ctrl, ${DONE}, seq);
  Atomics.notify(ctrl, ${DONE});
}
`;

/** A running helper thread. */
export interface Pool {
  /** True once the worker takes jobs. */
  ready(): boolean;
  /** Makes `module` (compiled with the pool's memory) available to the worker under `id`. */
  share(id: number, module: WasmModule): void;
  /** Lets the worker forget module `id`. */
  drop(id: number): void;
  /** Starts `run(...args)` of module `id` on the worker; returns at once. */
  start(id: number, args: readonly [number, number, number, number, number]): void;
  /** Blocks until the started job is finished; returns false if it failed in the worker. */
  join(): boolean;
}

/** Starts a helper thread on `memory`, or returns undefined if workers are unavailable here. */
export function createPool(memory: WasmMemory): Pool | undefined {
  const control = new SharedArrayBuffer(SLOTS * 4);
  const ctrl = new Int32Array(control);
  let dead = false;
  let seq = 0;
  let channel: MessageChannel;
  let worker: Worker;
  try {
    channel = new MessageChannel();
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { memory, control, port: channel.port2, spin: WORKER_SPIN },
      transferList: [channel.port2],
    });
  } catch {
    return undefined;
  }
  worker.unref();
  channel.port1.unref();
  const die = (): void => {
    dead = true;
  };
  worker.on("error", die);
  worker.on("exit", die);
  return {
    ready: () => !dead && Atomics.load(ctrl, READY) === 1,
    share: (id, module) => channel.port1.postMessage({ id, module }),
    drop: (id) => {
      if (!dead) channel.port1.postMessage({ drop: id });
    },
    start: (id, args) => {
      ctrl[ID] = id;
      for (let i = 0; i < 5; i++) ctrl[ARGS + i] = args[i]!;
      seq = (seq + 1) | 0;
      Atomics.store(ctrl, SEQ, seq);
      Atomics.notify(ctrl, SEQ);
    },
    join: () => {
      for (let i = 0; i < CALLER_SPIN; i++) if (Atomics.load(ctrl, DONE) === seq) return Atomics.load(ctrl, ERR) === 0;
      // Slow path: block in short slices; give up (and stop using the worker) if it seems to be gone.
      for (let waited = 0; Atomics.load(ctrl, DONE) !== seq; waited += 10) {
        if (waited > 30_000) {
          dead = true;
          return false;
        }
        Atomics.wait(ctrl, DONE, Atomics.load(ctrl, DONE), 10);
      }
      return Atomics.load(ctrl, ERR) === 0;
    },
  };
}
