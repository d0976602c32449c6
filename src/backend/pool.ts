/**
 * A persistent helper thread for the GEMM sharing the main thread's `WebAssembly.Memory`: a
 * `worker_threads` worker in Node, a Web Worker elsewhere (a cross-origin isolated page). The caller
 * stays synchronous: it writes a job into a shared control block, `Atomics.notify`s, computes its own
 * share, then spins (and, where the thread may block, eventually `Atomics.wait`s) for the worker. A
 * browser's main thread never blocks: it spins, and only ever waits for a chunk the worker has claimed.
 *
 * The worker starts from source text (`eval: true` in Node, a Blob URL in a browser) so the same code
 * loads from TypeScript sources (vitest, tsx), from compiled `dist/` and from a bundle. In Node it is
 * `unref()`ed, so it never keeps the process alive; it only takes jobs once it has reported ready:
 * until then the caller simply computes everything itself.
 */
import type { WasmMemory, WasmModule } from "./wasm/api.js";
import { wayChooser, type WayChooser } from "./adapt.js";
import { canBlock, nodeWorkerThreads, startWebWorker } from "./host.js";

// Control block slots (Int32Array over a SharedArrayBuffer).
const SEQ = 0; // job counter, bumped by the caller to start a job
const NEXT = 1; // (job tag << 16) | next unclaimed chunk; index CLOSED once the caller has joined
const FINISHED = 2; // chunks completed (by either thread)
const READY = 3; // 1 once the worker is waiting for jobs
const ERR = 4; // 1 + index of a chunk that threw in the worker, or 0
const PARAMS = 5; // module id, rows?, chunk size, m, n, flags, chunk count
const SLOTS = 16;
const CLOSED = 0xffff;

// How long each side spins before blocking: jobs arrive in quick succession during training, and a
// futex wake-up costs tens of microseconds, a sizeable share of a sub-millisecond GEMM. The worker spins
// only some tens of microseconds (the gaps between a step's products) and then blocks, so that during
// the main thread's longer JavaScript phases V8's background threads (optimizing compiler, GC) get a
// core: spinning for milliseconds kept both cores busy and starved them, and the first epoch of an MLP
// run took 1.63 s instead of 1.49 (means of 4 runs; later epochs 1.20 and 1.19).
const WORKER_SPIN = 1 << 14;
const CALLER_SPIN = 1 << 24;

/**
 * Claims the next chunk of job `tag`, or returns -1 when none is left. Chunks are handed out one at a
 * time so a worker that is descheduled (busy machine) costs at most one chunk of waiting.
 */
function claim(ctrl: Int32Array, tag: number, chunks: number): number {
  for (;;) {
    const v = Atomics.load(ctrl, NEXT);
    if (v >>> 16 !== tag || (v & 0xffff) >= chunks) return -1;
    if (Atomics.compareExchange(ctrl, NEXT, v, v + 1) === v) return v & 0xffff;
  }
}

/** Bounds `[i0, i1, j0, j1]` of chunk `c`: a band of rows or of columns. */
function chunkBounds(rows: boolean, size: number, m: number, n: number, c: number): [number, number, number, number] {
  return rows ? [c * size, Math.min(m, (c + 1) * size), 0, n] : [0, m, c * size, Math.min(n, (c + 1) * size)];
}

// The worker's loop, shared by both hosts. \`take(id)\` returns module \`id\`'s entry point, or undefined
// if it has not arrived (Node drains its port synchronously; a Web Worker must return to its event loop
// to receive messages, so there the loop ends and is re-entered once the module has arrived).
const WORKER_LOOP = `
// Same as \`claim\` and \`chunkBounds\` above (the bounds inlined); spelled out because a function's
// source text is not reliable once tooling (coverage, bundlers) has rewritten it.
const claim = (ctrl, tag, chunks) => {
  for (;;) {
    const v = Atomics.load(ctrl, ${NEXT});
    if (v >>> 16 !== tag || (v & 0xffff) >= chunks) return -1;
    if (Atomics.compareExchange(ctrl, ${NEXT}, v, v + 1) === v) return v & 0xffff;
  }
};
// Serves jobs until one needs a module \`take\` cannot give yet; returns then.
const serve = (ctrl, spin, take, state) => {
  for (;;) {
    let seq = Atomics.load(ctrl, ${SEQ});
    for (let i = 0; seq === state.seen && i < spin; i++) seq = Atomics.load(ctrl, ${SEQ});
    if (seq === state.seen) { Atomics.wait(ctrl, ${SEQ}, state.seen, 1000); continue; }
    state.seen = seq;
    const tag = seq & 0x7fff;
    const p = (i) => Atomics.load(ctrl, ${PARAMS} + i);
    const id = p(0), rows = p(1) === 1, size = p(2), m = p(3), n = p(4), flags = p(5), chunks = p(6);
    let run;
    try { run = take(id); } catch (e) { run = undefined; }
    if (run === undefined) return; // leave every chunk of this job to the caller
    for (let c = claim(ctrl, tag, chunks); c >= 0; c = claim(ctrl, tag, chunks)) {
      try { if (rows) run(c * size, Math.min(m, (c + 1) * size), 0, n, flags); else run(0, m, c * size, Math.min(n, (c + 1) * size), flags); } catch (e) { Atomics.store(ctrl, ${ERR}, c + 1); Atomics.add(ctrl, ${FINISHED}, 1); break; }
      Atomics.add(ctrl, ${FINISHED}, 1);
    }
  }
};
`;

const NODE_WORKER_SOURCE = `
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
${WORKER_LOOP}
// The module is posted before the job is signalled, so it is already queued on the port.
const take = (id) => {
  let run = instances.get(id);
  for (let tries = 0; run === undefined && tries < 1e6; tries++) { drain(); run = instances.get(id); }
  return run;
};
Atomics.store(ctrl, ${READY}, 1);
const state = { seen: Atomics.load(ctrl, ${SEQ}) };
for (;;) serve(ctrl, spin, take, state);
`;

const WEB_WORKER_SOURCE = `
"use strict";
${WORKER_LOOP}
let memory, ctrl, spin, state, serving = false;
const instances = new Map();
const enter = () => {
  if (serving || ctrl === undefined) return;
  serving = true;
  try { serve(ctrl, spin, (id) => instances.get(id), state); } finally { serving = false; }
  // A job needed a module still in the message queue: receive it, then serve again.
  setTimeout(enter, 0);
};
onmessage = (e) => {
  const m = e.data;
  if (m.init === true) {
    ({ memory, spin } = m);
    ctrl = new Int32Array(m.control);
    state = { seen: Atomics.load(ctrl, ${SEQ}) };
    Atomics.store(ctrl, ${READY}, 1);
  } else if (m.drop !== undefined) instances.delete(m.drop);
  else instances.set(m.id, new WebAssembly.Instance(m.module, { env: { memory } }).exports.run);
  enter();
};
`;

/** A job for the pool: `run` over `chunks` bands of `size` rows (or columns) of an m×n output. */
export interface PoolJob {
  readonly id: number;
  readonly rows: boolean;
  readonly size: number;
  readonly m: number;
  readonly n: number;
  readonly flags: number;
  readonly chunks: number;
}

/** A running helper thread. */
export interface Pool {
  /** True once the worker takes jobs. */
  ready(): boolean;
  /** Makes `module` (compiled with the pool's memory) available to the worker under `id`. */
  share(id: number, module: WasmModule): void;
  /** Lets the worker forget module `id`. */
  drop(id: number): void;
  /**
   * Runs `job` on both threads, the caller's share through `run`, or all of it on the caller's thread
   * where that has been faster for jobs of this id (see `adapt.ts`); returns when every chunk is done,
   * false if that could not be ensured (the caller should then recompute everything itself).
   */
  execute(job: PoolJob, run: (i0: number, i1: number, j0: number, j1: number, flags: number) => void): boolean;
}

/** How the caller talks to its worker: posting modules, and learning that the worker has died. */
interface Channel {
  post(message: unknown): void;
}

/** Starts the `worker_threads` worker (Node). */
function startNodeWorker(memory: WasmMemory, control: SharedArrayBuffer, die: () => void): Channel | undefined {
  const wt = nodeWorkerThreads();
  if (wt === undefined) return undefined;
  const channel = new wt.MessageChannel();
  const worker = new wt.Worker(NODE_WORKER_SOURCE, {
    eval: true,
    workerData: { memory, control, port: channel.port2, spin: WORKER_SPIN },
    transferList: [channel.port2],
  });
  worker.unref();
  channel.port1.unref();
  worker.on("error", die);
  worker.on("exit", die);
  return { post: (m) => channel.port1.postMessage(m) };
}

/** Starts the Web Worker (browsers, Deno, Bun); posting the shared memory fails where the page is not isolated. */
function startWebPoolWorker(memory: WasmMemory, control: SharedArrayBuffer, die: () => void): Channel | undefined {
  const worker = startWebWorker(WEB_WORKER_SOURCE, "tenfold-gemm");
  if (worker === undefined) return undefined;
  worker.onerror = die;
  worker.postMessage({ init: true, memory, control, spin: WORKER_SPIN });
  return { post: (m) => worker.postMessage(m) };
}

/** Starts a helper thread on `memory`, or returns undefined if workers are unavailable here. */
export function createPool(memory: WasmMemory): Pool | undefined {
  const control = new SharedArrayBuffer(SLOTS * 4);
  const ctrl = new Int32Array(control);
  let dead = false;
  let seq = 0;
  // Per job id (one GEMM plan): whether sharing has been paying off.
  const choosers = new Map<number, WayChooser>();
  const die = (): void => {
    dead = true;
  };
  let channel: Channel | undefined;
  try {
    channel = nodeWorkerThreads() !== undefined ? startNodeWorker(memory, control, die) : startWebPoolWorker(memory, control, die);
  } catch {
    return undefined;
  }
  if (channel === undefined) return undefined;
  const post = channel.post;
  // A browser's main thread may not block: it polls instead (it only ever waits for the chunks the
  // worker has claimed, at most one each when the worker is descheduled).
  const blocking = canBlock();
  return {
    ready: () => !dead && Atomics.load(ctrl, READY) === 1,
    share: (id, module) => {
      if (!dead) post({ id, module });
    },
    drop: (id) => {
      choosers.delete(id);
      if (!dead) post({ drop: id });
    },
    execute: (job, run) => {
      let chooser = choosers.get(job.id);
      if (chooser === undefined) choosers.set(job.id, (chooser = wayChooser()));
      const t0 = performance.now();
      if (!chooser.share()) {
        run(0, job.m, 0, job.n, job.flags);
        chooser.record(performance.now() - t0);
        return true;
      }
      seq = (seq + 1) & 0x7fff;
      const tag = seq;
      const params = [job.id, job.rows ? 1 : 0, job.size, job.m, job.n, job.flags, job.chunks];
      for (let i = 0; i < params.length; i++) Atomics.store(ctrl, PARAMS + i, params[i]!);
      Atomics.store(ctrl, FINISHED, 0);
      Atomics.store(ctrl, ERR, 0);
      Atomics.store(ctrl, NEXT, tag << 16);
      Atomics.store(ctrl, SEQ, seq);
      Atomics.notify(ctrl, SEQ);
      for (let c = claim(ctrl, tag, job.chunks); c >= 0; c = claim(ctrl, tag, job.chunks)) {
        run(...chunkBounds(job.rows, job.size, job.m, job.n, c), job.flags);
        Atomics.add(ctrl, FINISHED, 1);
      }
      let ok = true;
      join: {
        for (let i = 0; i < CALLER_SPIN; i++) if (Atomics.load(ctrl, FINISHED) === job.chunks) break join;
        // Slow path: block (or poll) in short slices; give up (and stop using the worker) if it seems gone.
        const deadline = performance.now() + 30_000;
        while (Atomics.load(ctrl, FINISHED) !== job.chunks) {
          if (performance.now() > deadline) {
            dead = true;
            ok = false;
            break;
          }
          if (blocking) Atomics.wait(ctrl, FINISHED, Atomics.load(ctrl, FINISHED), 10);
        }
      }
      chooser.record(performance.now() - t0);
      // Close the job so a late-waking worker cannot claim from it with stale parameters.
      Atomics.store(ctrl, NEXT, (tag << 16) | CLOSED);
      const failed = Atomics.load(ctrl, ERR);
      if (ok && failed > 0) run(...chunkBounds(job.rows, job.size, job.m, job.n, failed - 1), job.flags);
      return ok;
    },
  };
}
