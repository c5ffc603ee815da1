import type { Problem } from './client.js';

export const EXIT = { ok: 0, rejected: 1, usage: 2 } as const;

/** An error the CLI reports as one line and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly problem?: Problem,
  ) {
    super(message);
  }
}
