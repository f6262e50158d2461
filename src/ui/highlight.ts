import { tokenizer, type Token } from "acorn";

/** A run of source text and the class it is shown with ("" for plain). */
export interface Segment {
  text: string;
  kind: string;
}

function kindOf(token: Token): string {
  const type = token.type;
  if (type.keyword) return "kw";
  switch (type.label) {
    case "string":
    case "template":
      return "str";
    case "num":
    case "bigint":
      return "num";
    case "regexp":
      return "re";
    case "name":
      return "name";
    default:
      return "";
  }
}

/**
 * main.js as lines of classed segments, tokenized by acorn (the parser the linter and the
 * analysis already use). Code acorn cannot tokenize to the end is shown plain from there on.
 */
export function highlightLines(code: string): Segment[][] {
  const marks: { start: number; end: number; kind: string }[] = [];
  try {
    for (const token of tokenizer(code, { ecmaVersion: "latest", allowHashBang: true, onComment: (_block, _text, start, end) => marks.push({ start, end, kind: "com" }) })) {
      marks.push({ start: token.start, end: token.end, kind: kindOf(token) });
    }
  } catch {
    // Tokens up to the error are kept; the rest stays plain.
  }
  marks.sort((a, b) => a.start - b.start);
  const segments: Segment[] = [];
  let at = 0;
  for (const mark of marks) {
    if (mark.start < at) continue;
    if (mark.start > at) segments.push({ text: code.slice(at, mark.start), kind: "" });
    segments.push({ text: code.slice(mark.start, mark.end), kind: mark.kind });
    at = mark.end;
  }
  if (at < code.length) segments.push({ text: code.slice(at), kind: "" });
  const lines: Segment[][] = [[]];
  for (const segment of segments) {
    segment.text.split(/\r?\n/).forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part !== "") lines.at(-1)!.push({ text: part, kind: segment.kind });
    });
  }
  // A final newline ends the last line; it does not start an empty one.
  if (lines.length > 1 && lines.at(-1)!.length === 0 && /\n$/.test(code)) lines.pop();
  return lines;
}
