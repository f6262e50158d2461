/** Where a command writes: results to stdout, logs and diagnostics to stderr. Tests pass their own. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** The platform's fetch for local runs. */
export const platformFetch = (request: Request): Promise<Response> => fetch(request);
