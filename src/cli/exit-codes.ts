/** Exit codes: 0 success; 1 the task or a test failed; 2 usage error or invalid task. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
