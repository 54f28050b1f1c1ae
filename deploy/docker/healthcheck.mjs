// Container liveness probe for the master (Dockerfile HEALTHCHECK): GET /healthz on this
// container's own port; exit 0 when it answers 200, 1 otherwise. Node is the only tool in the
// slim image (no curl). The certificate is not verified: the probe talks to itself over loopback,
// and a certificate from a public CA may not name 127.0.0.1.
import http from "node:http"
import https from "node:https"

const insecureHttp = /^(1|true|yes|on)$/i.test(process.env.NCOD_INSECURE_HTTP ?? "")
const port = Number(process.env.NCOD_PORT ?? "8443")
const client = insecureHttp ? http : https

const request = client.get(
  { host: "127.0.0.1", port, path: "/healthz", timeout: 4000, rejectUnauthorized: false },
  (response) => {
    response.resume()
    process.exitCode = response.statusCode === 200 ? 0 : 1
  }
)
request.on("timeout", () => request.destroy(new Error("timed out after 4 s")))
request.on("error", (error) => {
  console.error(`healthcheck: ${error.message}`)
  process.exitCode = 1
})
