/**
 * Typed access to the `WebAssembly` global. The project compiles against `lib: ES2022` without DOM
 * types, and `@types/node` 20 does not declare `WebAssembly`, so the few members used here are typed
 * locally instead of through an ambient declaration that could clash with other files.
 */

/** A compiled module (opaque; can be posted to a worker). */
export interface WasmModule {
  readonly __wasmModule?: never;
}

/** A linear memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** An instance's exports. */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

/** The subset of the `WebAssembly` namespace this backend uses. */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  Memory: new (desc: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

/** The host's `WebAssembly`, or undefined where there is none. */
export const wasmApi: WasmApi | undefined = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
