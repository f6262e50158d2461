import type { Rule } from "../types.ts";
import { fetchNotAllowed } from "./fetch-not-allowed.ts";
import { fetchStatus } from "./fetch-status.ts";
import { fetchThen } from "./fetch-then.ts";
import { functionWrapper } from "./function-wrapper.ts";
import { noImport } from "./no-import.ts";
import { noNodeApi } from "./no-node-api.ts";
import { noRequire } from "./no-require.ts";
import { secretInLog } from "./secret-in-log.ts";
import { swallowedCatch } from "./swallowed-catch.ts";
import { throwString } from "./throw-string.ts";

/** The task guide's do's and don'ts for main.js, one rule each. */
export const RULES: readonly Rule[] = [functionWrapper, noRequire, noImport, noNodeApi, fetchThen, fetchStatus, fetchNotAllowed, throwString, swallowedCatch, secretInLog];
