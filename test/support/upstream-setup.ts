import type { TestProject } from "vitest/node";
import { startUpstream } from "./upstream.ts";

declare module "vitest" {
  export interface ProvidedContext {
    upstreamUrl: string;
  }
}

/** Starts the 127.0.0.1 upstream once per test run and tells the tests its address. */
export default async function setup(project: TestProject) {
  const upstream = await startUpstream();
  project.provide("upstreamUrl", upstream.url);
  return () => upstream.close();
}
