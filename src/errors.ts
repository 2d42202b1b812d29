/**
 * Every error class of the suite, in one place. The CLI maps them to exit codes: a SpecError,
 * UsageError or RunError is exit 2 with its one-line message; anything else is an internal error.
 */

/** A problem with the spec file (unreadable, not OpenAPI 3.0/3.1, no such operation...). */
export class SpecError extends Error {
  override name = 'SpecError';
}

/** Bad input from the user: a flag, a variable, an expectations or report file. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The run cannot be made against this target (unreachable, key refused, asset missing...). */
export class RunError extends Error {
  override name = 'RunError';
}

/** Thrown by the client once the request budget is spent or the run was stopped: nothing more is sent. */
export class StopSending extends Error {
  override name = 'StopSending';
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** A fault of the suite itself (never of the target): a property that failed outside its checks. */
export class InternalError extends Error {
  override name = 'InternalError';
}
