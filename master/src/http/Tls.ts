import { Data, Effect } from "effect"
import * as fs from "node:fs"
import { describeCertificate } from "../keys/KeysTool.js"

export class TlsFilesUnusable extends Data.TaggedError("TlsFilesUnusable")<{ readonly reason: string }> {
  override get message() {
    return `${this.reason}: run \`npm run keys\` (or \`ncod-master keys\`) or set NCOD_TLS_CERT and NCOD_TLS_KEY`
  }
}

export interface TlsMaterial {
  readonly cert: string
  readonly key: string
  readonly notAfter: Date
  readonly names: ReadonlyArray<string>
}

const readPem = (kind: string, file: string) =>
  Effect.try({
    try: () => fs.readFileSync(file, "utf8"),
    catch: (error) =>
      new TlsFilesUnusable({
        reason:
          (error as NodeJS.ErrnoException).code === "ENOENT"
            ? `the TLS ${kind} ${file} does not exist`
            : `the TLS ${kind} ${file} cannot be read (${(error as Error).message})`
      })
  })

/** Loads the certificate and key, and checks the certificate parses, before the port opens. */
export const loadTls = (certFile: string, keyFile: string) =>
  Effect.gen(function* () {
    const cert = yield* readPem("certificate", certFile)
    const key = yield* readPem("private key", keyFile)
    const info = yield* Effect.try({
      try: () => describeCertificate(cert),
      catch: () => new TlsFilesUnusable({ reason: `the TLS certificate ${certFile} is not a PEM X.509 certificate` })
    })
    if (info.notAfter.getTime() < Date.now()) {
      return yield* new TlsFilesUnusable({ reason: `the TLS certificate ${certFile} expired on ${info.notAfter.toISOString()}` })
    }
    return { cert, key, notAfter: info.notAfter, names: info.names } satisfies TlsMaterial
  })
