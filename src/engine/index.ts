/** The task engine: pure, host-neutral (Web-standard APIs only), shared by the Worker, the CLI and the MCP server. */
export { canonicalJson, documentFromFiles, filesFromDocument, hashDocument, parseJsonFile, restoreBundle, TASK_FILES, type TaskBundle, type TaskFiles } from "./bundle.ts";
export { BUNDLE_FORMAT, bundleDocumentSchema, metadataSchema, scheduleDeclarationSchema, testCaseSchema, type BundleDocument, type ScheduleDeclaration, type TaskMetadata, type TestCase } from "./documents.ts";
export { Engine, TRIGGERS, type EngineOptions, type EngineStats, type ExecuteRequest, type ExecutionResult, type TaskContext, type Trigger } from "./engine.ts";
export { GUEST_ERROR_CLASSES, LIMIT_ERROR_TYPES, type ExecutionError, type PlatformErrorType } from "./errors.ts";
export { checkSchemaDocument, compileSchema, type SchemaIssue } from "./json-schema.ts";
export { canonicalMemorySize, checkLimitRequest, DEFAULT_LIMITS, DEFAULT_MAXIMA, MIN_MEMORY_BYTES, parseMemorySize, type ExecutionLimits } from "./limits.ts";
export { diffExpected, matchesSubset } from "./match.ts";
export { createMockHttp } from "./mock-http.ts";
export { formatProblem, type Problem } from "./problems.ts";
export type { LogEntry, LogLevel } from "./sandbox/console-sink.ts";
export type { FetchFunction, HttpExchange, HttpTraceEntry } from "./sandbox/http-bridge.ts";
export type { PoolStats } from "./sandbox/pool.ts";
export type { CheckResult, FileReport } from "./validate.ts";
export { runTests, type RunTestsOptions, type TestOutcome, type TestReport } from "./test-runner.ts";
export { isSecretName, REDACTED, redactSecrets } from "./secrets.ts";
export { isTaskName, TASK_NAME, TASK_NAME_RULE } from "./task-name.ts";
export { utf8Exceeds } from "./utf8.ts";
