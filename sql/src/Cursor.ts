import { Option } from "effect"

/**
 * Keyset pagination cursors: the sort key and id of the last row, opaque to callers. A cursor
 * that does not decode is treated as "from the start" rather than as an error an attacker can probe.
 * Decoding checks the shapes the queries cast to (a uuid; microseconds within PostgreSQL's
 * timestamp range; text without NUL), so a forged cursor can never reach the database as a cast
 * error.
 */
export const encodeCursor = (sortKey: string, id: string): string =>
  Buffer.from(JSON.stringify([sortKey, id]), "utf8").toString("base64url")

/** What the sort key is: microseconds since the epoch (timestamps) or free text (names). */
export type CursorKind = "micros" | "text"

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
// 9999-12-31T23:59:59.999999Z: beyond it PostgreSQL's timestamp arithmetic overflows
const maxMicros = 253402300799999999n

const validSortKey = (kind: CursorKind, sortKey: string) =>
  kind === "micros" ? /^\d{1,18}$/.test(sortKey) && BigInt(sortKey) <= maxMicros : sortKey.length <= 1000 && !sortKey.includes("\u0000")

export const decodeCursor = (
  cursor: string | undefined,
  kind: CursorKind
): Option.Option<{ readonly sortKey: string; readonly id: string }> => {
  if (cursor === undefined) return Option.none()
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"))
    if (
      Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && typeof value[1] === "string" &&
      uuid.test(value[1]) && validSortKey(kind, value[0])
    ) {
      return Option.some({ sortKey: value[0], id: value[1] })
    }
  } catch {
    // fall through: an unreadable cursor starts from the beginning
  }
  return Option.none()
}

/**
 * Timestamps sort with microsecond precision, so cursors carry microseconds since the epoch as
 * text (a JavaScript Date would round to milliseconds and repeat or skip rows).
 */
export const microsSql = (column: string) => `(extract(epoch from ${column}) * 1000000)::bigint::text`

/** Takes `limit + 1` rows' worth of results and returns the page plus the cursor for the next one. */
export const pageOf = <A>(rows: ReadonlyArray<A>, limit: number, key: (row: A) => { sortKey: string; id: string }) => {
  const items = rows.slice(0, limit)
  const last = items[items.length - 1]
  const nextCursor = rows.length > limit && last !== undefined ? encodeCursor(key(last).sortKey, key(last).id) : null
  return { items, nextCursor }
}
