/**
 * Shared fixtures for the issue-4 suites: a raw JSON caller that checks the invariants every
 * response must keep, and short helpers for the account workflow (register, approve, sign in with
 * each audience, machine keys, client challenges). Everything talks HTTP to a real test master.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Machine, Tokens, User } from "@ncod/core"
import { expect } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto"
import * as https from "node:https"
import { TestMaster, testHttpClientLayer, testMasterLayer } from "../src/testing/TestMaster.js"

export type Json = { readonly [key: string]: unknown }
export type Env = TestMaster | HttpClient.HttpClient

/**
 * Generous limits (the highest the settings allow), so one file's deliberate failures and many
 * registrations from 127.0.0.1 do not lock out the rest of that file.
 */
export const relaxedLimits = {
  NCOD_LOGIN_MAX_FAILURES: "100",
  NCOD_LOGIN_IP_MAX_FAILURES: "10000",
  NCOD_REGISTRATIONS_PER_HOUR: "10000"
} as const

/** One test master per file plus an HttpClient trusting its CA. */
export const masterLayer = (settings: Record<string, string> = {}) =>
  Layer.provideMerge(testHttpClientLayer, testMasterLayer({ ...relaxedLimits, ...settings }))

// ---------------------------------------------------------------------------------------------
// Secrets seen by this test file (one module instance per file): for the "logs never contain
// passwords, tokens or hashes" checks.

const secrets = new Set<string>()
const notSecrets = new Set<string>()

/** Values sent in password fields that are not secrets (attack strings also sent as usernames). */
export const notSecret = (values: Iterable<string>) => {
  for (const value of values) notSecrets.add(value)
}

export const rememberSecret = (value: unknown) => {
  if (typeof value !== "string" || value.length < 8 || notSecrets.has(value)) return
  secrets.add(value)
  // a JWT's signature alone would also be a leak worth catching, and so would the secret half of
  // a slave credential (`<slave id>.<secret>`: the id alone is logged legitimately)
  const parts = value.split(".")
  if (parts.length === 3 && parts[2]!.length >= 40) secrets.add(parts[2]!)
  if (parts.length === 2 && parts[1]!.length >= 40) secrets.add(parts[1]!)
}

/** Request fields that carry a secret: passwords, enrollment tokens, slave credentials. */
const secretRequestFields = ["password", "currentPassword", "newPassword", "token", "credential"]
/** Answer fields that carry a secret: session tokens, enrollment tokens, slave credentials, bind passwords. */
const secretReplyFields = ["accessToken", "refreshToken", "token", "credential", "bindPassword"]

export const secretsSeen = (): ReadonlyArray<string> => [...secrets]

const bcryptHash = /\$2[abxy]?\$\d{2}\$/

/** Fails naming the first log line that carries a password, a token or a bcrypt hash. */
export const expectLogsFreeOfSecrets = (logs: ReadonlyArray<string>, extra: ReadonlyArray<string> = []) => {
  const all = [...secrets, ...extra]
  for (const line of logs) {
    expect(line, "a log line contains a bcrypt hash").not.toMatch(bcryptHash)
    for (const secret of all) {
      if (line.includes(secret)) {
        expect.fail(`a log line contains a secret (${secret.slice(0, 6)}…): ${line.slice(0, 300)}`)
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The raw caller.

export interface Reply {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  readonly body: unknown
  readonly elapsedMs: number
}

export interface CallOptions {
  /** A JSON body. */
  readonly json?: unknown
  /** A raw body, sent as is (with the content type given in headers, else application/json). */
  readonly raw?: string
  readonly token?: string
  readonly headers?: Record<string, string>
  readonly query?: Record<string, string | undefined>
  /** Let a 5xx through instead of failing at once (only for tests that assert on it themselves). */
  readonly allowServerError?: boolean
}

const stackTrace = /\bat .+:\d+:\d+|\bat <anonymous>|\bError:/

const walk = (value: unknown, visit: (key: string | undefined, value: unknown) => void, key?: string): void => {
  visit(key, value)
  if (Array.isArray(value)) value.forEach((item) => walk(item, visit))
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) walk(v, visit, k)
  }
}

/** Checks every response must pass, whatever the endpoint: no hashes, no stack traces, the envelope. */
const checkInvariants = (reply: Reply) => {
  const where = `${reply.method} ${reply.path} → ${reply.status}`
  if (reply.text.length > 0) expect(reply.headers["x-content-type-options"], `${where}: x-content-type-options`).toBe("nosniff")
  expect(reply.text, `${where}: a bcrypt hash in the body`).not.toMatch(bcryptHash)
  if (reply.body !== undefined) {
    // field names only: free-text keys (slave labels) may carry attack strings that mention one
    walk(reply.body, (key) => {
      if (key !== undefined && /^\w*password_?hash\w*$|^hash$/i.test(key)) expect.fail(`${where}: the body has a "${key}" field`)
    })
  }
  if (reply.status >= 400) {
    expect(reply.text, `${where}: an error body shows a stack trace or error text: ${reply.text.slice(0, 300)}`).not.toMatch(stackTrace)
    expect(reply.headers["content-type"] ?? "", `${where}: error content type`).toMatch(/^application\/json/)
    const body = reply.body as Json | undefined
    expect(typeof body?.["code"], `${where}: error body without a code: ${reply.text.slice(0, 300)}`).toBe("string")
    expect(typeof body?.["message"], `${where}: error body without a message`).toBe("string")
  }
}

/** Sends one request to the test master and returns the raw reply, after the common checks. */
export const call = (method: string, path: string, options: CallOptions = {}) =>
  Effect.gen(function* () {
    const master = yield* TestMaster
    const client = yield* HttpClient.HttpClient
    const url = new URL(`${master.url}${path}`)
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, value)
    let request = HttpClientRequest.make(method as "GET")(url.toString())
    if (options.token !== undefined) request = HttpClientRequest.bearerToken(request, options.token)
    if (options.json !== undefined) request = HttpClientRequest.bodyUnsafeJson(request, options.json)
    if (options.raw !== undefined) {
      request = HttpClientRequest.bodyText(request, options.raw, options.headers?.["content-type"] ?? "application/json")
    }
    if (options.headers) request = HttpClientRequest.setHeaders(request, options.headers)
    if (typeof options.json === "object" && options.json !== null) {
      for (const field of secretRequestFields) rememberSecret((options.json as Json)[field])
    }
    const started = performance.now()
    const response = yield* client.execute(request).pipe(Effect.orDie)
    const text = yield* response.text.pipe(Effect.orDie)
    const elapsedMs = performance.now() - started
    let body: unknown = undefined
    if (text.length > 0 && (response.headers["content-type"] ?? "").startsWith("application/json")) {
      body = JSON.parse(text)
    }
    const reply: Reply = { method, path: url.pathname, status: response.status, headers: response.headers, text, body, elapsedMs }
    if (typeof body === "object" && body !== null) {
      for (const field of secretReplyFields) rememberSecret((body as Json)[field])
    }
    if (!options.allowServerError) {
      const sent = options.json === undefined ? (options.raw ?? "") : JSON.stringify(options.json)
      const detail = `${method} ${url.pathname}${url.search} ${sent.slice(0, 300)}`
      expect(reply.status, `${detail}: server error ${reply.text.slice(0, 300)}`).toBeLessThan(500)
    }
    checkInvariants(reply)
    return reply
  })

/** The body as an object (fails when it is not one). */
export const obj = (reply: Reply): Json => {
  expect(typeof reply.body, `${reply.method} ${reply.path}: body is not a JSON object: ${reply.text.slice(0, 200)}`).toBe("object")
  return reply.body as Json
}

/** Asserts the status and decodes the body with a contract schema. */
export const decode =
  <A, I>(schema: Schema.Schema<A, I>, status = 200) =>
  (reply: Reply): A => {
    expect(reply.status, `${reply.method} ${reply.path}: ${reply.text.slice(0, 400)}`).toBe(status)
    return Schema.decodeUnknownSync(schema)(reply.body)
  }

/** Asserts an error reply: status, stable code; returns the body for further checks. */
export const expectError = (reply: Reply, status: number | ReadonlyArray<number>, code: string | ReadonlyArray<string>): Json => {
  const where = `${reply.method} ${reply.path}: ${reply.text.slice(0, 400)}`
  if (typeof status === "number") expect(reply.status, where).toBe(status)
  else expect(status, where).toContain(reply.status)
  const body = obj(reply)
  if (typeof code === "string") expect(body["code"], where).toBe(code)
  else expect(code, where).toContain(body["code"])
  return body
}

/** The paths of a VALIDATION_FAILED answer's issues, joined with dots. */
export const issuePaths = (reply: Reply): ReadonlyArray<string> => {
  const body = expectError(reply, 400, "VALIDATION_FAILED")
  const issues = body["issues"] as ReadonlyArray<{ path: ReadonlyArray<string | number> }>
  expect(Array.isArray(issues)).toBe(true)
  return issues.map((issue) => issue.path.join("."))
}

// ---------------------------------------------------------------------------------------------
// Names and values.

export const unique = (prefix: string) => `${prefix}${randomBytes(5).toString("hex")}`
export const newUsername = () => unique("u")
export const newPassword = () => `pw ${randomBytes(12).toString("base64url")} ok`

/** A locally administered unicast MAC, different every call. */
export const newMac = () => {
  const bytes = randomBytes(6)
  bytes[0] = (bytes[0]! & 0xfc) | 0x02
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(":")
}

// ---------------------------------------------------------------------------------------------
// Sessions.

export type Audience = "portal" | "admin"
export type Session = typeof Tokens.Type

export const loginReply = (username: string, password: string, audience: Audience = "portal", headers: Record<string, string> = {}) =>
  call("POST", "/api/v1/auth/login", { json: { username, password, audience }, headers })

export const login = (username: string, password: string, audience: Audience = "portal") =>
  Effect.map(loginReply(username, password, audience), decode(Tokens))

const adminSessions = new Map<string, Session>()

/** A session of the test master's admin in the admin app, reused while it has time left. */
export const adminSession = Effect.gen(function* () {
  const master = yield* TestMaster
  const cached = adminSessions.get(master.url)
  if (cached && cached.accessTokenExpiresAt.epochMillis > Date.now() + 5_000) {
    const still = yield* call("GET", "/api/v1/me", { token: cached.accessToken })
    if (still.status === 200) return cached
  }
  const session = yield* login(master.admin.username, master.admin.password, "admin")
  adminSessions.set(master.url, session)
  return session
})

export const adminToken = Effect.map(adminSession, (session) => session.accessToken)

export const asAdmin = (method: string, path: string, options: Omit<CallOptions, "token"> = {}) =>
  Effect.flatMap(adminToken, (token) => call(method, path, { ...options, token }))

// ---------------------------------------------------------------------------------------------
// Org tree and accounts.

export interface OrgTree {
  readonly organizationId: string
  readonly companyId: string
  readonly departmentId: string
}

const trees = new Map<string, OrgTree>()

export const createOrgUnit = (kind: "organization" | "company" | "project_department", parentId: string | null, name = unique(`${kind} `)) =>
  Effect.gen(function* () {
    const reply = yield* asAdmin("POST", "/api/v1/admin/org-units", { json: { kind, parentId, name } })
    expect(reply.status, reply.text).toBe(201)
    return obj(reply)["id"] as string
  })

export const createOrgTree = Effect.gen(function* () {
  const organizationId = yield* createOrgUnit("organization", null)
  const companyId = yield* createOrgUnit("company", organizationId)
  const departmentId = yield* createOrgUnit("project_department", companyId)
  return { organizationId, companyId, departmentId } satisfies OrgTree
})

/** One org tree per test master, created on first use. */
export const orgTree = Effect.gen(function* () {
  const master = yield* TestMaster
  const existing = trees.get(master.url)
  if (existing) return existing
  const tree = yield* createOrgTree
  trees.set(master.url, tree)
  return tree
})

export interface Account {
  readonly username: string
  readonly password: string
  readonly displayName: string
  readonly user: User
}

export interface RegisterInput {
  readonly username?: string
  readonly password?: string
  readonly displayName?: string
  readonly email?: string
  readonly phone?: string | null
  readonly orgUnitId?: string
}

export const registrationBody = (input: RegisterInput = {}) =>
  Effect.gen(function* () {
    const username = input.username ?? newUsername()
    return {
      username,
      displayName: input.displayName ?? `User ${username}`,
      email: input.email ?? `${username}@example.com`,
      phone: input.phone === undefined ? "+86 138 0013 8000" : input.phone,
      password: input.password ?? newPassword(),
      orgUnitId: input.orgUnitId ?? (yield* orgTree).departmentId
    }
  })

export const registerReply = (input: RegisterInput = {}) =>
  Effect.flatMap(registrationBody(input), (json) => call("POST", "/api/v1/auth/register", { json }))

/** Registers a new (pending) user. */
export const registerUser = (input: RegisterInput = {}) =>
  Effect.gen(function* () {
    const body = yield* registrationBody(input)
    const user = decode(User, 201)(yield* call("POST", "/api/v1/auth/register", { json: body }))
    return { username: body.username, password: body.password, displayName: body.displayName, user } satisfies Account
  })

export const approve = (userId: string) =>
  Effect.map(asAdmin("POST", `/api/v1/admin/users/${userId}/approve`), decode(User))

/** A registered, approved user with a portal session. */
export const approvedUser = (input: RegisterInput = {}) =>
  Effect.gen(function* () {
    const account = yield* registerUser(input)
    const user = yield* approve(account.user.id)
    const session = yield* login(account.username, account.password, "portal")
    return { ...account, user, session }
  })

/** An approved user promoted to admin, with an admin-app session. */
export const secondAdmin = Effect.gen(function* () {
  const account = yield* approvedUser()
  const promoted = yield* asAdmin("PUT", `/api/v1/admin/users/${account.user.id}/role`, { json: { role: "admin" } })
  expect(promoted.status, promoted.text).toBe(200)
  const session = yield* login(account.username, account.password, "admin")
  return { ...account, session }
})

// ---------------------------------------------------------------------------------------------
// Client machines.

export interface MachineKey {
  readonly publicJwk: { readonly kty: "EC"; readonly crv: "P-256"; readonly x: string; readonly y: string }
  readonly privateKey: KeyObject
  /** ES256 over the text, JOSE raw r||s, base64url: what the CLI sends. */
  readonly sign: (text: string) => string
}

export const newMachineKey = (): MachineKey => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" })
  const jwk = publicKey.export({ format: "jwk" })
  return {
    publicJwk: { kty: "EC", crv: "P-256", x: jwk.x!, y: jwk.y! },
    privateKey,
    sign: (text) => sign("sha256", Buffer.from(text, "utf8"), { key: privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url")
  }
}

export const ClientChallenge = Schema.Struct({ challenge: Schema.String, expiresAt: Schema.String })

/** POST /api/v1/auth/client/challenge from another loopback source address (127.0.0.0/8). */
const challengeFrom = (localAddress: string) =>
  Effect.flatMap(TestMaster, (master) =>
    Effect.async<{ status: number; body: unknown }>((resume) => {
      const request = https.request(`${master.url}/api/v1/auth/client/challenge`, { method: "POST", ca: master.ca, localAddress }, (response) => {
        let text = ""
        response.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")))
        response.on("end", () => resume(Effect.succeed({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined })))
      })
      request.on("error", (error) => resume(Effect.succeed({ status: -1, body: String(error) })))
      request.end()
    })
  )

let challengeSource = 1

/**
 * A new client challenge. The master hands out 60 a minute per address (a fixed limit), which the
 * data-driven suites exceed: on 429 this asks from the next loopback address (a challenge is not
 * bound to the address that fetched it), and waits only if that fails too.
 */
export const freshChallenge: Effect.Effect<typeof ClientChallenge.Type, never, Env> = Effect.gen(function* () {
  const reply = yield* call("POST", "/api/v1/auth/client/challenge")
  if (reply.status !== 429) return decode(ClientChallenge)(reply)
  for (let attempt = 0; attempt < 6; attempt++) {
    const other = yield* challengeFrom(`127.0.0.${2 + (challengeSource % 250)}`)
    if (other.status === 200) return Schema.decodeUnknownSync(ClientChallenge)(other.body)
    challengeSource++
    if (other.status !== 429) yield* sleepMs(1_000)
  }
  yield* sleepMs(61_000)
  return decode(ClientChallenge)(yield* call("POST", "/api/v1/auth/client/challenge"))
})

export interface ClientLoginInput {
  readonly username: string
  readonly password: string
  readonly macs: ReadonlyArray<string>
  readonly key: MachineKey
  readonly hostname?: string
  /** Defaults to a fresh challenge. */
  readonly challenge?: string
  /** Defaults to the key's signature over the challenge. */
  readonly signature?: string
  /** Defaults to the key's public half. */
  readonly publicKey?: MachineKey["publicJwk"]
}

export const clientLoginReply = (input: ClientLoginInput) =>
  Effect.gen(function* () {
    const challenge = input.challenge ?? (yield* freshChallenge).challenge
    return yield* call("POST", "/api/v1/auth/client/login", {
      json: {
        username: input.username,
        password: input.password,
        macs: input.macs,
        hostname: input.hostname ?? "lab-pc-01",
        publicKey: input.publicKey ?? input.key.publicJwk,
        challenge,
        signature: input.signature ?? input.key.sign(challenge)
      }
    })
  })

export const MachineWithOwner = Schema.Struct({ machine: Machine, username: Schema.String, displayName: Schema.String })

export const adminMachines = (query: Record<string, string> = {}) =>
  Effect.map(asAdmin("GET", "/api/v1/admin/machines", { query }), decode(Schema.Array(MachineWithOwner)))

/** Client login with a new MAC (→ MACHINE_PENDING), then the admin approves the request. */
export const approvedMachine = (account: { readonly username: string; readonly password: string; readonly user: { readonly id: string } }) =>
  Effect.gen(function* () {
    const key = newMachineKey()
    const mac = newMac()
    const first = yield* clientLoginReply({ username: account.username, password: account.password, macs: [mac], key })
    expectError(first, 403, "MACHINE_PENDING")
    const pending = (yield* adminMachines({ status: "pending", userId: account.user.id })).find((m) => m.machine.mac === mac)
    expect(pending, `no pending binding for ${mac}`).toBeDefined()
    const approved = decode(Machine)(yield* asAdmin("POST", `/api/v1/admin/machines/${pending!.machine.id}/approve`))
    expect(approved.status).toBe("approved")
    return { key, mac, machine: approved }
  })

/** Decodes a JWT's payload without verifying it (tests only look at claims). */
export const jwtClaims = (token: string): Json => JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"))
export const jwtHeader = (token: string): Json => JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8"))

/** Real-time sleep (the suites run with live services). */
export const sleepMs = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

export const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 0 ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[mid]!
}
