import { readFile } from "node:fs/promises";
import { resolve } from "node:path";

/**
 * The task guide users follow, as the product ships it (docs/, served as ratchet://guide);
 * test/mcp/server.test.ts proves it equal to shared/spec's whenever that lies beside the clone.
 */
export const GUIDE_PATH = resolve(import.meta.dirname, "../../docs/ratchet-task-guide.md");

export interface CodeBlock {
  language: string;
  code: string;
  /** The prose and headings between the previous block and this one: says which file a block is. */
  before: string;
}

export async function readGuide(): Promise<string> {
  return readFile(GUIDE_PATH, "utf8").catch(() => {
    throw new Error(`the task guide is not at ${GUIDE_PATH}: these tests follow it as written`);
  });
}

/** The text under a heading, up to the next heading of the same or a higher level. */
export function section(guide: string, heading: string): string {
  const lines = guide.split("\n");
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start < 0) throw new Error(`the guide has no heading "${heading}"`);
  const level = heading.indexOf(" ");
  let end = start + 1;
  let fenced = false;
  for (; end < lines.length; end++) {
    const line = lines[end]!;
    if (line.startsWith("```")) fenced = !fenced;
    const match = /^(#+) /.exec(line);
    if (!fenced && match && match[1]!.length <= level) break;
  }
  return lines.slice(start + 1, end).join("\n");
}

/** The fenced code blocks of a text, in order, each with the prose before it. */
export function codeBlocks(text: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const pattern = /```(\w*)\n([\s\S]*?)```/g;
  let last = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    blocks.push({ language: match[1]!, code: match[2]!, before: text.slice(last, match.index) });
    last = match.index + match[0].length;
  }
  return blocks;
}

/** The task file a non-shell block of a walkthrough replaces, from the prose before it. */
export function targetFile(block: CodeBlock): string {
  const named = /`?([\w.-]+\.(?:json|js))`?/.exec(block.before.split("\n").filter((line) => line.trim()).at(-1) ?? "");
  if (named) return named[1]!;
  if (/Input Schema/.test(block.before)) return "input.schema.json";
  if (/Implementation/.test(block.before)) return "main.js";
  throw new Error(`cannot tell which file this ${block.language} block of the guide is: ${block.before.trim().slice(-120)}`);
}

/**
 * One bash script doing what a walkthrough says, in order: its shell blocks as written, and each
 * file it shows written whole (the guide says "Edit input.schema.json:" and shows the result).
 */
export function walkthroughScript(blocks: CodeBlock[]): string {
  const steps = blocks.map((block) => {
    if (block.language === "bash") return block.code;
    const file = targetFile(block);
    return `cat > ${file} << 'RATCHET_GUIDE_EOF'\n${block.code}RATCHET_GUIDE_EOF\n`;
  });
  return ["set -euo pipefail", ...steps].join("\n");
}

/** The JSON values printed one after another (each run-once prints its output). */
export function jsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"' && depth > 0) inString = true;
    else if (char === "{" || char === "[") {
      if (depth === 0) start = i;
      depth++;
    } else if ((char === "}" || char === "]") && depth > 0) {
      depth--;
      if (depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return values;
}
