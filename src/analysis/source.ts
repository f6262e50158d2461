/** A point in main.js, 1-based as stacks print it. */
export interface SourceLocation {
  line: number;
  column: number;
}

export interface ContextLine {
  line: number;
  text: string;
  failing: boolean;
}

/** The innermost `main.js:LINE:COL` of a guest stack: where the error was raised. */
export function locationFromStack(stack: string | undefined): SourceLocation | undefined {
  const at = /main\.js:(\d+):(\d+)/.exec(stack ?? "");
  return at ? { line: Number(at[1]), column: Number(at[2]) } : undefined;
}

/** The failing line with `radius` lines either side. */
export function contextLines(code: string, line: number, radius = 3): ContextLine[] {
  const lines = code.split(/\r?\n/);
  const first = Math.max(1, line - radius);
  const last = Math.min(lines.length, line + radius);
  const out: ContextLine[] = [];
  for (let n = first; n <= last; n++) out.push({ line: n, text: lines[n - 1] ?? "", failing: n === line });
  return out;
}

/** The first lines of a stack: a runaway recursion prints thousands of identical frames. */
export function shortStack(stack: string | undefined, frames = 8): string | undefined {
  if (stack === undefined) return undefined;
  const lines = stack.split("\n");
  if (lines.length <= frames) return stack;
  return [...lines.slice(0, frames), `    ... ${lines.length - frames} more frames`].join("\n");
}
