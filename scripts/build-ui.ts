/** Writes src/ui/generated/assets.ts (the dashboard's script and stylesheet) before the Worker is typechecked, tested or deployed. */
import { join } from "node:path";
import { buildUiAssets } from "./build/ui.ts";

await buildUiAssets(join(import.meta.dirname, ".."));
console.log("built the dashboard assets into src/ui/generated/assets.ts");
