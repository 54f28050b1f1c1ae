/**
 * The bare Node HTTP(S) server each run compares the master with: same machine, same run, same
 * TLS certificate, same bytes. GET answers a canned body (the size of the master's answer to the
 * same request; gzipped when BASELINE_GET_GZIP=1); POST reads and parses the JSON body and answers a report acknowledgement.
 * Started as its own process by baseline.ts; prints `listening <port>` when ready.
 */
import * as fs from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import { gzipSync } from "node:zlib"

const [certFile, keyFile, bodyFile] = [process.env["BASELINE_CERT"], process.env["BASELINE_KEY"], process.env["BASELINE_GET_BODY"]]
const plainBody = bodyFile ? fs.readFileSync(bodyFile) : Buffer.from('{"ok":true}')
// like the master's cache, the gzip form is made once, not per request
const gzip = process.env["BASELINE_GET_GZIP"] === "1"
const getBody = gzip ? gzipSync(plainBody) : plainBody
const getHeaders = { "content-type": "application/json", "content-length": getBody.length, ...(gzip ? { "content-encoding": "gzip" } : {}) }
const ack = Buffer.from('{"outcome":"unchanged","nextReportInSeconds":30}')

const handler: http.RequestListener = (request, response) => {
  if (request.method === "POST") {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      try {
        JSON.parse(Buffer.concat(chunks).toString("utf8"))
      } catch {
        response.writeHead(400).end()
        return
      }
      response.writeHead(200, { "content-type": "application/json", "content-length": ack.length }).end(ack)
    })
    return
  }
  response.writeHead(200, getHeaders).end(getBody)
}

const server =
  certFile && keyFile
    ? https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile), minVersion: "TLSv1.2" }, handler)
    : http.createServer(handler)
server.listen(0, "127.0.0.1", () => {
  const address = server.address()
  process.stdout.write(`listening ${typeof address === "object" && address ? address.port : 0}\n`)
})
process.on("SIGTERM", () => server.close(() => process.exit(0)))
