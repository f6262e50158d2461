/**
 * A task's name: what the API deploys it as (PUT /api/v1/tasks/{name}) and the folder it lives
 * in under a local tasks folder. Starting with a letter or digit keeps "." and ".." out.
 */
export const TASK_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

/** The rule in words, for error messages. */
export const TASK_NAME_RULE = '1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';

export function isTaskName(name: string): boolean {
  return TASK_NAME.test(name);
}
