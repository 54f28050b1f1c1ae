import { describe, expect, it } from "@effect/vitest"
import { AccountPending, Conflict, DeviceBusy, DeviceUnavailable, InvalidCredentials, MachinePending, NotFound, TooManyAttempts, Unauthenticated, ValidationFailed } from "@ncod/core"
import { NotSignedIn } from "../api/MasterLink.js"
import { HeldElsewhere, VhProblem } from "../vh/Binding.js"
import { describeFailure, ExitCode, isTransportFailure, UsageError } from "./Failure.js"

const transport = (code: string) => ({ _tag: "RequestError", reason: "Transport", cause: Object.assign(new Error("connect failed"), { code }) })

describe("exit codes", () => {
  it("follow the documented table", () => {
    expect(describeFailure(new UsageError({ message: "x" })).code).toBe(ExitCode.usage)
    expect(describeFailure(new ValidationFailed({ issues: [] })).code).toBe(ExitCode.usage)
    expect(describeFailure(new NotSignedIn({ reason: "none" })).code).toBe(ExitCode.notSignedIn)
    expect(describeFailure(new Unauthenticated()).code).toBe(ExitCode.notSignedIn)
    for (const refused of [new MachinePending({ mac: "02:00:00:00:00:01" }), new AccountPending(), new InvalidCredentials(), new TooManyAttempts({ retryAfterSeconds: 60 })]) {
      expect(describeFailure(refused).code).toBe(ExitCode.refused)
    }
    for (const unavailable of [new DeviceBusy({ holderUsername: "ann", holderDisplayName: "Ann Lee" }), new DeviceUnavailable({ reason: "slave_offline" }), new Conflict({ reason: "x" }), new NotFound({ resource: "device" }), new HeldElsewhere({ address: "hub.1", clientId: "X (x)" })]) {
      expect(describeFailure(unavailable).code).toBe(ExitCode.unavailable)
    }
    expect(describeFailure(new VhProblem({ message: "not running" })).code).toBe(ExitCode.virtualHere)
    expect(describeFailure(transport("ECONNREFUSED"), "https://m:8443").code).toBe(ExitCode.unreachable)
    expect(describeFailure(new Error("boom")).code).toBe(ExitCode.unexpected)
  })

  it("show the master's own (localised) message and name the holder of a busy device", () => {
    expect(describeFailure(new DeviceBusy({ holderUsername: "ann", holderDisplayName: "Ann Lee", message: "该设备正由 Ann Lee（ann）使用。" })).message).toContain("Ann Lee")
    expect(describeFailure(new TooManyAttempts({ retryAfterSeconds: 60, message: "登录失败次数过多，请在 60 秒后重试。" })).message).toContain("60 秒")
  })

  it("tell an unreachable master from a certificate that is not the pinned one", () => {
    expect(describeFailure(transport("ECONNREFUSED"), "https://m:8443").message).toContain("connection refused")
    expect(describeFailure(transport("UNABLE_TO_VERIFY_LEAF_SIGNATURE"), "https://m:8443").message).toContain("--ca-file")
    expect(isTransportFailure(transport("ECONNRESET"))).toBe(true)
    expect(isTransportFailure({ _tag: "ResponseError", response: { status: 503 } })).toBe(true)
    expect(isTransportFailure(new Conflict({ reason: "x" }))).toBe(false)
  })
})
