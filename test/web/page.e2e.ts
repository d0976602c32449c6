/**
 * The teaching page in a real browser: the static build (`npm run web:build`) served on 127.0.0.1,
 * driven in Debian's Chromium by playwright-core (no browser download): one epoch of softmax
 * regression reaches test accuracy ≥ 0.75, the chart draws, pause/resume continues exactly where it
 * stopped, and the page gives the same figures with two threads (cross-origin isolated) and with one
 * (plain static server). Prints the epoch times beside Node's for the same code on the same machine.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { createServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { data } from "../../src/node.js";
import { startSession, summarize, type EpochSummary } from "../../web/src/session.js";
import { serveStatic, type StaticServer } from "./server.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dist = join(root, "web", "dist");
const output = join(root, "test", "web", "output");
const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
// As root Chromium needs --no-sandbox; the rest keep it off this machine's closed network.
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let browser: Browser;
let isolated: StaticServer;
let plain: StaticServer;

beforeAll(async () => {
  if (!existsSync(join(dist, "index.html"))) throw new Error(`no build in ${dist}: run npm run web:build (npm run test:web does)`);
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  [isolated, plain] = await Promise.all([serveStatic(dist, true), serveStatic(dist, false)]);
  mkdirSync(output, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await isolated?.close();
  await plain?.close();
});

const tid = (id: string): string => `[data-testid="${id}"]`;

/** Opens the page and waits until the data set has loaded; page errors fail the test. */
async function open(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().includes("favicon") && !m.text().includes("404")) errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForSelector(`${tid("train")}:not([disabled])`, { timeout: 90_000 });
  (page as Page & { errors: string[] }).errors = errors;
  return page;
}

const pageErrors = (page: Page): string[] => (page as Page & { errors: string[] }).errors;

/** Sets the form and clicks Train. */
async function train(page: Page, opts: { epochs: number; lr?: string; batchSize?: string; model?: string }): Promise<void> {
  if (opts.model !== undefined) await page.selectOption(tid("model"), opts.model);
  await page.fill(tid("epochs"), String(opts.epochs));
  await page.fill(tid("lr"), opts.lr ?? "0.1");
  await page.fill(tid("batch-size"), opts.batchSize ?? "256");
  await page.click(tid("train"));
}

const state = (page: Page): Promise<string | null> => page.getAttribute(tid("status"), "data-state");
const step = async (page: Page): Promise<number> => Number(await page.getAttribute(tid("status"), "data-step"));
// Browser-side code is passed as text: this file is type-checked without the DOM's types.
const waitDone = (page: Page): Promise<unknown> =>
  page.waitForFunction(`document.querySelector('[data-testid="status"]')?.getAttribute("data-state") === "done"`, null, { timeout: 120_000 });
const summary = async (page: Page): Promise<EpochSummary> => JSON.parse((await page.textContent(tid("epoch-summary"))) ?? "") as EpochSummary;
const figures = ({ seconds: _, ...rest }: EpochSummary): Omit<EpochSummary, "seconds"> => rest;

/** The epoch times, collected for the closing report. */
const times: Record<string, number[]> = {};

describe("the teaching page in Chromium", () => {
  let reference: EpochSummary;

  it("trains an epoch of softmax regression on two threads, draws the chart, shows predictions, the code and the compiler's message", async () => {
    const page = await open(isolated.url);
    expect(await page.evaluate("crossOriginIsolated")).toBe(true);
    const cores = (await page.evaluate("navigator.hardwareConcurrency")) as number;
    expect(await page.getAttribute(tid("backend"), "data-threads")).toBe(String(Math.min(2, cores)));
    await train(page, { epochs: 2 });
    await waitDone(page);
    expect(await page.textContent(tid("error"))).toBe("");
    const rows = await page.$$eval(`${tid("epochs-table")} tbody tr`, (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    expect(rows).toHaveLength(2);
    reference = JSON.parse(JSON.stringify({ epoch: 1, trainLoss: Number(rows[0]![1]), trainAcc: Number(rows[0]![2]), testAcc: Number(rows[0]![3]), seconds: Number(rows[0]![4]) })) as EpochSummary;
    const last = await summary(page);
    expect(Object.keys(last)).toEqual(["epoch", "trainLoss", "trainAcc", "testAcc", "seconds"]);
    expect(last.epoch).toBe(2);
    expect(reference.testAcc).toBeGreaterThanOrEqual(0.75);
    expect(last.testAcc).toBeGreaterThanOrEqual(0.75);
    times["chromium, 2 threads"] = rows.map((r) => Number(r[4]));
    // The chart drew: points in its data, and ink on its canvas.
    expect(Number(await page.getAttribute(tid("chart"), "data-points"))).toBeGreaterThan(50);
    const inked = await page.evaluate(`(() => {
      const c = document.querySelector('[data-testid="chart"]');
      const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
      return n;
    })()`);
    expect(inked).toBeGreaterThan(2000);
    // Predictions: 24 captions "guess (truth)", and the misclassified ones marked.
    const captions = await page.$$eval(`${tid("predictions")} figcaption`, (fs) => fs.map((f) => f.textContent ?? ""));
    expect(captions).toHaveLength(24);
    for (const c of captions) expect(c).toMatch(/^[A-Za-z/ -]+ \([A-Za-z/ -]+\)$/);
    const wrong = await page.$$eval(`${tid("predictions")} figure.wrong figcaption`, (fs) => fs.map((f) => f.textContent ?? ""));
    for (const c of wrong) expect(c.split(" (")[0]).not.toBe(c.split(" (")[1]!.slice(0, -1));
    expect(await page.textContent(tid("code"))).toContain("nn.linear(784, 10, { init: nn.init.normal(0.01) })");
    // The staged program of a step: inputs (params, optimizer state, the batch) with their shapes, the product.
    expect(await page.getAttribute(tid("program"), "data-available")).toBe("true");
    const program = (await page.textContent(tid("program"))) ?? "";
    expect(program).toMatch(/^\{ lambda .*f32\[784,10\].*f32\[256,784\] \w+:i32\[256\]\. let/);
    expect(program).toMatch(/= matmul\[transA=false transB=false\] \w+ \w+/);
    expect(await page.textContent(tid("shape-error"))).toMatch(/error TS\d+: .*matmul: inner dimensions 784 and 10 differ/);
    await page.screenshot({ path: join(output, "page.png"), fullPage: true });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("continues exactly where it stopped after a pause", async () => {
    const page = await open(isolated.url);
    // An uninterrupted epoch in batches of 64 (938 steps), then the same with a pause.
    await train(page, { epochs: 1, batchSize: "64" });
    await waitDone(page);
    const uninterrupted = await summary(page);
    await page.click(tid("reset"));
    expect(await state(page)).toBe("idle");
    expect(await page.textContent(tid("epoch-summary"))).toBe("");
    // Pause from inside the page as soon as a slice of steps has passed step 100 (no click latency).
    await page.evaluate(`(() => {
      const status = document.querySelector('[data-testid="status"]');
      const observer = new MutationObserver(() => {
        if (Number(status.getAttribute("data-step")) >= 100) {
          observer.disconnect();
          document.querySelector('[data-testid="pause"]').click();
        }
      });
      observer.observe(status, { attributes: true, attributeFilter: ["data-step"] });
    })()`);
    await train(page, { epochs: 1, batchSize: "64" });
    await page.waitForFunction(`document.querySelector('[data-testid="status"]')?.getAttribute("data-state") === "paused"`, null, { timeout: 60_000 });
    const at = await step(page);
    expect(at).toBeGreaterThanOrEqual(100);
    expect(at).toBeLessThan(938);
    await page.waitForTimeout(400);
    expect(await step(page)).toBe(at);
    expect(await page.textContent(tid("epoch-summary"))).toBe("");
    await page.click(tid("resume"));
    await waitDone(page);
    expect(await step(page)).toBe(938);
    expect(figures(await summary(page))).toEqual(figures(uninterrupted));
    await page.close();
  });

  it("runs on one thread from a plain static server, with the same figures", async () => {
    const page = await open(plain.url);
    expect(await page.evaluate("crossOriginIsolated")).toBe(false);
    expect(await page.getAttribute(tid("backend"), "data-threads")).toBe("1");
    await train(page, { epochs: 2 });
    await waitDone(page);
    const rows = await page.$$eval(`${tid("epochs-table")} tbody tr`, (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    expect(rows[0]!.slice(0, 4).map(Number)).toEqual([1, reference.trainLoss, reference.trainAcc, reference.testAcc]);
    times["chromium, 1 thread (not isolated)"] = rows.map((r) => Number(r[4]));
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("works from the dev server of npm run web (isolated, two threads)", async () => {
    const server = await createServer({ configFile: join(root, "web", "vite.config.ts"), server: { port: 0 }, logLevel: "silent" });
    try {
      await server.listen();
      const url = server.resolvedUrls?.local[0];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await open(url!);
      expect(await page.evaluate("crossOriginIsolated")).toBe(true);
      expect(await page.textContent(tid("error"))).toBe("");
      expect(await page.textContent(tid("shape-error"))).toMatch(/matmul: inner dimensions 784 and 10 differ/);
      expect(pageErrors(page)).toEqual([]);
      await page.close();
    } finally {
      await server.close();
    }
  });

  it("reports bad settings in the error element", async () => {
    const page = await open(plain.url);
    await train(page, { epochs: 1, lr: "-1" });
    await page.waitForFunction(`(document.querySelector('[data-testid="error"]')?.textContent ?? "") !== ""`);
    expect(await page.textContent(tid("error"))).toMatch(/lr.*positive/);
    expect(await state(page)).toBe("idle");
    await page.close();
  });

  it("trains the same model with jax-js in the same browser (for the speed comparison)", async () => {
    const page = await open(`${isolated.url}?compare=jaxjs`);
    await page.fill(tid("epochs"), "2");
    await page.click(tid("train-jaxjs"));
    await page.waitForFunction(
      `document.querySelector('[data-testid="jaxjs-summary"]').textContent !== "" || document.querySelector('[data-testid="error"]').textContent !== ""`,
      null, { timeout: 120_000 },
    );
    expect(await page.textContent(tid("error"))).toBe("");
    const r = JSON.parse((await page.textContent(tid("jaxjs-summary"))) ?? "") as { secondsPerEpoch: number[]; testAcc: number };
    expect(r.secondsPerEpoch).toHaveLength(2);
    expect(r.testAcc).toBeGreaterThanOrEqual(0.75);
    times["jax-js in chromium"] = r.secondsPerEpoch.map((s) => Number(s.toFixed(2)));
    await page.close();
  });

  it("matches Node's figures for the same code, and prints the epoch times", async () => {
    const fashion = await data.loadFashionMnist();
    const session = startSession({ model: "softmax", lr: 0.1, batchSize: 256, epochs: 2, seed: 0 }, fashion.train, fashion.test);
    const epochs: EpochSummary[] = [];
    for (const e of session.events) if (e.kind === "epoch") epochs.push(summarize(e));
    expect(Number(epochs[0]!.testAcc.toFixed(4))).toBe(reference.testAcc);
    expect(Number(epochs[0]!.trainLoss.toFixed(4))).toBe(reference.trainLoss);
    times["node"] = epochs.map((e) => Number(e.seconds.toFixed(2)));
    const lines = Object.entries(times).map(([k, v]) => `  ${k}: ${v.map((s) => `${s.toFixed(2)} s`).join(", ")}`);
    const last = (k: string): number => times[k]?.at(-1) ?? Number.NaN;
    const ratios = [
      `tenfold in chromium / tenfold in node: ${(last("chromium, 2 threads") / last("node")).toFixed(2)}`,
      `jax-js in chromium / tenfold in chromium: ${(last("jax-js in chromium") / last("chromium, 2 threads")).toFixed(2)}`,
    ];
    process.stdout.write(`softmax epoch times (epochs 1, 2; batch 256):\n${lines.join("\n")}\n  epoch 2, ${ratios.join("; ")}\n`);
  });
});
