import { Data } from "effect"

/** A command failed for a reason a person can act on: printed as one line, exit status 1. */
export class CliError extends Data.TaggedError("CliError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/** Exit with status 1 without another line (the command already said what is wrong). */
export class QuietFailure extends Data.TaggedError("QuietFailure")<Record<never, never>> {}
