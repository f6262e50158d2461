/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";

/** A status as text and colour (never colour alone). */
export function Status(props: { status: string | null | undefined }) {
  if (!props.status) return <span class="muted">—</span>;
  return <span class={`status status-${props.status === "completed" ? "ok" : props.status === "failed" ? "bad" : "other"}`}>{props.status}</span>;
}

/** A time in UTC, machine-readable too. */
export function When(props: { at: string | null | undefined }) {
  if (!props.at) return <span class="muted">—</span>;
  return <time datetime={props.at}>{props.at.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC")}</time>;
}

export const ms = (value: number | null | undefined) => (value === null || value === undefined ? "—" : value < 10 ? `${value.toFixed(2)} ms` : `${Math.round(value)} ms`);

/** A JSON value, pretty-printed, in a scrollable block. */
export function Json(props: { value: unknown; label: string }) {
  return (
    <pre class="json" tabindex={0} aria-label={props.label}>
      {JSON.stringify(props.value ?? null, null, 2)}
    </pre>
  );
}

export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

/** A titled section of a page. */
export function Panel(props: { title: string; id?: string; children: Child }) {
  const id = props.id ?? props.title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return (
    <section class="panel" aria-labelledby={`h-${id}`}>
      <h2 id={`h-${id}`}>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** A message box after an action: what happened, or what went wrong. */
export function Notice(props: { kind: "ok" | "error"; children: Child }) {
  return (
    <p class={`notice notice-${props.kind}`} role={props.kind === "error" ? "alert" : "status"}>
      {props.children}
    </p>
  );
}
