/** A minimal well-formedness check for the SVG the CLI writes (no XML parser is installed). */

/** Problems found in `text` as an XML document: unbalanced tags, stray `<`/`&`, a root other than `<svg>`. */
export function svgProblems(text: string): string[] {
  const problems: string[] = [];
  const body = text.replace(/^<\?xml[^?]*\?>\s*/, "");
  if (!body.startsWith("<svg")) problems.push("the document does not start with <svg");
  const stack: string[] = [];
  let roots = 0;
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(body); m !== null; m = tag.exec(body)) {
    const between = body.slice(last, m.index);
    if (between.includes("<")) problems.push(`stray '<' near ${JSON.stringify(between.slice(0, 40))}`);
    if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(between)) problems.push(`bare '&' in ${JSON.stringify(between.slice(0, 40))}`);
    last = tag.lastIndex;
    const [, close, name, , selfClose] = m;
    if (close === "/") {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? "nothing"}>`);
    } else if (selfClose !== "/") {
      if (stack.length === 0) roots++;
      stack.push(name!);
    } else if (stack.length === 0) roots++;
  }
  if (body.slice(last).trim() !== "") problems.push("text after the last tag");
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(", ")}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
