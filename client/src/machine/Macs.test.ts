import { describe, expect, it } from "@effect/vitest"
import type * as os from "node:os"
import { isVirtualInterface, presentedMacs } from "./Macs.js"

const nic = (mac: string, internal = false): os.NetworkInterfaceInfo =>
  ({ address: "10.0.0.2", netmask: "255.255.255.0", family: "IPv4", mac, internal, cidr: "10.0.0.2/24" }) as os.NetworkInterfaceInfo

describe("presentedMacs", () => {
  it("presents physical interfaces, wired first, and leaves out loopback, all-zero and virtual ones", () => {
    const macs = presentedMacs({
      lo: [nic("00:00:00:00:00:00", true)],
      docker0: [nic("02:42:ac:11:00:01")],
      veth1a2b: [nic("3a:11:22:33:44:55")],
      vmnet8: [nic("00:50:56:c0:00:08")],
      wlp2s0: [nic("A4:5E:60:11:22:33")],
      enp3s0: [nic("a4:5e:60:aa:bb:cc"), nic("a4:5e:60:aa:bb:cc")],
      vboxnet0: [nic("0a:00:27:00:00:00")]
    })
    expect(macs.map((m) => [m.iface, m.mac])).toEqual([
      ["enp3s0", "a4:5e:60:aa:bb:cc"],
      ["wlp2s0", "a4:5e:60:11:22:33"]
    ])
  })

  it("falls back to virtual interfaces when nothing else exists (a container, a VM guest)", () => {
    expect(presentedMacs({ lo: [nic("00:00:00:00:00:00", true)], eth0: [nic("02:42:ac:11:00:02")] }).map((m) => m.mac)).toEqual(["02:42:ac:11:00:02"])
    expect(presentedMacs({ lo: [nic("00:00:00:00:00:00", true)] })).toEqual([])
  })

  it("recognises hypervisor OUIs and bridge names", () => {
    expect(isVirtualInterface("Ethernet 2", "00:15:5d:01:02:03")).toBe(true)
    expect(isVirtualInterface("eth0", "52:54:00:12:34:56")).toBe(true)
    expect(isVirtualInterface("vEthernet (WSL)", "00:11:22:33:44:55")).toBe(true)
    expect(isVirtualInterface("eth0", "00:11:22:33:44:55")).toBe(false)
  })
})
