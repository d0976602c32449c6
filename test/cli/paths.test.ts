/** The demo's path checks, before any work: every output tried the way it will be written, inputs found. */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDemoArgs, type DemoConfig } from "../../src/cli/args.js";
import { checkPaths, messageOf } from "../../src/cli/paths.js";

const tmp = mkdtempSync(join(tmpdir(), "tenfold-paths-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const config = (...argv: string[]): DemoConfig => {
  const r = parseDemoArgs(["--chart", join(tmp, "chart.svg"), ...argv]);
  if (r.kind !== "run") throw new Error(JSON.stringify(r));
  return r.config;
};

describe("checkPaths", () => {
  it("accepts writable outputs without leaving files behind, creating their directories, keeping an existing file intact", () => {
    writeFileSync(join(tmp, "old.ckpt"), "keep me");
    expect(checkPaths(config("--checkpoint", join(tmp, "new", "deeper", "run.ckpt")))).toBeUndefined();
    expect(existsSync(join(tmp, "new", "deeper"))).toBe(true);
    expect(readdirSync(join(tmp, "new", "deeper"))).toEqual([]);
    expect(checkPaths(config("--checkpoint", join(tmp, "old.ckpt"), "--resume", join(tmp, "old.ckpt")))).toBeUndefined();
    expect(checkPaths(config("--chart", "/dev/null"))).toBeUndefined(); // a device is fine for the chart
    expect(readdirSync(tmp).sort()).toEqual(["new", "old.ckpt"]);
    expect(readFileSync(join(tmp, "old.ckpt"), "utf8")).toBe("keep me");
  });

  it.each([
    [["--chart", "/proc/tenfold-chart.svg"], "--chart: cannot write /proc/tenfold-chart.svg (ENOENT: no such file or directory)"],
    [["--chart", "/proc/no-such-dir/chart.svg"], /^--chart: cannot write \/proc\/no-such-dir\/chart\.svg \(ENOENT: no such file or directory\)$/],
    [["--chart", `${"c".repeat(300)}.svg`], `--chart: cannot write ${"c".repeat(300)}.svg (ENAMETOOLONG: name too long)`],
    [["--chart", "package.json/chart.svg"], "--chart: cannot write package.json/chart.svg (ENOTDIR: not a directory)"],
    [["--chart", "src"], "--chart: src is a directory, expected a file path"],
    [["--checkpoint", "/dev/null"], "--checkpoint: /dev/null is not a regular file"],
    [["--checkpoint", "/proc/run.ckpt"], "--checkpoint: cannot write /proc/run.ckpt (ENOENT: no such file or directory)"],
    [["--checkpoint", "/sys/run.ckpt"], /^--checkpoint: cannot write \/sys\/run\.ckpt \((EACCES|EROFS|EPERM)/],
    [["--checkpoint", "x.svg", "--chart", "./x.svg"], "--chart and --checkpoint are the same file: ./x.svg"],
    [["--resume", "a.ckpt", "--chart", "a.ckpt"], /^--resume: no such file: a\.ckpt$/],
    [["--resume", "package.json", "--chart", "package.json"], "--chart would overwrite the checkpoint to resume: package.json"],
    [["--resume", "src"], "--resume: no such file: src"],
    [["--data-dir", "/no/such/dir"], "--data-dir: no such directory: /no/such/dir"],
    [["--data-dir", "package.json"], "--data-dir: no such directory: package.json"],
  ])("%j: %s", (args, message) => {
    const got = checkPaths(config(...args));
    if (typeof message === "string") expect(got).toBe(message);
    else expect(got).toMatch(message);
  });

  it.skipIf(process.getuid?.() === 0)("a read-only directory (not for root, who may write there)", () => {
    const dir = join(tmp, "read-only");
    mkdirSync(dir);
    chmodSync(dir, 0o555);
    try {
      expect(checkPaths(config("--chart", join(dir, "chart.svg")))).toMatch(/^--chart: cannot write .*chart\.svg \(EACCES: permission denied\)$/);
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});

describe("messageOf", () => {
  it("keeps the first line, and drops a system error's trailing syscall and path", () => {
    expect(messageOf(new Error("first\nsecond"))).toBe("first");
    expect(messageOf("plain")).toBe("plain");
    const sys = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", syscall: "write" });
    expect(messageOf(sys)).toBe("ENOSPC: no space left on device");
    const open = Object.assign(new Error("EACCES: permission denied, open '/x/y'"), { code: "EACCES", syscall: "open" });
    expect(messageOf(open)).toBe("EACCES: permission denied");
  });
});
