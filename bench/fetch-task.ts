/** The bench's fetch-bound task: one fetch of a slow local server. Deployed by bench/worker.ts, run bare by bench/workers/breakdown.ts. */
export function fetchTaskDocument() {
  return {
    format: "ratchet.bundle/1",
    metadata: { uuid: "5b0e6c2a-3f7d-4b8e-9c1a-2d4e6f8a0b1c", version: "1.0.0", label: "Bench fetch", description: "one fetch of a slow local server", tags: ["bench"] },
    code: "(function(input) { var r = fetch(input.url); return { status: r.status, ok: r.body.ok }; })",
    input_schema: { type: "object", required: ["url"], properties: { url: { type: "string" } } },
    output_schema: { type: "object", required: ["status", "ok"], properties: { status: { type: "number" }, ok: { type: "boolean" } } },
    tests: [],
  };
}
