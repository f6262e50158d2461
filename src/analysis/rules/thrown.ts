import { GUEST_ERROR_CLASSES } from "../../engine/index.ts";
import type { Rule } from "../types.ts";

const GUEST_MEANINGS: Record<(typeof GUEST_ERROR_CLASSES)[number], string> = {
  NetworkError: "the task reported a failed request",
  DataError: "the task found the data wrong or missing (input or API answer) and stopped",
  ValidationError: "the task judged a value invalid",
  TimeoutError: "the task reported that something took too long",
  AuthenticationError: "the task reported missing or rejected credentials",
  RateLimitError: "the task reported that an API limited its requests",
};

const ENGINE_MEANINGS: Record<string, { meaning: string; fixes: string[] }> = {
  SandboxError: {
    meaning: "SandboxError: the run could not be completed in the sandbox; most often the task made a different request when it was run again with the answers to its earlier ones (it depends on something other than its input, the clock, Math.random and its fetch answers).",
    fixes: ["Make the requests depend only on the input and earlier answers.", "Run it again: if it passes, report the failing execution with its trace."],
  },
  SandboxBusyError: { meaning: "SandboxBusyError: every sandbox was busy and the run did not start in time.", fixes: ["Run it again shortly; lower the parallelism of batches."] },
  ReferenceError: { meaning: "ReferenceError: the code used a name that is not defined.", fixes: ["Check the spelling; Node APIs (require, process, Buffer) do not exist in the sandbox."] },
  SyntaxError: { meaning: "SyntaxError: code given to JSON.parse or eval did not parse.", fixes: ["Check the text before parsing it; fetch already parses JSON answers into response.body."] },
};

/** What the task threw itself, or any other error: names it, points at the line, says what to check. */
export const thrownRule: Rule = ({ record, location }) => {
  const { type, message } = record.error;
  const guest = GUEST_MEANINGS[type as keyof typeof GUEST_MEANINGS];
  const engine = ENGINE_MEANINGS[type];
  const where = location ? ` at main.js line ${location.line}` : "";
  return {
    rule: guest ? "thrown/declared" : engine ? `engine/${type}` : "thrown/other",
    meaning: guest ? `${type}: one of the error classes the guide gives tasks: ${guest}.` : (engine?.meaning ?? `${type}: an error raised while the task ran.`),
    cause: `${type} raised${where}: ${message}`,
    fixes: guest
      ? ["Read the message and the condition that throws it at the failing line; check the input or API answer it judged.", "If this outcome is expected for this input, record it as a test with expected_error."]
      : (engine?.fixes ?? ["Read the failing line and the logs (ratchet_get_execution_logs) just before it."]),
    details: {},
  };
};
