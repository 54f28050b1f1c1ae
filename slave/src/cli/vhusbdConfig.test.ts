import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { planVhusbdConfig, type VhusbdSetup } from "./vhusbdConfig.js"

const setup: VhusbdSetup = { hook: "/usr/local/bin/ncod-slave-hook", advisory: false, events: true, force: false, remove: false }
const vendorDefault = "[General]\nServerName=$HOSTNAME$\nLicense=abc,def\n; a comment\n"

const plan = (text: string, overrides: Partial<VhusbdSetup> = {}) => Either.getOrThrowWith(planVhusbdConfig(text, { ...setup, ...overrides }), (e) => new Error(e))

describe("writing vhusbd's config.ini", () => {
  it("adds the authorization hook and the event hooks and keeps every other line", () => {
    const result = plan(vendorDefault)
    expect(result.text).toContain("ServerName=$HOSTNAME$\nLicense=abc,def\n; a comment\n")
    expect(result.text).toContain("ClientAuthorization=/usr/local/bin/ncod-slave-hook --vendor-id '$VENDOR_ID$'")
    expect(result.text).toContain('onBind=/usr/local/bin/ncod-slave-hook event onBind --address "$ADDRESS$"')
    expect(result.changes).toHaveLength(5)
  })

  it("changes nothing the second time", () => {
    const once = plan(vendorDefault)
    const twice = plan(once.text)
    expect(twice.text).toBe(once.text)
    expect(twice.changes).toEqual([])
  })

  it("refuses to replace someone else's ClientAuthorization unless forced, and leaves other event hooks alone", () => {
    const foreign = "[General]\nClientAuthorization=/opt/mine.sh $CLIENT_ID$\nonBind=/opt/log-binds.sh\n"
    expect(Either.isLeft(planVhusbdConfig(foreign, setup))).toBe(true)
    const forced = plan(foreign, { force: true })
    expect(forced.text).toContain("onBind=/opt/log-binds.sh")
    expect(forced.warnings[0]).toMatch(/onBind already runs something else/)
  })

  it("passes a non-default socket to the hook", () => {
    expect(plan("", { socket: "/run/other/agent.sock" }).text).toContain("ncod-slave-hook --socket /run/other/agent.sock --vendor-id")
  })

  it("removes only its own lines again", () => {
    const installed = plan("[General]\nonReset=/opt/mine.sh\n")
    const removed = plan(installed.text, { remove: true })
    expect(removed.text).toBe("[General]\nonReset=/opt/mine.sh\n")
  })
})
