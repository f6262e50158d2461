/** @jsxImportSource hono/jsx */
import { highlightLines } from "./highlight.ts";

/** main.js with line numbers and highlighting; `mark` highlights a line (the failing one). */
export function CodeView(props: { code: string; label: string; mark?: number }) {
  const lines = highlightLines(props.code);
  return (
    <div class="code" tabindex={0} role="region" aria-label={props.label}>
      <ol>
        {lines.map((segments, i) => (
          <li id={`L${i + 1}`} class={props.mark === i + 1 ? "marked" : undefined}>
            <code>{segments.length === 0 ? " " : segments.map((s) => (s.kind ? <span class={`t-${s.kind}`}>{s.text}</span> : s.text))}</code>
          </li>
        ))}
      </ol>
    </div>
  );
}
