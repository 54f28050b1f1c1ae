import type * as os from "node:os"

export interface PresentedMac {
  readonly mac: string
  readonly iface: string
  readonly virtual: boolean
}

/** Interface names of bridges, containers, VPNs and hypervisors' host-only networks. */
const virtualName = /^(docker|br-|veth|virbr|vmnet|vboxnet|vnet|tun|tap|utun|zt|tailscale|wg|lxc|lxd|cni|flannel|cali|kube|podman|awdl|llw|bridge|anpi|ap\d)/i

/** OUIs of virtual NICs: VMware, VirtualBox, Hyper-V, QEMU/KVM, Xen, Parallels, Docker. */
const virtualOui = ["00:05:69", "00:0c:29", "00:1c:14", "00:50:56", "08:00:27", "0a:00:27", "00:15:5d", "52:54:00", "00:16:3e", "00:1c:42", "02:42:"]

export const isVirtualInterface = (iface: string, mac: string): boolean =>
  virtualName.test(iface) || virtualOui.some((oui) => mac.startsWith(oui)) || /virtual|vethernet|hyper-v|loopback/i.test(iface)

/**
 * The MAC addresses to present at sign-in, the one shown to the user first: physical interfaces
 * first, virtual ones (docker, veth, VMware/VirtualBox OUIs…) only when no physical one exists, as
 * those change or are shared between machines. Internal and all-zero addresses never count.
 */
export const presentedMacs = (interfaces: ReturnType<typeof os.networkInterfaces>): ReadonlyArray<PresentedMac> => {
  const seen = new Map<string, PresentedMac>()
  for (const [iface, addresses] of Object.entries(interfaces)) {
    for (const address of addresses ?? []) {
      const mac = address.mac.toLowerCase()
      if (address.internal || !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac) || mac === "00:00:00:00:00:00" || seen.has(mac)) continue
      seen.set(mac, { mac, iface, virtual: isVirtualInterface(iface, mac) })
    }
  }
  const all = [...seen.values()]
  const physical = all.filter((entry) => !entry.virtual)
  // Wired names sort before wireless ones so the same MAC comes first on every sign-in.
  const rank = (entry: PresentedMac) => (/^(eth|en|eno|ens|enp|Ethernet)/i.test(entry.iface) ? 0 : /^(wl|wlan|Wi-?Fi)/i.test(entry.iface) ? 1 : 2)
  const ordered = (list: ReadonlyArray<PresentedMac>) => [...list].sort((a, b) => rank(a) - rank(b) || a.iface.localeCompare(b.iface))
  return (physical.length > 0 ? ordered(physical) : ordered(all)).slice(0, 32)
}
