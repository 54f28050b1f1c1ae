/**
 * Every failure the UI shows, in one shape: the contract's stable `code` and the master's `message`
 * (already in the UI language, because requests carry Accept-Language), field messages from
 * `ValidationFailed`, and the error's other fields (a rejection reason, who holds a device).
 */
export interface UiError {
  readonly code: string
  readonly message: string
  /** Field path (dot-joined) → message, from ValidationFailed's issues. */
  readonly fields: Readonly<Record<string, string>>
  readonly details: Readonly<Record<string, unknown>>
}

/** Codes the UI makes up for failures that never reached the master's error envelope. */
export const clientCodes = { network: "NETWORK", unexpected: "UNEXPECTED" } as const

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null

export const isUiError = (value: unknown): value is UiError =>
  isRecord(value) && typeof value["code"] === "string" && typeof value["message"] === "string" && isRecord(value["fields"])

const fieldsOf = (issues: unknown): Record<string, string> => {
  const fields: Record<string, string> = {}
  if (!Array.isArray(issues)) return fields
  for (const issue of issues) {
    if (!isRecord(issue) || !Array.isArray(issue["path"])) continue
    const path = (issue["path"] as ReadonlyArray<unknown>).map(String).join(".")
    if (path.length > 0 && !(path in fields)) fields[path] = String(issue["message"] ?? "")
  }
  return fields
}

/**
 * Turns whatever a typed client call failed with into a UiError. `fallback` gives the text for the
 * client-side codes (network down, a reply that does not match the contract).
 */
export const toUiError = (error: unknown, fallback: (code: string) => string): UiError => {
  if (isUiError(error)) return error
  if (isRecord(error)) {
    const code = error["code"]
    if (typeof code === "string" && typeof error["message"] === "string") {
      const { _tag: _ignoredTag, code: _ignoredCode, message, issues, ...details } = error as Record<string, unknown>
      return { code, message: String(message), fields: fieldsOf(issues), details }
    }
    const tag = error["_tag"]
    // @effect/platform's transport failures: the request never got an answer
    if (tag === "RequestError" || (tag === "ResponseError" && isRecord(error["response"]) && error["response"]["status"] === 0)) {
      return { code: clientCodes.network, message: fallback(clientCodes.network), fields: {}, details: {} }
    }
    if (tag === "ResponseError" && isRecord(error["response"])) {
      const status = Number(error["response"]["status"])
      return { code: `HTTP_${status}`, message: fallback(status >= 500 ? clientCodes.network : clientCodes.unexpected), fields: {}, details: { status } }
    }
  }
  return { code: clientCodes.unexpected, message: fallback(clientCodes.unexpected), fields: {}, details: {} }
}

/** Account states that send the user back to the gate (pending, rejected, must change password…). */
export const accountGateCodes = new Set(["ACCOUNT_PENDING", "ACCOUNT_REJECTED", "ACCOUNT_DISABLED", "PASSWORD_CHANGE_REQUIRED", "UNAUTHENTICATED"])
