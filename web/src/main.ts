/**
 * The page: settings decoded with the library's own codec, a run of `train.fit` pulled one event at a
 * time in slices of about 12 ms (so the page stays responsive; pausing is simply not pulling), a live
 * Chart.js chart, the test images with their predictions, the model's code, the staged program of a
 * step and a shape error as the compiler reports it.
 */
import { isLeft } from "fp-ts/lib/Either.js";
import { Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from "chart.js";
import { arange, backendInfo, data, take, warmupBackend, type Tensor } from "tenfold";
import softmaxSource from "../../examples/softmax-concise.ts?raw";
import mlpSource from "../../examples/mlp-mnist.ts?raw";
import shapeError from "./generated/shape-error.json";
import { CLASSES, loadFashionMnist } from "./data.js";
import { stagedProgram } from "./program.js";
import { startSession, summarize, type EpochSummary, type Examples, type ModelName, type Session } from "./session.js";

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`page: no element #${id}`);
  return el as T;
};
const ui = {
  model: $<HTMLSelectElement>("model"), lr: $<HTMLInputElement>("lr"), batchSize: $<HTMLInputElement>("batch-size"),
  epochs: $<HTMLInputElement>("epochs"), train: $<HTMLButtonElement>("train"), pause: $<HTMLButtonElement>("pause"),
  resume: $<HTMLButtonElement>("resume"), reset: $<HTMLButtonElement>("reset"), status: $("status"), backend: $("backend"),
  error: $("error"), summary: $("epoch-summary"), table: $<HTMLTableElement>("epochs-table"), predictions: $("predictions"),
  code: $("code"), codeFile: $("code-file"), program: $("program"), shapeSource: $("shape-source"), shapeError: $("shape-error"),
  compiler: $("compiler"), chart: $<HTMLCanvasElement>("chart"),
};

// Each example file, and the heading of its section that defines the model (marked on the page).
const SOURCES: Readonly<Record<ModelName, { file: string; text: string; section: string }>> = {
  softmax: { file: "examples/softmax-concise.ts", text: softmaxSource, section: "// ## Defining the model" },
  mlp: { file: "examples/mlp-mnist.ts", text: mlpSource, section: "// ## The model" },
};
const GRID = 24; // test images shown
const SLICE_MS = 12;

const showError = (e: unknown): void => {
  ui.error.textContent = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
};

// ## The chart: step losses, and per-epoch train and test accuracy.
const chart = new Chart(ui.chart, {
  type: "line",
  data: {
    datasets: [
      { label: "train loss (per step)", data: [], yAxisID: "loss", borderColor: "#4062bb", borderWidth: 1, pointRadius: 0 },
      { label: "train accuracy", data: [], yAxisID: "acc", borderColor: "#e08a00", pointRadius: 3 },
      { label: "test accuracy", data: [], yAxisID: "acc", borderColor: "#2a9d4b", pointRadius: 3 },
    ],
  },
  options: {
    animation: false,
    maintainAspectRatio: false,
    parsing: false,
    scales: {
      x: { type: "linear", min: 0, title: { display: true, text: "epoch" } },
      loss: { type: "linear", position: "left", min: 0, title: { display: true, text: "loss" } },
      acc: { type: "linear", position: "right", min: 0, max: 1, grid: { drawOnChartArea: false }, title: { display: true, text: "accuracy" } },
    },
  },
});
type Point = { x: number; y: number };
const series = (i: number): Point[] => chart.data.datasets[i]!.data as Point[];
let chartDirty = false;
const redraw = (): void => {
  if (!chartDirty) return;
  chartDirty = false;
  chart.update("none");
  ui.chart.dataset["points"] = String(chart.data.datasets.reduce((n, d) => n + d.data.length, 0));
};

// ## The test images and the model's predictions for them.
// Every STRIDE-th test image: the test set is ordered by class, so this shows all ten.
const STRIDE = 417;
const gridExamples = (test: Examples): Examples => {
  const idx = arange(0, GRID * STRIDE, STRIDE, "int32") as Tensor<[number], "int32">;
  return { images: take(test.images, idx, 0) as Examples["images"], labels: take(test.labels, idx, 0) as Examples["labels"] };
};

function drawPredictions(test: Examples & { raw: Uint8Array }, predicted: Int32Array | null): void {
  const labels = test.labels.toFlat();
  const figures = Array.from({ length: GRID }, (_, g) => {
    const i = g * STRIDE;
    const fig = document.createElement("figure");
    const canvas = document.createElement("canvas");
    canvas.width = 28;
    canvas.height = 28;
    const ctx = canvas.getContext("2d")!;
    const img = ctx.createImageData(28, 28);
    for (let p = 0; p < 784; p++) {
      const v = 255 - test.raw[i * 784 + p]!;
      img.data.set([v, v, v, 255], 4 * p);
    }
    ctx.putImageData(img, 0, 0);
    const truth = CLASSES[labels[i]!]!;
    const guess = predicted === null ? null : CLASSES[predicted[g]!]!;
    if (guess !== null && guess !== truth) fig.classList.add("wrong");
    const caption = document.createElement("figcaption");
    caption.textContent = guess === null ? `(${truth})` : `${guess} (${truth})`;
    fig.append(canvas, caption);
    return fig;
  });
  ui.predictions.replaceChildren(...figures);
}

// ## A run: pulled in slices; the clock given to fit only runs while this page is training.
interface Timing {
  computeMs: number;
  activeSince: number | null;
}
interface Run extends Timing {
  readonly session: Session;
  readonly grid: Examples;
  running: boolean;
  steps: number;
}
let run: Run | null = null;
let dataset: Awaited<ReturnType<typeof loadFashionMnist>> | null = null;

const ticker = new MessageChannel();
ticker.port1.onmessage = () => pump();
const schedule = (): void => ticker.port2.postMessage(null);

function setButtons(state: "idle" | "running" | "paused" | "done"): void {
  ui.train.disabled = state !== "idle";
  ui.pause.disabled = state !== "running";
  ui.resume.disabled = state !== "paused";
  ui.reset.disabled = state === "idle";
  for (const el of [ui.model, ui.lr, ui.batchSize, ui.epochs]) el.disabled = state !== "idle";
  ui.status.dataset["state"] = state;
}

function onEpoch(r: Run, s: EpochSummary, params: unknown): void {
  ui.summary.textContent = JSON.stringify(s);
  const row = ui.table.tBodies[0]!.insertRow();
  for (const v of [String(s.epoch), s.trainLoss.toFixed(4), s.trainAcc.toFixed(4), s.testAcc.toFixed(4), s.seconds.toFixed(2)]) row.insertCell().textContent = v;
  series(1).push({ x: s.epoch, y: s.trainAcc });
  series(2).push({ x: s.epoch, y: s.testAcc });
  chartDirty = true;
  drawPredictions(dataset!.test, r.session.predict(params, r.grid.images));
}

function pump(): void {
  const r = run;
  if (r === null || !r.running) return;
  try {
    const end = performance.now() + SLICE_MS;
    const every = Math.max(1, Math.floor(r.session.stepsPerEpoch / 60));
    while (r.running && performance.now() < end) {
      r.activeSince = performance.now();
      const next = r.session.events.next();
      r.computeMs += performance.now() - r.activeSince;
      r.activeSince = null;
      if (next.done === true) {
        r.running = false;
        setButtons("done");
        ui.status.textContent = `done: ${r.steps} steps`;
        break;
      }
      const e = next.value;
      if (e.kind === "step") {
        r.steps++;
        if (e.batch % every === 0 || e.batch === r.session.stepsPerEpoch - 1) {
          series(0).push({ x: e.epoch + (e.batch + 1) / r.session.stepsPerEpoch, y: e.loss });
          chartDirty = true;
        }
      } else if (e.kind === "epoch") onEpoch(r, summarize(e), e.state.params);
      // fit throws a DivergenceError by default; a "diverged" event only comes with onNonFinite: "event".
      else throw new Error(`training diverged at epoch ${e.epoch + 1}, step ${e.step}: the loss is ${e.loss}`);
    }
    if (r.running) ui.status.textContent = `training: step ${r.steps}`;
    ui.status.dataset["step"] = String(r.steps);
    requestAnimationFrame(redraw);
    if (r.running) schedule();
  } catch (e) {
    r.running = false;
    setButtons("done");
    showError(e);
  }
}

function start(): void {
  ui.error.textContent = "";
  const settings = data.decodeTrainConfig({
    model: ui.model.value, lr: Number(ui.lr.value), batchSize: Number(ui.batchSize.value), epochs: Number(ui.epochs.value), seed: 0,
  });
  if (isLeft(settings)) return showError(new Error(settings.left));
  if (dataset === null) return showError(new Error("the data set has not loaded"));
  const timing: Timing = { computeMs: 0, activeSince: null };
  const clock = (): number => timing.computeMs + (timing.activeSince === null ? 0 : performance.now() - timing.activeSince);
  const session = startSession(settings.right, dataset.train, dataset.test, clock);
  const r: Run = Object.assign(timing, { session, grid: gridExamples(dataset.test), running: true, steps: 0 });
  run = r;
  const program = stagedProgram(r.session);
  ui.program.textContent = program.text;
  ui.program.dataset["available"] = String(program.available);
  chart.options.scales!["x"]!.max = settings.right.epochs;
  setButtons("running");
  schedule();
}

function reset(): void {
  if (run !== null) run.running = false;
  run = null;
  for (let i = 0; i < 3; i++) series(i).length = 0;
  chartDirty = true;
  requestAnimationFrame(redraw);
  ui.summary.textContent = "";
  ui.table.tBodies[0]!.replaceChildren();
  ui.status.textContent = "ready";
  ui.status.dataset["step"] = "0";
  if (dataset !== null) drawPredictions(dataset.test, null);
  setButtons("idle");
}

/** The example file's whole text, its model section marked and scrolled to. */
function showCode(): void {
  const src = SOURCES[ui.model.value as ModelName] ?? SOURCES.softmax;
  const from = Math.max(0, src.text.indexOf(src.section));
  const next = src.text.indexOf("// ## ", from + src.section.length);
  const to = next < 0 ? src.text.length : next;
  const mark = document.createElement("mark");
  mark.textContent = src.text.slice(from, to);
  ui.code.replaceChildren(src.text.slice(0, from), mark, src.text.slice(to));
  ui.code.scrollTop = mark.offsetTop; // the <pre> is the mark's offset parent (position: relative)
  ui.codeFile.textContent = src.file;
}

ui.train.addEventListener("click", start);
ui.pause.addEventListener("click", () => {
  if (run === null) return;
  run.running = false;
  setButtons("paused");
  ui.status.textContent = `paused after step ${run.steps}`;
});
ui.resume.addEventListener("click", () => {
  if (run === null) return;
  run.running = true;
  setButtons("running");
  schedule();
});
ui.reset.addEventListener("click", reset);
ui.model.addEventListener("change", () => {
  showCode();
  ui.batchSize.value = String(data.TRAIN_CONFIG_DEFAULTS.batchSize[ui.model.value as ModelName] ?? 256);
});

// The comparison with jax-js, on request only (its code is a separate chunk).
if (new URLSearchParams(location.search).get("compare") === "jaxjs") {
  $("compare").hidden = false;
  const button = $<HTMLButtonElement>("train-jaxjs");
  button.addEventListener("click", () => {
    button.disabled = true;
    const epochs = Number(ui.epochs.value);
    import("./compare.js")
      .then(({ trainJaxJs }) => trainJaxJs(epochs))
      .then((r) => ($("jaxjs-summary").textContent = JSON.stringify(r)))
      .catch(showError)
      .finally(() => (button.disabled = false));
  });
}

showCode();
ui.shapeSource.textContent = shapeError.source;
ui.shapeError.textContent = shapeError.message;
ui.compiler.textContent = shapeError.compiler;
ui.program.textContent = stagedProgram(null).text;

try {
  const [loaded, threaded] = await Promise.all([loadFashionMnist(), warmupBackend()]);
  dataset = loaded;
  const b = backendInfo();
  ui.backend.textContent = `${b.kind}${b.fma ? " (fma)" : ""}, ${b.threads} thread${b.threads > 1 ? "s" : ""}${
    crossOriginIsolated ? "" : " (page not cross-origin isolated: one thread)"}${threaded || b.threads < 2 ? "" : " (helper not ready)"}`;
  ui.backend.dataset["threads"] = String(b.threads);
  reset();
} catch (e) {
  ui.status.textContent = "failed to load";
  showError(e);
}
