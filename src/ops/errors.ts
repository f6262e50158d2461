/** A mistake in how an operation was called (a missing folder, an argument that is not JSON); the CLI exits with its usage code. */
export class UsageError extends Error {
  override name = "UsageError";
}
