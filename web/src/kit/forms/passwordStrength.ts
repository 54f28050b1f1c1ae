import type { KitKey } from "../kitMessages.js"

/**
 * A strength hint for the password field. It mirrors what the master refuses (fewer than 12
 * characters, a common password, too few different characters, the user's own names) and rewards
 * length and variety, without composition rules (OWASP ASVS 2.1). A hint, not a gate: the master
 * decides.
 */
export interface Strength {
  /** 0 (refused) to 4 (strong). */
  readonly score: 0 | 1 | 2 | 3 | 4
  readonly hints: ReadonlyArray<{ readonly key: KitKey; readonly params?: Readonly<Record<string, number>> }>
}

const common = [
  "password", "passw0rd", "p@ssw0rd", "qwerty", "123456", "abc123", "iloveyou", "admin", "welcome",
  "letmein", "changeme", "woaini", "1qaz2wsx", "zaq12wsx", "asdfgh", "trustno1", "111111", "000000"
]

export const passwordStrength = (
  password: string,
  personal: ReadonlyArray<string | null | undefined> = []
): Strength => {
  const hints: Array<Strength["hints"][number]> = []
  const lower = password.toLowerCase()
  const length = [...password].length
  const distinct = new Set(lower).size
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(password)).length
  const personalParts = personal
    .flatMap((part) => (part ? [part.split("@")[0] ?? part] : []))
    .map((part) => part.toLowerCase())
    .filter((part) => part.length >= 4)
  const isCommon = common.some((word) => lower.includes(word)) && length < 20
  const isPersonal = personalParts.some((part) => lower.includes(part))

  if (length < 12) hints.push({ key: "strength.hint.length", params: { n: length } })
  if (isCommon) hints.push({ key: "strength.hint.common" })
  if (distinct <= 4 && length > 0) hints.push({ key: "strength.hint.repeat" })
  if (isPersonal) hints.push({ key: "strength.hint.personal" })
  if (length < 12 || distinct <= 2 || isPersonal) return { score: 0, hints }

  let score = 1
  if (length >= 14) score += 1
  if (length >= 20) score += 1
  if (classes >= 3 || (classes >= 2 && length >= 16)) score += 1
  if (isCommon || distinct <= 4) score = Math.min(score, 1)
  if (score < 3 && length < 20) hints.push({ key: "strength.hint.longer" })
  if (score < 3 && classes < 2) hints.push({ key: "strength.hint.variety" })
  return { score: Math.min(4, score) as Strength["score"], hints }
}
