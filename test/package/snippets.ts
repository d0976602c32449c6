/**
 * The code blocks of the README and docs, sorted by what a reader can do with them:
 * - a `ts` block that imports from "tenfold" is a program: pasted into a project that installed the
 *   package, it compiles and runs;
 * - any other `ts` block is an excerpt of an example: its lines appear, in order, in one `examples/*.ts`;
 * - a plain block is printed output, and says whose in an HTML comment on the line before it:
 *   `<!-- output -->` for the program just above, `<!-- output of examples/NAME.ts -->` for an example;
 * - `sh` blocks are commands and are not run; `text` blocks are neither code nor output (a file tree).
 */

/** One fenced block of a markdown file. */
export interface Block {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly code: string;
  /** The `<!-- … -->` comment on the line before the fence, if any. */
  readonly marker: string | undefined;
}

/** The fenced blocks of a markdown text. */
export function blocksOf(file: string, markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i]!.match(/^```(\w*)\s*$/);
    if (open === null) continue;
    const end = lines.findIndex((l, k) => k > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${file}:${i + 1}: unclosed code block`);
    const before = i > 0 ? lines[i - 1]!.match(/^<!--\s*(.+?)\s*-->$/) : null;
    blocks.push({ file, line: i + 1, lang: open[1]!, code: lines.slice(i + 1, end).join("\n"), marker: before?.[1] });
    i = end;
  }
  return blocks;
}

/** Whether a `ts` block is a whole program (it imports the package). */
export const isProgram = (b: Block): boolean => /from "tenfold(\/testing)?"/.test(b.code);

/** The example a marker names (`output of examples/x.ts` → `x`), or undefined. */
export function outputOf(b: Block): "above" | { readonly example: string } | undefined {
  if (b.marker === "output") return "above";
  const m = b.marker?.match(/^output of examples\/([\w-]+)\.ts$/);
  return m === undefined || m === null ? undefined : { example: m[1]! };
}

const squash = (s: string): string => s.trim().replace(/\s+/g, " ");

/**
 * Where an excerpt comes from: the first example whose source holds the excerpt's non-blank lines in
 * order (whitespace inside a line normalised), or undefined.
 */
export function sourceOfExcerpt(excerpt: string, examples: ReadonlyMap<string, string>): string | undefined {
  const want = excerpt.split("\n").map(squash).filter((l) => l !== "");
  for (const [name, source] of examples) {
    const have = source.split("\n").map(squash);
    let at = 0;
    let ok = true;
    for (const line of want) {
      const k = have.indexOf(line, at);
      if (k < 0) {
        ok = false;
        break;
      }
      at = k + 1;
    }
    if (ok) return name;
  }
  return undefined;
}

/** An example's source as a consumer writes it: imports from the package instead of `../src`. */
export const asConsumer = (source: string): string =>
  source.replace(/from "\.\.\/src\/(index|node)\.js"/g, 'from "tenfold"').replace(/from "\.\.\/src\/testing\/index\.js"/g, 'from "tenfold/testing"');

/** The packages the `npm install` lines of `sh` blocks name (flags and comments left out). */
export function installedBy(blocks: readonly Block[]): string[] {
  return blocks
    .filter((b) => b.lang === "sh")
    .flatMap((b) => b.code.split("\n"))
    .map((l) => l.replace(/#.*$/, "").trim())
    .filter((l) => /^npm (install|i)\s/.test(l))
    .flatMap((l) => l.split(/\s+/).slice(2).filter((w) => !w.startsWith("-")));
}
