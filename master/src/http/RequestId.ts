import { randomUUID } from "node:crypto"

const acceptable = /^[A-Za-z0-9._-]{8,64}$/

/** Keeps a caller's (or proxy's) request id when it is sane, so logs can be joined end to end. */
export const pickRequestId = (incoming: string | undefined): string =>
  incoming !== undefined && acceptable.test(incoming) ? incoming : randomUUID()
