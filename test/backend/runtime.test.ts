import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { backendConfig, configFromEnv, configure, requestedMode, threadCount, withBackend } from "../../src/backend/runtime.js";
import { canBlock, envVar, hostCores, isNode, sharedMemoryAllowed } from "../../src/backend/host.js";

const env = (vars: Record<string, string>) => (name: string): string | undefined => vars[name];

describe("configFromEnv", () => {
  it("defaults to wasm on the host's cores, at most two", () => {
    expect(configFromEnv(env({}), 1)).toEqual({ backend: "wasm", threads: 1 });
    expect(configFromEnv(env({}), 8)).toEqual({ backend: "wasm", threads: 2 });
    expect(configFromEnv(env({ TENFOLD_BACKEND: "", TENFOLD_THREADS: " " }), 2)).toEqual({ backend: "wasm", threads: 2 });
  });

  it("reads TENFOLD_BACKEND and TENFOLD_THREADS", () => {
    expect(configFromEnv(env({ TENFOLD_BACKEND: " TS " }), 2).backend).toBe("typescript");
    expect(configFromEnv(env({ TENFOLD_BACKEND: "typescript" }), 2).backend).toBe("typescript");
    expect(configFromEnv(env({ TENFOLD_BACKEND: "wasm1" }), 2).backend).toBe("wasm1");
    expect(configFromEnv(env({ TENFOLD_THREADS: "1" }), 2).threads).toBe(1);
    expect(configFromEnv(env({ TENFOLD_THREADS: "4" }), 2).threads).toBe(4);
  });

  it("rejects unknown values, naming the variable", () => {
    expect(() => configFromEnv(env({ TENFOLD_BACKEND: "gpu" }), 2)).toThrow(InputError);
    expect(() => configFromEnv(env({ TENFOLD_BACKEND: "gpu" }), 2)).toThrow(/^TENFOLD_BACKEND: unknown backend 'gpu'/);
    for (const bad of ["0", "-1", "1.5", "two"])
      expect(() => configFromEnv(env({ TENFOLD_THREADS: bad }), 2)).toThrow(/^TENFOLD_THREADS: threads must be a positive integer/);
  });
});

describe("configure", () => {
  it("sets the mode and threads, keeping what it is not given", () => {
    const saved = backendConfig();
    try {
      expect(configure({ backend: "typescript" })).toEqual({ backend: "typescript", threads: saved.threads });
      expect(requestedMode()).toBe("typescript");
      expect(configure({ threads: 1 })).toEqual({ backend: "typescript", threads: 1 });
      expect(threadCount()).toBe(1);
      expect(configure({ threads: 16 }).threads).toBe(16);
      expect(threadCount()).toBe(2); // one helper thread at most
      expect(withBackend("wasm1", () => requestedMode())).toBe("wasm1");
      expect(requestedMode()).toBe("typescript");
    } finally {
      configure(saved);
    }
    expect(backendConfig()).toEqual(saved);
  });

  it("rejects bad options with a typed error naming configure", () => {
    const saved = backendConfig();
    expect(() => configure({ backend: "gpu" as never })).toThrow(/^configure: unknown backend 'gpu'/);
    expect(() => configure({ backend: "ts" as never })).toThrow(InputError);
    expect(() => configure({ threads: 0 })).toThrow(/^configure: threads must be a positive integer, got 0/);
    expect(() => configure({ threads: Number.NaN })).toThrow(InputError);
    expect(backendConfig()).toEqual(saved);
  });
});

describe("host", () => {
  it("finds Node's services without importing them", () => {
    expect(isNode()).toBe(true);
    expect(hostCores()).toBeGreaterThanOrEqual(1);
    expect(envVar("PATH")).toBe(process.env["PATH"]);
    expect(sharedMemoryAllowed()).toBe(true);
    expect(canBlock()).toBe(true); // Node's main thread may Atomics.wait; a browser's may not (test/web)
  });
});
