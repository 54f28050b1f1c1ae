import { Option } from "effect"

/**
 * Keyset pagination cursors: the sort key and id of the last row, opaque to callers. A cursor
 * that does not decode is treated as "from the start" rather than as an error an attacker can probe.
 */
export const encodeCursor = (sortKey: string, id: string): string =>
  Buffer.from(JSON.stringify([sortKey, id]), "utf8").toString("base64url")

export const decodeCursor = (cursor: string | undefined): Option.Option<{ readonly sortKey: string; readonly id: string }> => {
  if (cursor === undefined) return Option.none()
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"))
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && typeof value[1] === "string") {
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
