import { Option } from "effect"
import { sameHost } from "./normalize.js"

/**
 * A device address is `<advertised host>.<integer>`. The host may itself contain dots (an IP, a
 * FQDN), so the split is always on the last dot.
 */
export interface VhAddressParts {
  readonly host: string
  readonly index: string
}

export const splitVhAddress = (address: string): Option.Option<VhAddressParts> => {
  const dot = address.lastIndexOf(".")
  if (dot <= 0) return Option.none()
  const host = address.slice(0, dot)
  const index = address.slice(dot + 1)
  return /^\d+$/.test(index) ? Option.some({ host, index }) : Option.none()
}

export const formatVhAddress = (host: string, index: number | string): string => `${host}.${index}`

/** Addresses compare with the host part case-insensitive, as the client itself does. */
export const sameVhAddress = (a: string, b: string): boolean => {
  const left = splitVhAddress(a)
  const right = splitVhAddress(b)
  if (Option.isNone(left) || Option.isNone(right)) return a === b
  return sameHost(left.value.host, right.value.host) && Number(left.value.index) === Number(right.value.index)
}
