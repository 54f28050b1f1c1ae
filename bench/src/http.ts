/** A small JSON client for setup calls (admin, users, grants); load goes through autocannon or the fleet workers. */
import { Agent, request } from "undici"

export const trustingAgent = (ca: string | undefined, connections = 16) =>
  new Agent({ connections, ...(ca === undefined ? {} : { connect: { ca } }) })

export interface JsonResponse {
  readonly status: number
  readonly body: unknown
  readonly text: string
}

export class ApiError extends Error {
  constructor(readonly method: string, readonly path: string, readonly status: number, readonly text: string) {
    super(`${method} ${path} → ${status}: ${text.slice(0, 300)}`)
  }
}

export class Api {
  constructor(readonly baseUrl: string, private readonly agent: Agent) {}

  async call(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<JsonResponse> {
    const headers: Record<string, string> = { accept: "application/json" }
    if (options.token !== undefined) headers["authorization"] = `Bearer ${options.token}`
    if (options.body !== undefined) headers["content-type"] = "application/json"
    const response = await request(`${this.baseUrl}${path}`, {
      method: method as "GET",
      headers,
      dispatcher: this.agent,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) })
    })
    const text = await response.body.text()
    let body: unknown = undefined
    try {
      body = text === "" ? undefined : JSON.parse(text)
    } catch {
      body = text
    }
    return { status: response.statusCode, body, text }
  }

  /** The call, failing unless the status is 2xx. */
  async ok<T = unknown>(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<T> {
    const response = await this.call(method, path, options)
    if (response.status < 200 || response.status > 299) throw new ApiError(method, path, response.status, response.text)
    return response.body as T
  }
}

/** Runs `task` over `items` with at most `limit` at a time. */
export const mapLimit = async <A, B>(items: ReadonlyArray<A>, limit: number, task: (item: A, index: number) => Promise<B>) => {
  const out = new Array<B>(items.length)
  let next = 0
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++
      out[index] = await task(items[index]!, index)
    }
  })
  await Promise.all(lanes)
  return out
}
