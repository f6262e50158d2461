/** workerd's built-in module, for the Node-side type check (test/workers uses @cloudflare/workers-types). */
declare module "cloudflare:workers" {
  /** The Worker's bindings, readable while the isolate loads (before any request). */
  export const env: unknown;
}
