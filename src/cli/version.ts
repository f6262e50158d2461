import pkg from "../../package.json" with { type: "json" };

export const RATCHET_VERSION: string = pkg.version;
