/**
 * What the backend needs from the host it runs on, found by feature detection and never by importing
 * `node:*`, so the same module loads in Node, in a browser page and in a worker:
 *
 * - Node (`process.getBuiltinModule`, Node ≥ 20.16): the core count from `node:os`, the environment
 *   variables that give the Node-only defaults, `node:v8`'s flag for relaxed SIMD on Node 20, and
 *   `node:worker_threads` for the pool's helper thread;
 * - elsewhere: `navigator.hardwareConcurrency`, no environment, and a Web Worker started from a Blob.
 *
 * Nothing here runs at module load: each probe runs on first use, once.
 */

/** The part of Node's `process` used here. */
interface NodeProcess {
  readonly versions: { readonly node?: string };
  readonly env: Readonly<Record<string, string | undefined>>;
  getBuiltinModule(id: string): unknown;
}

/** The part of `node:worker_threads` the pool uses. */
export interface NodeWorkerThreads {
  readonly Worker: new (
    source: string,
    options: { eval: true; workerData: unknown; transferList: unknown[] },
  ) => NodeWorker;
  readonly MessageChannel: new () => { port1: NodePort; port2: NodePort };
}

/** A `worker_threads` worker. */
export interface NodeWorker {
  on(event: "error" | "exit", f: () => void): void;
  unref(): void;
}

/** A `worker_threads` message port. */
export interface NodePort {
  postMessage(message: unknown): void;
  unref(): void;
}

/** The part of a Web Worker the pool uses. */
export interface WebWorker {
  postMessage(message: unknown): void;
  onerror: ((e: unknown) => void) | null;
}

/** The part of the DOM's `Worker`, `Blob` and `URL` the pool uses to start a worker from source text. */
interface WebWorkerGlobals {
  readonly Worker?: new (url: string, options?: { name?: string }) => WebWorker;
  readonly Blob?: new (parts: string[], options: { type: string }) => object;
  readonly URL?: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void };
  readonly navigator?: { readonly hardwareConcurrency?: number };
  readonly crossOriginIsolated?: boolean;
}

const globals = globalThis as unknown as WebWorkerGlobals & { process?: Partial<NodeProcess> };

let nodeState: NodeProcess | null | undefined; // undefined: not looked for yet; null: not Node (or too old)

/** Node's `process`, where the host is Node with `getBuiltinModule`; null elsewhere. */
function nodeProcess(): NodeProcess | null {
  if (nodeState === undefined) {
    const p = globals.process;
    nodeState = typeof p?.versions?.node === "string" && typeof p.getBuiltinModule === "function" && p.env !== undefined ? (p as NodeProcess) : null;
  }
  return nodeState;
}

/** A Node built-in module, or undefined outside Node. */
function builtin<T>(id: string): T | undefined {
  try {
    return (nodeProcess()?.getBuiltinModule(id) as T | undefined) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Whether the host is Node (with `process.getBuiltinModule`). */
export const isNode = (): boolean => nodeProcess() !== null;

/** An environment variable: Node's `process.env`, undefined on hosts without one. */
export const envVar = (name: string): string | undefined => nodeProcess()?.env[name];

/** Logical cores the host reports (1 if it reports none). */
export function hostCores(): number {
  const os = builtin<{ availableParallelism?: () => number; cpus?: () => unknown[] }>("node:os");
  try {
    if (os?.availableParallelism !== undefined) return Math.max(1, os.availableParallelism());
    if (os?.cpus !== undefined) return Math.max(1, os.cpus().length);
  } catch {
    return 1;
  }
  const n = globals.navigator?.hardwareConcurrency;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : 1;
}

/**
 * Whether memory shared between threads may be used: SharedArrayBuffer exists and, in a browser, the
 * page is cross-origin isolated (COOP/COEP), without which shared memory cannot be posted to a worker.
 */
export const sharedMemoryAllowed = (): boolean =>
  typeof SharedArrayBuffer === "function" && globals.crossOriginIsolated !== false;

/** Turns on V8's relaxed SIMD where the host lets a program set V8 flags (Node 20); false if it cannot. */
export function enableRelaxedSimd(): boolean {
  const v8 = builtin<{ setFlagsFromString(flags: string): void }>("node:v8");
  if (v8 === undefined) return false;
  try {
    v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
    return true;
  } catch {
    return false;
  }
}

let blockingState: boolean | undefined;

/**
 * Whether this thread may block in `Atomics.wait`: Node's main thread and workers may, a browser's main
 * thread may not (the call throws there, before it compares the value).
 */
export function canBlock(): boolean {
  if (blockingState === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      blockingState = true;
    } catch {
      blockingState = false;
    }
  }
  return blockingState;
}

/** `node:worker_threads`, in Node. */
export const nodeWorkerThreads = (): NodeWorkerThreads | undefined => builtin<NodeWorkerThreads>("node:worker_threads");

/** Starts a Web Worker running `source` (classic script) from a Blob URL, or undefined if the host has none. */
export function startWebWorker(source: string, name: string): WebWorker | undefined {
  const { Worker, Blob, URL } = globals;
  if (Worker === undefined || Blob === undefined || URL === undefined) return undefined;
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  try {
    return new Worker(url, { name });
  } finally {
    // The worker fetches its script asynchronously: revoking the URL at once could fail its start.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
