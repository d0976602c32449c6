import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { NotRegularFileError, openRegularFile, readAt, removeStaleTemps, writeAtomic, writeFileAtomic } from "../../src/data/files.js";
import { closeSync } from "node:fs";

const dir = mkdtempSync(join(tmpdir(), "tenfold-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  const out = execFileSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(out.toString());
}

describe("openRegularFile", () => {
  it("opens a regular file and reads exactly what is asked", () => {
    const p = join(dir, "ten.bin");
    writeFileSync(p, Uint8Array.from({ length: 10 }, (_, i) => i));
    const { fd, size } = openRegularFile(p);
    try {
      expect(size).toBe(10);
      const buf = new Uint8Array(4);
      expect(readAt(fd, buf, 3)).toBe(4);
      expect(Array.from(buf)).toEqual([3, 4, 5, 6]);
      expect(readAt(fd, new Uint8Array(8), 6)).toBe(4);
    } finally {
      closeSync(fd);
    }
  });

  it("refuses a FIFO at once (no hang), /dev/zero and a directory, saying what they are", () => {
    const fifo = join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    for (const [path, kind] of [[fifo, "a FIFO (named pipe)"], ["/dev/zero", "a character device"], [dir, "a directory"]] as const) {
      let e: unknown;
      try {
        openRegularFile(path);
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(NotRegularFileError);
      expect(e).toBeInstanceOf(InputError);
      expect((e as NotRegularFileError).kind).toBe(kind);
      expect((e as Error).message).toBe(`${path}: is ${kind}, not a regular file`);
    }
    expect(() => openRegularFile(join(dir, "missing"))).toThrow(new RegExp(`^${join(dir, "missing")}: cannot open the file \\(ENOENT`));
  });
});

describe("writeAtomic", () => {
  it("writes through a temporary file and leaves only the target", () => {
    const p = join(dir, "out", "a.bin");
    writeFileAtomic(p, Uint8Array.from([1, 2, 3]));
    writeAtomic(p, (fd) => writeFileSync(fd, Uint8Array.from([4, 5])));
    expect(Array.from(readFileSync(p))).toEqual([4, 5]);
    expect(readdirSync(join(dir, "out"))).toEqual(["a.bin"]);
  });

  it("keeps the old file and removes the temporary when writing fails", () => {
    const p = join(dir, "keep.bin");
    writeFileAtomic(p, Uint8Array.from([7]));
    expect(() =>
      writeAtomic(p, (fd) => {
        writeFileSync(fd, Uint8Array.from([8, 8, 8]));
        throw new Error("disk full");
      }),
    ).toThrow("disk full");
    expect(Array.from(readFileSync(p))).toEqual([7]);
    expect(readdirSync(dir).filter((f) => f.startsWith("keep.bin."))).toEqual([]);
  });

  it("removes the temporaries of dead writers, and only those of this target", () => {
    const sub = join(dir, "stale");
    mkdirSync(sub);
    const dead = deadPid();
    const names = [
      `m.ckpt.${dead}.abc123.tmp`, // a killed save of m.ckpt: removed
      `m.ckpt.${process.pid}.def456.tmp`, // a save in progress (this process): kept
      `other.ckpt.${dead}.abc123.tmp`, // another target's: kept
      `m.ckpt.notes`, // not a temporary: kept
    ];
    for (const n of names) writeFileSync(join(sub, n), "x");
    expect(removeStaleTemps(join(sub, "m.ckpt"))).toEqual([join(sub, names[0]!)]);
    expect(readdirSync(sub).sort()).toEqual(names.slice(1).sort());
    expect(removeStaleTemps(join(dir, "no-such-dir", "m.ckpt"))).toEqual([]);
  });

  it("cleans up after a writer killed with SIGKILL in the middle of a save", async () => {
    const target = join(dir, "killed", "model.ckpt");
    const script = `
      import { writeAtomic } from ${JSON.stringify(join(import.meta.dirname, "..", "..", "src", "data", "files.ts"))};
      import { writeSync } from "node:fs";
      writeAtomic(${JSON.stringify(target)}, (fd) => {
        writeSync(fd, new Uint8Array(1 << 20));
        process.stdout.write("writing\\n");
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // never returns: killed here
      });`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => (d.toString().includes("writing") ? resolve() : undefined));
      child.on("exit", (code) => reject(new Error(`the writer exited (${code}) before writing`)));
    });
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("exit", resolve));
    const left = readdirSync(join(dir, "killed"));
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(new RegExp(`^model\\.ckpt\\.${child.pid}\\.[0-9a-z]+\\.tmp$`));
    expect(existsSync(target)).toBe(false);
    writeFileAtomic(target, Uint8Array.from([1]));
    expect(readdirSync(join(dir, "killed"))).toEqual(["model.ckpt"]);
  });
});
