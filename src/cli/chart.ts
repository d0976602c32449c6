/**
 * A small, dependency-free SVG line chart: axes with "nice" ticks, a light grid, a legend and any
 * number of series (lines with point markers). Pure: data in, an SVG document (a string) out, so it
 * runs in Node without a browser. The defaults mimic d2l's `Animator` plot (blue solid, magenta
 * dashed, green dash-dotted).
 */

/** One curve: a name for the legend and its `[x, y]` points (non-finite points break the line). */
export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [x: number, y: number])[];
  /** Stroke colour (default: the palette, in order). */
  readonly color?: string;
  /** SVG `stroke-dasharray` (default: the palette's, in order; `""` for solid). */
  readonly dash?: string;
}

/** Options of {@link lineChartSvg}. */
export interface LineChartOptions {
  /** Title drawn above the plot (default none). */
  readonly title?: string;
  /** Label under the x axis (default none). */
  readonly xLabel?: string;
  /** Label left of the y axis (default none). */
  readonly yLabel?: string;
  /** Width of the whole image in pixels (default 640). */
  readonly width?: number;
  /** Height of the whole image in pixels (default 420). */
  readonly height?: number;
  /** The x range shown (default: the data's, widened to nice ticks). */
  readonly xDomain?: readonly [number, number];
  /** The y range shown (default: the data's, widened to nice ticks). */
  readonly yDomain?: readonly [number, number];
  /** Only put ticks on integers along x (default false; use it for epochs). */
  readonly integerX?: boolean;
}

/** The default series styles: d2l's `('-', 'm--', 'g-.', 'r:')`. */
export const PALETTE: readonly { readonly color: string; readonly dash: string }[] = [
  { color: "#1f77b4", dash: "" },
  { color: "#bf00bf", dash: "6 4" },
  { color: "#008000", dash: "8 3 2 3" },
  { color: "#d62728", dash: "2 3" },
  { color: "#ff7f0e", dash: "" },
  { color: "#7f7f7f", dash: "6 4" },
];

/** Escapes text for SVG content and attribute values. */
export const escapeXml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");

/** A "nice" step (1, 2 or 5 times a power of ten) for about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(count, 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** Ticks at multiples of a nice step covering `[lo, hi]` (the first ≤ lo, the last ≥ hi); about `count` intervals. */
export function niceTicks(lo: number, hi: number, count = 5, integer = false): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return [0, 1];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    [lo, hi] = integer ? [lo - 1, hi + 1] : [lo - pad, hi + pad];
  }
  let step = niceStep(hi - lo, count);
  if (integer) step = Math.max(1, Math.round(step));
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/**
 * The ticks drawn along an axis showing `[lo, hi]`: the nice ticks inside it and, on an integer axis
 * (epochs), its two ends as well, so a run's first and last epoch are labelled. A nice tick closer than
 * half a step to an added end is dropped, so labels do not collide.
 *
 * @example
 * axisTicks(1, 10, 8, true); // [1, 2, 4, 6, 8, 10]
 */
export function axisTicks(lo: number, hi: number, count = 5, integer = false): number[] {
  const nice = niceTicks(lo, hi, count, integer);
  const [a, b] = lo <= hi ? [lo, hi] : [hi, lo];
  const inside = nice.filter((v) => v >= a - 1e-9 && v <= b + 1e-9);
  if (!integer || !Number.isInteger(a) || !Number.isInteger(b)) return inside;
  const step = nice.length > 1 ? nice[1]! - nice[0]! : 1;
  const ends = a === b ? [a] : [a, b];
  const kept = inside.filter((v) => ends.includes(v) || ends.every((e) => Math.abs(v - e) >= step / 2));
  return [...new Set([...ends, ...kept])].sort((x, y) => x - y);
}

/** Formats a tick label with just enough decimals for the spacing of its ticks. */
export function formatTick(v: number, ticks: readonly number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : 1;
  const decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(decimals);
}

/** Radius of a point marker, in pixels. */
const MARKER_RADIUS = 2.5;

const num = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/** Splits points into runs of finite points (a non-finite point ends a run). */
const finiteRuns = (points: Series["points"]): (readonly [number, number])[][] => {
  const runs: (readonly [number, number])[][] = [[]];
  for (const p of points) {
    if (Number.isFinite(p[0]) && Number.isFinite(p[1])) runs[runs.length - 1]!.push(p);
    else if (runs[runs.length - 1]!.length > 0) runs.push([]);
  }
  return runs.filter((r) => r.length > 0);
};

/** The extent of the finite values, or `undefined` when there are none. */
const extent = (vs: readonly number[]): readonly [number, number] | undefined => {
  const fin = vs.filter(Number.isFinite);
  return fin.length === 0 ? undefined : [Math.min(...fin), Math.max(...fin)];
};

/**
 * Renders series as an SVG line chart (a complete, standalone `<svg>` document with an XML prolog).
 * Axes get nice ticks and a grid; the legend sits in the corner of the plot that hides the least of the curves.
 */
export function lineChartSvg(series: readonly Series[], opts: LineChartOptions = {}): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 420;
  const margin = { top: opts.title === undefined ? 20 : 44, right: 24, bottom: opts.xLabel === undefined ? 40 : 58, left: opts.yLabel === undefined ? 56 : 74 };
  const plotW = Math.max(width - margin.left - margin.right, 10);
  const plotH = Math.max(height - margin.top - margin.bottom, 10);

  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xExt = opts.xDomain ?? extent(xs) ?? [0, 1];
  const yExt = opts.yDomain ?? extent(ys) ?? [0, 1];
  const niceX = niceTicks(xExt[0], xExt[1], 8, opts.integerX ?? false);
  const niceY = niceTicks(yExt[0], yExt[1], 6);
  const [x0, x1] = opts.xDomain ?? [niceX[0]!, niceX[niceX.length - 1]!];
  const [y0, y1] = opts.yDomain ?? [niceY[0]!, niceY[niceY.length - 1]!];
  const xTicks = axisTicks(x0, x1, 8, opts.integerX ?? false);
  const yTicks = axisTicks(y0, y1, 6);
  const sx = (x: number): number => margin.left + (x1 === x0 ? plotW / 2 : ((x - x0) / (x1 - x0)) * plotW);
  const sy = (y: number): number => margin.top + plotH - (y1 === y0 ? plotH / 2 : ((y - y0) / (y1 - y0)) * plotH);
  const inX = (v: number): boolean => v >= Math.min(x0, x1) - 1e-9 && v <= Math.max(x0, x1) + 1e-9;
  const inY = (v: number): boolean => v >= Math.min(y0, y1) - 1e-9 && v <= Math.max(y0, y1) + 1e-9;

  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  if (opts.title !== undefined)
    out.push(`<text x="${num(margin.left + plotW / 2)}" y="26" text-anchor="middle" font-size="15">${escapeXml(opts.title)}</text>`);

  // Grid and ticks.
  out.push(`<g class="grid" stroke="#e6e6e6" stroke-width="1">`);
  for (const v of xTicks.filter(inX)) out.push(`<line x1="${num(sx(v))}" y1="${margin.top}" x2="${num(sx(v))}" y2="${margin.top + plotH}"/>`);
  for (const v of yTicks.filter(inY)) out.push(`<line x1="${margin.left}" y1="${num(sy(v))}" x2="${margin.left + plotW}" y2="${num(sy(v))}"/>`);
  out.push(`</g>`);
  out.push(`<g class="axes" stroke="#333333" stroke-width="1" fill="none">`);
  out.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}"/>`);
  for (const v of xTicks.filter(inX)) out.push(`<line x1="${num(sx(v))}" y1="${margin.top + plotH}" x2="${num(sx(v))}" y2="${margin.top + plotH + 5}"/>`);
  for (const v of yTicks.filter(inY)) out.push(`<line x1="${margin.left - 5}" y1="${num(sy(v))}" x2="${margin.left}" y2="${num(sy(v))}"/>`);
  out.push(`</g>`);
  out.push(`<g class="tick-labels" fill="#333333">`);
  for (const v of xTicks.filter(inX))
    out.push(`<text x="${num(sx(v))}" y="${margin.top + plotH + 19}" text-anchor="middle">${formatTick(v, xTicks)}</text>`);
  for (const v of yTicks.filter(inY))
    out.push(`<text x="${margin.left - 8}" y="${num(sy(v) + 4)}" text-anchor="end">${formatTick(v, yTicks)}</text>`);
  out.push(`</g>`);
  if (opts.xLabel !== undefined)
    out.push(`<text x="${num(margin.left + plotW / 2)}" y="${height - 14}" text-anchor="middle" font-size="13">${escapeXml(opts.xLabel)}</text>`);
  if (opts.yLabel !== undefined) {
    const cy = num(margin.top + plotH / 2);
    out.push(`<text x="18" y="${cy}" text-anchor="middle" font-size="13" transform="rotate(-90 18 ${cy})">${escapeXml(opts.yLabel)}</text>`);
  }

  // Series, clipped to the plot area widened by a marker's reach, so a point on the frame (the first and
  // last epoch, an accuracy of 1) keeps its whole marker.
  const reach = MARKER_RADIUS + 1;
  out.push(
    `<defs><clipPath id="plot-area"><rect x="${margin.left - reach}" y="${margin.top - reach}" ` +
      `width="${plotW + 2 * reach}" height="${plotH + 2 * reach}"/></clipPath></defs>`,
  );
  out.push(`<g class="series" clip-path="url(#plot-area)">`);
  series.forEach((s, i) => {
    const style = PALETTE[i % PALETTE.length]!;
    const color = escapeXml(s.color ?? style.color);
    const dash = s.dash ?? style.dash;
    const dashAttr = dash === "" ? "" : ` stroke-dasharray="${escapeXml(dash)}"`;
    out.push(`<g data-series="${escapeXml(s.name)}">`);
    for (const run of finiteRuns(s.points)) {
      if (run.length > 1) {
        const pts = run.map(([x, y]) => `${num(sx(x))},${num(sy(y))}`).join(" ");
        out.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"${dashAttr} stroke-linejoin="round"/>`);
      }
      for (const [x, y] of run) out.push(`<circle cx="${num(sx(x))}" cy="${num(sy(y))}" r="${MARKER_RADIUS}" fill="${color}"/>`);
    }
    out.push(`</g>`);
  });
  out.push(`</g>`);

  // Legend, inside the plot.
  if (series.length > 0) {
    const rowH = 18;
    const boxW = 22 + 30 + Math.max(...series.map((s) => s.name.length)) * 7;
    const boxH = series.length * rowH + 8;
    // The corner whose box covers the fewest points of the curves (sampled along each segment); ties go to top-right.
    const samples = series.flatMap((s) =>
      finiteRuns(s.points).flatMap((run) =>
        run.flatMap(([x, y], j) => {
          const next = run[j + 1];
          if (next === undefined) return [[sx(x), sy(y)] as const];
          return Array.from({ length: 16 }, (_, k) => [sx(x + ((next[0] - x) * k) / 16), sy(y + ((next[1] - y) * k) / 16)] as const);
        }),
      ),
    );
    const corners = [
      [margin.left + plotW - boxW - 8, margin.top + 8],
      [margin.left + plotW - boxW - 8, margin.top + plotH - boxH - 8],
      [margin.left + 8, margin.top + 8],
      [margin.left + 8, margin.top + plotH - boxH - 8],
    ] as const;
    const covered = ([cx, cy]: readonly [number, number]): number =>
      samples.filter(([px, py]) => px >= cx - 4 && px <= cx + boxW + 4 && py >= cy - 4 && py <= cy + boxH + 4).length;
    const [bx, by] = corners.reduce((best, c) => (covered(c) < covered(best) ? c : best));
    out.push(`<g class="legend">`);
    out.push(`<rect x="${num(bx)}" y="${num(by)}" width="${num(boxW)}" height="${boxH}" fill="#ffffff" fill-opacity="0.85" stroke="#cccccc"/>`);
    series.forEach((s, i) => {
      const style = PALETTE[i % PALETTE.length]!;
      const color = escapeXml(s.color ?? style.color);
      const dash = s.dash ?? style.dash;
      const y = by + 4 + rowH * i + rowH / 2;
      out.push(
        `<line x1="${num(bx + 8)}" y1="${num(y)}" x2="${num(bx + 38)}" y2="${num(y)}" stroke="${color}" stroke-width="2"` +
          `${dash === "" ? "" : ` stroke-dasharray="${escapeXml(dash)}"`}/>`,
      );
      out.push(`<text x="${num(bx + 46)}" y="${num(y + 4)}" fill="#333333">${escapeXml(s.name)}</text>`);
    });
    out.push(`</g>`);
  }
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
