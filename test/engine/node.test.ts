import { inject } from "vitest";
import { createLocalEngine } from "../../src/ops/local-engine.ts";
import { engineSuite } from "./suite.ts";

engineSuite(createLocalEngine, () => inject("upstreamUrl"));
