/**
 * OWASP ASVS 4.0.3 §2.1: length 12–128, no composition rules, no truncation, and a check against
 * passwords attackers try first. The schema enforces length; this adds what a schema cannot see.
 */
const commonPasswords = new Set([
  "123456789012", "1234567890123", "12345678901234", "123456789012345", "1234567890qwe", "1q2w3e4r5t6y",
  "1qaz2wsx3edc", "1qaz2wsx3edc4rfv", "aaaaaaaaaaaa", "abcdefghijkl", "abc123456789", "administrator",
  "administrator1", "changeme1234", "iloveyou1234", "letmein12345", "password1234", "password12345",
  "password123456", "passw0rd1234", "p@ssw0rd1234", "q1w2e3r4t5y6", "qwerty123456", "qwertyuiop12",
  "qwertyuiopas", "qwerty1234567", "trustno11234", "welcome12345", "zaq12wsxcde3", "1234qwerasdf",
  "asdfghjkl123", "qazwsxedcrfv", "woaini123456", "woaini520520", "a123456789012", "aa1234567890",
  "000000000000", "111111111111", "123123123123", "112233445566", "147258369147", "987654321098"
])

export interface PasswordContext {
  readonly username: string
  readonly displayName?: string | undefined
  readonly email?: string | null | undefined
}

/** What is wrong with a password of acceptable length, or an empty list. */
export const passwordProblems = (password: string, context: PasswordContext): ReadonlyArray<string> => {
  const lower = password.toLowerCase()
  const problems: Array<string> = []
  if (commonPasswords.has(lower)) problems.push("is one of the most common passwords")
  if (new Set(lower).size <= 2) problems.push("repeats too few different characters")
  const personal = [context.username, context.displayName, context.email?.split("@")[0]]
    .filter((part): part is string => typeof part === "string" && part.length >= 4)
    .map((part) => part.toLowerCase())
  if (personal.some((part) => lower.includes(part))) problems.push("must not contain your username, name or email")
  return problems
}
