/** Bundlers (esbuild's text loader for the CLI and serve Worker, wrangler's Text rule, the test config's plugin) import Markdown as its text. */
declare module "*.md" {
  const text: string;
  export default text;
}
