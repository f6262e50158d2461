import asyncify from "@jitl/quickjs-wasmfile-release-asyncify/wasm";
import sync from "@jitl/quickjs-wasmfile-release-sync/wasm";
import { inject } from "vitest";
import { Engine } from "../../src/engine/index.ts";
import { engineSuite } from "../engine/suite.ts";

// The same suite as in Node, inside workerd, with the wasm bundled as a compiled module.
engineSuite((options) => new Engine({ wasm: { sync, asyncify }, ...options }), () => inject("upstreamUrl"));
