/**
 * The public API as TypeDoc sees it (its JSON output): every export of the entry points, whether it is
 * a value or a type, and the `@example` blocks of its doc comments.
 */

/** The parts of TypeDoc's JSON reflections read here. */
interface Reflection {
  readonly id: number;
  readonly name: string;
  readonly kind: number;
  readonly children?: readonly Reflection[];
  readonly signatures?: readonly Reflection[];
  readonly comment?: { readonly blockTags?: readonly { readonly tag: string; readonly content: readonly { readonly text: string }[] }[] };
  readonly target?: number;
}

// TypeDoc's ReflectionKind values.
const MODULE = 2;
const NAMESPACE = 4;
const VARIABLE = 32;
const FUNCTION = 64;
const CLASS = 128;
const INTERFACE = 256;
const TYPE_ALIAS = 2097152;
const REFERENCE = 4194304;

/** One public export. */
export interface ApiExport {
  /** The entry point: "tenfold" or "tenfold/testing". */
  readonly entry: string;
  /** Its path from the entry, `nn.crossEntropy`. */
  readonly path: string;
  readonly kind: "value" | "function" | "type" | "namespace";
  /** The code of its `@example` blocks (of the export or any of its signatures). */
  readonly examples: readonly string[];
}

const ENTRIES: Record<string, string> = { node: "tenfold", index: "tenfold", "testing/index": "tenfold/testing", testing: "tenfold/testing" };

/** Every export of the documented entry points, namespaces flattened (`nn.linear`). */
export function apiExports(project: Reflection): ApiExport[] {
  const byId = new Map<number, Reflection>();
  const index = (r: Reflection): void => {
    byId.set(r.id, r);
    for (const c of r.children ?? []) index(c);
  };
  index(project);
  const out: ApiExport[] = [];
  const walk = (r: Reflection, entry: string, prefix: string): void => {
    for (const c0 of r.children ?? []) {
      const c = c0.kind === REFERENCE && c0.target !== undefined ? { ...(byId.get(c0.target) ?? c0), name: c0.name } : c0;
      const path = `${prefix}${c.name}`;
      const kind = c.kind === NAMESPACE ? "namespace" : c.kind === FUNCTION ? "function" : c.kind === INTERFACE || c.kind === TYPE_ALIAS ? "type" : c.kind === VARIABLE || c.kind === CLASS ? "value" : undefined;
      if (kind === undefined) continue;
      out.push({ entry, path, kind, examples: examplesOf(c) });
      if (c.kind === NAMESPACE) walk(c, entry, `${path}.`);
    }
  };
  const modules = project.kind === MODULE || project.children?.every((c) => c.kind === MODULE) ? project.children ?? [] : [project];
  for (const m of modules) walk(m, ENTRIES[m.name] ?? m.name, "");
  return out;
}

/**
 * The code of the `@example` blocks of an export: those of its own comment, or else of its signatures'
 * (overloads documented one by one), fences removed and duplicates dropped. A variable converted with
 * `@function` keeps its type's signatures with their comments, which for `pipe` are fp-ts's, not ours.
 */
function examplesOf(r: Reflection): string[] {
  const blocks = (c: Reflection["comment"]): string[] =>
    (c?.blockTags ?? [])
      .filter((t) => t.tag === "@example")
      .flatMap((t) => {
        const text = t.content.map((p) => p.text).join("");
        const fenced = [...text.matchAll(/```(?:ts|typescript)?\n([\s\S]*?)```/g)].map((m) => m[1]!);
        return fenced.length > 0 ? fenced : [text];
      });
  const own = blocks(r.comment);
  return [...new Set(own.length > 0 ? own : (r.signatures ?? []).flatMap((s) => blocks(s.comment)))];
}

/**
 * An example as a file of its own: an import of every top-level export of its entry (and of "tenfold"
 * for the testing kit), except the names the example imports itself, then its code.
 */
export function exampleFile(example: string, entry: string, all: readonly ApiExport[]): string {
  const own = new Set(
    [...example.matchAll(/^import\s+(?:type\s+)?\{([^}]*)\}\s+from/gm)].flatMap((m) =>
      m[1]!.split(",").map((n) => n.trim().replace(/^type\s+/, "").split(/\s+as\s+/).at(-1)!).filter((n) => n !== ""),
    ),
  );
  const importsOf = (from: string, skip: ReadonlySet<string>): string => {
    const names = all
      .filter((e) => e.entry === from && !e.path.includes(".") && !skip.has(e.path) && !own.has(e.path))
      .map((e) => (e.kind === "type" ? `type ${e.path}` : e.path));
    return names.length === 0 ? "" : `import { ${names.join(", ")} } from "${from}";\n`;
  };
  if (entry === "tenfold") return `${importsOf("tenfold", new Set())}\n${example.trimEnd()}\n`;
  const kit = new Set(all.filter((e) => e.entry === entry && !e.path.includes(".")).map((e) => e.path));
  return `${importsOf(entry, new Set())}${importsOf("tenfold", kit)}\n${example.trimEnd()}\n`;
}
