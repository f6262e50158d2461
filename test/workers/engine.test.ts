import asyncify from "@jitl/quickjs-wasmfile-release-asyncify/wasm";
import sync from "@jitl/quickjs-wasmfile-release-sync/wasm";
import { inject } from "vitest";
import { Engine, parseAllowList } from "../../src/engine/index.ts";
import { engineSuite } from "../engine/suite.ts";

// The same suite as in Node, inside workerd, with the wasm bundled as a compiled module; the
// upstream is on loopback, which only a local deployment opens.
engineSuite((options) => new Engine({ wasm: { sync, asyncify }, egress: { allow: parseAllowList("127.0.0.1", "test") }, ...options }), () => inject("upstreamUrl"));
