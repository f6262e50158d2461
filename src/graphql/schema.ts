import { TRIGGERS } from "../engine/index.ts";

/**
 * The GraphQL schema. Field names are the REST API's JSON names (src/platform/views.ts), so a
 * document read through either front door looks the same and the views stay the one shape.
 * Lists are connections ({ nodes, pageInfo { endCursor hasNextPage } }); pass `endCursor` back
 * as `after` for the next page. Enum values come from the engine's own lists, so they cannot drift.
 */
export const typeDefs = /* GraphQL */ `
  "Any JSON value: task inputs and outputs, schemas, bundles, logs."
  scalar JSON

  enum ExecutionStatus {
    completed
    failed
  }

  enum Trigger {
    ${TRIGGERS.join("\n    ")}
  }

  type PageInfo {
    "Pass it as \`after\` to read the next page; null on an empty page."
    endCursor: String
    hasNextPage: Boolean!
  }

  type Version {
    id: ID!
    version: String!
    hash: String!
    label: String
    description: String
    tags: [String!]!
    test_count: Int!
    created_at: String!
  }

  type Task {
    name: String!
    enabled: Boolean!
    created_at: String!
    updated_at: String!
    current_version: Version!
    metadata: JSON!
    input_schema: JSON!
    output_schema: JSON!
    "Every deployed version, newest first."
    versions: [Version!]!
    schedules: [Schedule!]!
    "This task's executions, newest first."
    executions(first: Int = 20, after: String, status: ExecutionStatus, trigger: Trigger, since: String, until: String): ExecutionConnection!
  }

  type TaskConnection {
    nodes: [Task!]!
    pageInfo: PageInfo!
  }

  type Execution {
    id: ID!
    task: String!
    version: String!
    trigger: Trigger!
    status: ExecutionStatus!
    attempt: Int!
    schedule_id: String
    retry_of: String
    error_type: String
    started_at: String!
    duration_ms: Float!
    "The input as recorded: secrets redacted."
    input: JSON
    output: JSON
    error: JSON
    logs: JSON
    "The HTTP trace: every request the task made and its answer."
    http: JSON
    timings: JSON
    "The schedule that started it, for scheduled runs."
    schedule: Schedule
  }

  type ExecutionConnection {
    nodes: [Execution!]!
    pageInfo: PageInfo!
  }

  type RetryPolicy {
    max_attempts: Int!
    backoff_seconds: Int!
  }

  type LastRun {
    at: String!
    status: String
    execution_id: String
  }

  type ScheduleCounts {
    runs: Int!
    failures: Int!
  }

  "One slot of a schedule and its attempts."
  type ScheduleRun {
    slot: String!
    status: String!
    attempts: Int!
    next_attempt_at: String
    updated_at: String!
    first_execution: Execution
    last_execution: Execution
  }

  type Schedule {
    id: ID!
    task: String!
    cron: String!
    timezone: String!
    granularity: String!
    note: String
    input: JSON
    enabled: Boolean!
    paused_reason: String
    retry: RetryPolicy!
    catch_up: String!
    next_run_at: String
    "The next five run times (empty when disabled)."
    next_runs: [String!]!
    last_run: LastRun
    counts: ScheduleCounts!
    source: String!
    created_at: String!
    updated_at: String!
    "The newest slots first."
    runs(limit: Int = 20): [ScheduleRun!]!
  }

  type Query {
    "Tasks by name; q matches name, label or description, tag one of the current version's tags."
    tasks(first: Int = 50, after: String, q: String, tag: String): TaskConnection!
    task(name: String!): Task
    "Executions newest first; since and until are ISO-8601 times bounding started_at."
    executions(first: Int = 50, after: String, task: String, status: ExecutionStatus, trigger: Trigger, since: String, until: String): ExecutionConnection!
    execution(id: ID!): Execution
    schedules(task: String): [Schedule!]!
    schedule(id: ID!): Schedule
  }

  "The answer of executeTask: a task that ran and failed is an answer too (status failed, its error), not a GraphQL error."
  type ExecutionResult {
    execution_id: ID!
    status: ExecutionStatus!
    output: JSON
    error: JSON
    logs: JSON!
    duration_ms: Float!
    "The recorded execution."
    execution: Execution
  }

  type DeployResult {
    "created (a new version), switched (an existing version with this content made current again) or unchanged."
    outcome: String!
    task: Task!
    "Problems that do not stop the deploy."
    warnings: JSON!
  }

  type DeleteResult {
    deleted: ID!
  }

  type Mutation {
    "Runs the task (its current version, or version) with input; needs the execute scope."
    executeTask(name: String!, input: JSON!, version: String): ExecutionResult!
    "Deploys a bundle document (as PUT /api/v1/tasks/{name} takes it); needs the deploy scope."
    deployTask(name: String!, bundle: JSON!): DeployResult!
    "Makes an earlier version current again; needs the deploy scope."
    rollbackTask(name: String!, version: String!): Task!
    "The schedule document of POST /api/v1/schedules ({ task, cron, timezone?, input?, enabled?, retry?, catch_up? }); needs the deploy scope."
    createSchedule(input: JSON!): Schedule!
    "The change of PATCH /api/v1/schedules/{id}; needs the deploy scope."
    updateSchedule(id: ID!, change: JSON!): Schedule!
    deleteSchedule(id: ID!): DeleteResult!
  }
`;
