/** A failure the user can act on: printed as `error: <message>`, exit code 1. */
export class CliError extends Error {
  readonly exitCode: number = 1;
}

/** The command line itself is wrong: printed with a pointer to --help, exit code 2. */
export class UsageError extends CliError {
  override readonly exitCode = 2;
}

export interface ApiErrorBody {
  code: string;
  message: string;
  request_id?: string;
  details?: unknown;
}

/** The control API answered with an error envelope (or something that is not one). */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
    /** The raw response body, printed as is with --json. */
    readonly raw: unknown,
  ) {
    super(`${body.code}: ${body.message}`);
  }
}
