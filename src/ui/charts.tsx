/** @jsxImportSource hono/jsx */
import type { HourBucket } from "./stats.ts";

const W = 600;
const H = 180;
const PAD = { left: 44, right: 8, top: 10, bottom: 24 };
const plotW = W - PAD.left - PAD.right;
const plotH = H - PAD.top - PAD.bottom;

const hourLabel = (d: Date) => `${String(d.getUTCHours()).padStart(2, "0")}h`;

/** Round axis maximum: 1, 2 or 5 times a power of ten at or above `value`. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((m) => m * power >= value) ?? 10) * power;
}

function Axes(props: { max: number; unit: string; buckets: HourBucket[] }) {
  const step = plotW / props.buckets.length;
  return (
    <g class="axes">
      {[0, 0.5, 1].map((f) => {
        const y = PAD.top + plotH * (1 - f);
        return (
          <g>
            <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} class="grid" />
            <text x={PAD.left - 4} y={y + 4} text-anchor="end">
              {`${+(props.max * f).toPrecision(3)}${props.unit}`}
            </text>
          </g>
        );
      })}
      {props.buckets.map((b, i) =>
        i % 4 === 0 ? (
          <text x={PAD.left + step * i + step / 2} y={H - 6} text-anchor="middle">
            {hourLabel(b.start)}
          </text>
        ) : null,
      )}
    </g>
  );
}

/** Runs per hour, stacked by status (completed below, failed above), as server-drawn SVG. */
export function RunsChart(props: { buckets: HourBucket[]; title: string }) {
  const max = niceMax(Math.max(...props.buckets.map((b) => b.completed + b.failed)));
  const step = plotW / props.buckets.length;
  const total = props.buckets.reduce((sum, b) => sum + b.completed + b.failed, 0);
  const failed = props.buckets.reduce((sum, b) => sum + b.failed, 0);
  const scale = (n: number) => (n / max) * plotH;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${props.title}: ${total} runs in the last 24 hours, ${failed} failed`}>
        <Axes max={max} unit="" buckets={props.buckets} />
        {props.buckets.map((b, i) => {
          const x = PAD.left + step * i + step * 0.15;
          const okH = scale(b.completed);
          const badH = scale(b.failed);
          return (
            <g>
              <title>{`${hourLabel(b.start)} UTC: ${b.completed} completed, ${b.failed} failed`}</title>
              {okH > 0 && <rect class="bar-ok" x={x} width={step * 0.7} y={PAD.top + plotH - okH} height={okH} />}
              {badH > 0 && <rect class="bar-bad" x={x} width={step * 0.7} y={PAD.top + plotH - okH - badH} height={badH} />}
            </g>
          );
        })}
      </svg>
      <figcaption>
        {props.title} (UTC hours) · <span class="key key-ok">completed</span> <span class="key key-bad">failed</span>
      </figcaption>
    </figure>
  );
}

const SERIES = [
  { key: "p50", class: "line-p50" },
  { key: "p90", class: "line-p90" },
  { key: "p99", class: "line-p99" },
] as const;

/** Duration percentiles (p50, p90, p99) per hour, as lines with a point per hour that had runs. */
export function DurationChart(props: { buckets: HourBucket[]; title: string }) {
  const max = niceMax(Math.max(0, ...props.buckets.map((b) => b.p99 ?? 0)));
  const step = plotW / props.buckets.length;
  const point = (i: number, v: number) => `${(PAD.left + step * i + step / 2).toFixed(1)},${(PAD.top + plotH - (v / max) * plotH).toFixed(1)}`;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${props.title}: p50, p90 and p99 per hour, at most ${max} ms`}>
        <Axes max={max} unit="ms" buckets={props.buckets} />
        {SERIES.map((s) => {
          const points = props.buckets.flatMap((b, i) => (b[s.key] === null ? [] : [point(i, b[s.key]!)]));
          return (
            <g class={s.class}>
              {points.length > 1 && <polyline points={points.join(" ")} fill="none" />}
              {points.map((p) => {
                const [cx, cy] = p.split(",");
                return <circle cx={cx} cy={cy} r="2.5" />;
              })}
            </g>
          );
        })}
      </svg>
      <figcaption>
        {props.title} · <span class="key key-p50">p50</span> <span class="key key-p90">p90</span> <span class="key key-p99">p99</span>
      </figcaption>
    </figure>
  );
}
