/**
 * What an example says it prints, and whether a run printed it.
 *
 * An example's transcript is every run of `// ` comment lines that directly follows a line of code (no
 * blank line between): d2l's "code, then what it prints". Inside an expected line:
 * - numbers agree to two units of their last printed digit (`0.8371` accepts 0.8369…0.8373; integers exactly);
 * - a range `a–b` (en dash) is a timing, measured on a quiet machine. A busy one (CI, other jobs on the
 *   same cores) only makes a run slower, so the check is one-sided: the printed number must not be
 *   below a third of `a` (then the figure is stale, as "3.8–4.4 s" was for epochs of 0.3 s), and not
 *   above 20·`b` (a regression no load explains);
 * - `…` stands for any text (a random seed, a path);
 * - a line that is only `...` or `…` skips any number of printed lines.
 * A comment `CODE  ← does not compile: "MESSAGE"` is a claim about the compiler, not output (see {@link compileClaims}).
 */

/** A block of expected lines and where it starts in its file (1-based). */
export interface ExpectedBlock {
  readonly line: number;
  readonly lines: readonly string[];
}

/** A line of code the file says the compiler rejects, with the message it must give. */
export interface CompileClaim {
  readonly line: number;
  readonly code: string;
  readonly message: string;
}

const CLAIM = /^\/\/ (.+?)\s+← does not compile: "(.+)"$/;

/** The output transcript of an example's source: comment runs right after code. */
export function transcriptOf(source: string): ExpectedBlock[] {
  const blocks: ExpectedBlock[] = [];
  const lines = source.split("\n");
  let prev: "blank" | "code" | "comment" | "output" = "blank";
  let current: { line: number; lines: string[] } | undefined;
  lines.forEach((raw, i) => {
    const t = raw.trim();
    const isComment = t.startsWith("//");
    if (isComment && (prev === "code" || prev === "output") && !CLAIM.test(t)) {
      if (prev === "code" || current === undefined) {
        current = { line: i + 1, lines: [] };
        blocks.push(current);
      }
      current.lines.push(t === "//" ? "" : t.replace(/^\/\/ ?/, ""));
      prev = "output";
      return;
    }
    if (t === "") prev = "blank";
    else if (isComment) prev = prev === "output" ? "output" : "comment";
    else prev = "code";
    if (prev !== "output") current = undefined;
  });
  return blocks;
}

/** The `← does not compile` claims of a source file. */
export function compileClaims(source: string): CompileClaim[] {
  return source.split("\n").flatMap((raw, i) => {
    const m = raw.trim().match(CLAIM);
    return m === null ? [] : [{ line: i + 1, code: m[1]!, message: m[2]! }];
  });
}

const NUMBER = /(\d+(?:\.\d+)?)–(\d+(?:\.\d+)?)|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/g;

/** Why a printed line does not match an expected one, or undefined when it does. */
export function lineMismatch(expected: string, actual: string): string | undefined {
  // Build a regex of the expected line: text literally, numbers and ranges as captures, … as a wildcard.
  const checks: ((v: number) => string | undefined)[] = [];
  let pattern = "";
  let last = 0;
  const literal = (s: string): string =>
    s.split("…").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*?");
  for (const m of expected.matchAll(NUMBER)) {
    pattern += literal(expected.slice(last, m.index));
    last = m.index + m[0].length;
    pattern += "(-?\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?)";
    if (m[1] !== undefined) {
      const lo = Number(m[1]);
      const hi = Number(m[2]);
      checks.push((v) => (v >= lo / 3 && v <= hi * 20 ? undefined : `${v} is far outside the stated ${m[0]}`));
    } else {
      const want = Number(m[0]);
      const decimals = m[0].match(/\.(\d+)/)?.[1]?.length ?? 0;
      const tol = m[0].includes("e") ? Math.abs(want) * 1e-3 : 2 * 10 ** -decimals + 1e-12;
      checks.push((v) => (Math.abs(v - want) <= (decimals === 0 && !m[0].includes("e") ? 0 : tol) ? undefined : `${v} where ${m[0]} is written`));
    }
  }
  pattern += literal(expected.slice(last));
  const got = actual.trimEnd().match(new RegExp(`^${pattern}$`));
  if (got === null) return `the text differs`;
  for (let k = 0; k < checks.length; k++) {
    const why = checks[k]!(Number(got[k + 1]));
    if (why !== undefined) return why;
  }
  return undefined;
}

const SKIP = /^(\.\.\.|…)$/;

/**
 * Checks that every block appears in the printed lines, blocks in order, each block's lines
 * consecutive except where it skips. Returns the problems, one sentence each (empty when all match).
 */
export function transcriptProblems(name: string, blocks: readonly ExpectedBlock[], printed: string): string[] {
  const out = printed.split("\n").map((l) => l.trimEnd());
  const problems: string[] = [];
  let from = 0;
  for (const block of blocks) {
    const first = block.lines[0]!;
    let found = -1;
    let why = "";
    for (let at = from; at < out.length && found < 0; at++) {
      const r = matchBlock(block.lines, out, at);
      if (r.ok) found = r.end;
      else if (lineMismatch(first, out[at]!) === undefined && why === "") why = r.why;
    }
    if (found < 0) {
      const near = out.slice(from).find((l) => sameText(first, l));
      const detail = why !== "" ? why : near !== undefined ? `printed "${near}": ${lineMismatch(first, near)}` : "no such line was printed";
      problems.push(`${name}:${block.line}: "${first}" — ${detail}`);
    } else from = found;
  }
  return problems;
}

/** Whether two lines differ only in their numbers (to report the nearest printed line). */
function sameText(expected: string, actual: string): boolean {
  const strip = (s: string) => s.replace(NUMBER, "#").replace(/…/g, "");
  return strip(expected).split("#")[0] === strip(actual).split("#")[0];
}

function matchBlock(lines: readonly string[], out: readonly string[], at: number): { ok: true; end: number } | { ok: false; why: string } {
  let j = at;
  for (let i = 0; i < lines.length; i++) {
    const want = lines[i]!;
    if (SKIP.test(want.trim())) {
      const next = lines[i + 1];
      if (next === undefined) return { ok: true, end: out.length };
      while (j < out.length && lineMismatch(next, out[j]!) !== undefined) j++;
      continue;
    }
    const have = out[j];
    if (have === undefined) return { ok: false, why: `"${want}" — the output ended` };
    const why = lineMismatch(want, have);
    if (why !== undefined) return { ok: false, why: `"${want}" — printed "${have}": ${why}` };
    j++;
  }
  return { ok: true, end: j };
}
