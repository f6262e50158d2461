import guide from "../../docs/ratchet-task-guide.md";

/** The task guide, shipped with the product so agents can read the manual from the server (ratchet://guide). */
export const TASK_GUIDE: string = guide;
