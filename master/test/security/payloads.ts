/**
 * Attack payloads for the security suites, reusable by the browser checks that come with the web
 * pages: XSS from Debian's wapiti and wfuzz lists (each with its own marker, so a dialog names the
 * payload that fired) and classic SQL-injection strings.
 */
import * as fs from "node:fs"

export const wapitiXssFile = "/usr/lib/python3/dist-packages/wapitiCore/data/attacks/xssPayloads.ini"
export const wfuzzXssFile = "/usr/share/wfuzz/wordlist/Injections/XSS.txt"

export interface XssPayload {
  /** Stable id: `wapiti:<section>` or `wfuzz:<line number>`. */
  readonly id: string
  readonly source: "wapiti" | "wfuzz"
  /** The text to store, with this payload's marker where the list has its own. */
  readonly payload: string
  /** A short unique token inside the payload (when the list marks one), e.g. what alert() shows. */
  readonly marker: string
}

const readList = (file: string, packageName: string) => {
  if (!fs.existsSync(file)) {
    throw new Error(`XSS payload list ${file} is missing: install it with "apt-get install -y ${packageName}"`)
  }
  return fs.readFileSync(file, "utf8")
}

/**
 * wapiti's own expansion (wapitiCore/attack/attack.py, net/xss_utils.py): [TAB], [LF], [FF] are
 * control characters; [ATTR_SEP]/[VALUE_SEP] are the separators that break out of a double-quoted
 * attribute.
 */
const expandWapiti = (line: string) =>
  line
    .replaceAll("[TAB]", "\t")
    .replaceAll("[LF]", "\n")
    .replaceAll("[FF]", "\f")
    .replaceAll("[ATTR_SEP]", '"')
    .replaceAll("[VALUE_SEP]", '"')

/** Every payload of both lists, each with a marker `x<prefix><n>x` unique within the call. */
export const loadXssPayloads = (options: { readonly markerPrefix?: string } = {}): ReadonlyArray<XssPayload> => {
  const prefix = options.markerPrefix ?? "ss"
  const result: Array<XssPayload> = []
  const marker = () => `x${prefix}${result.length}x`

  let section = ""
  for (const line of readList(wapitiXssFile, "wapiti").split("\n")) {
    const header = /^\[(.+)\]\s*$/.exec(line)
    if (header) section = header[1]!
    const entry = /^payload = (.*)$/.exec(line)
    if (!entry) continue
    const mark = marker()
    result.push({ id: `wapiti:${section}`, source: "wapiti", payload: expandWapiti(entry[1]!.trim()).replaceAll("__XSS__", mark), marker: mark })
  }

  readList(wfuzzXssFile, "wfuzz")
    .split(/\r?\n/)
    .forEach((line, index) => {
      if (line.trim().length === 0) return
      const mark = marker()
      result.push({ id: `wfuzz:${index + 1}`, source: "wfuzz", payload: line.replaceAll("WXSS", mark), marker: mark })
    })
  return result
}

/**
 * Classic SQL-injection strings: tautologies, comment tricks, stacked queries, time-based probes
 * (pg_sleep: a vulnerable query would take ≥ 2 s), unicode quotes that some normalisers turn into
 * ASCII ones, and a NUL byte (PostgreSQL refuses it in text, so it must never reach a query raw).
 */
export const sqlInjectionPayloads: ReadonlyArray<string> = [
  "' OR '1'='1",
  "' OR 1=1--",
  "\" OR \"\"=\"",
  "'; drop table users; --",
  "admin'--",
  "root-admin'--",
  "root-admin' /*",
  "1) or pg_sleep(2)--",
  "' || pg_sleep(2) || '",
  "'; select pg_sleep(2); --",
  "1; select pg_sleep(2)",
  "' UNION SELECT id, password_hash FROM users--",
  "$$; drop table users; $$",
  "\\'; drop table users; --",
  "\u02bc OR \u02bc1\u02bc=\u02bc1",
  "\uff07 OR \uff071\uff07=\uff071",
  "\u2018 OR \u20181\u2019=\u20191",
  "admin\u0000'--",
  "%27%20OR%201=1--"
]

/** The longest a pg_sleep probe may take before we call it a delay (the probes sleep 2 s). */
export const sleepProbeBudgetMs = 1_500
