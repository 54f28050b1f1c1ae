/**
 * Reads a command line the way the client daemon does: verb case-insensitive, arguments split on
 * commas with no escaping. Used by the simulator; never throws.
 */
export type VhParsedCommand =
  | { readonly verb: "LIST" }
  | { readonly verb: "GET CLIENT STATE" }
  | { readonly verb: "USE"; readonly address: string; readonly password: string | null }
  | { readonly verb: "STOP USING"; readonly address: string }
  | { readonly verb: "STOP USING ALL" }
  | { readonly verb: "STOP USING ALL LOCAL" }
  | { readonly verb: "DEVICE INFO"; readonly address: string }
  | { readonly verb: "SERVER INFO"; readonly serverName: string }
  | { readonly verb: "DEVICE RENAME"; readonly address: string; readonly nickname: string }
  | { readonly verb: "SERVER RENAME"; readonly hub: string; readonly name: string }
  | { readonly verb: "AUTO USE ALL" }
  | { readonly verb: "AUTO USE CLEAR ALL" }
  | { readonly verb: "AUTO USE HUB"; readonly serverName: string }
  | { readonly verb: "AUTO USE PORT"; readonly address: string }
  | { readonly verb: "AUTO USE DEVICE"; readonly address: string }
  | { readonly verb: "AUTO USE DEVICE PORT"; readonly address: string }
  | { readonly verb: "MANUAL HUB ADD"; readonly hub: string }
  | { readonly verb: "MANUAL HUB REMOVE"; readonly hub: string }
  | { readonly verb: "MANUAL HUB REMOVE ALL" }
  | { readonly verb: "MANUAL HUB LIST" }
  | { readonly verb: "AUTOFIND" }
  | { readonly verb: "REVERSE" }
  | { readonly verb: "HELP" }
  | { readonly verb: "EXIT" }
  | { readonly verb: "UNKNOWN"; readonly text: string }

export const parseCommandLine = (line: string): VhParsedCommand => {
  const text = line.replace(/\r?\n$/, "")
  const [head = "", ...args] = text.split(",")
  const verb = head.trim().toUpperCase().replace(/\s+/g, " ")
  const arg = (i: number) => args[i]?.trim() ?? ""
  const one = <V extends string, K extends string>(v: V, key: K) =>
    args.length >= 1 && arg(0) !== "" ? ({ verb: v, [key]: arg(0) } as { verb: V } & Record<K, string>) : undefined
  let parsed: VhParsedCommand | undefined
  switch (verb) {
    case "LIST":
    case "GET CLIENT STATE":
    case "STOP USING ALL":
    case "STOP USING ALL LOCAL":
    case "AUTO USE ALL":
    case "AUTO USE CLEAR ALL":
    case "MANUAL HUB REMOVE ALL":
    case "MANUAL HUB LIST":
    case "AUTOFIND":
    case "REVERSE":
    case "HELP":
    case "EXIT":
      parsed = args.length === 0 ? { verb } : undefined
      break
    case "USE":
      parsed =
        args.length >= 1 && args.length <= 2 && arg(0) !== ""
          ? { verb, address: arg(0), password: args.length === 2 ? args[1]! : null }
          : undefined
      break
    case "STOP USING":
    case "DEVICE INFO":
    case "AUTO USE PORT":
    case "AUTO USE DEVICE":
    case "AUTO USE DEVICE PORT":
      parsed = args.length === 1 ? one(verb, "address") : undefined
      break
    case "SERVER INFO":
    case "AUTO USE HUB":
      parsed = args.length === 1 ? one(verb, "serverName") : undefined
      break
    case "MANUAL HUB ADD":
    case "MANUAL HUB REMOVE":
      parsed = args.length === 1 ? one(verb, "hub") : undefined
      break
    case "DEVICE RENAME":
      parsed = args.length === 2 && arg(0) !== "" ? { verb, address: arg(0), nickname: arg(1) } : undefined
      break
    case "SERVER RENAME":
      parsed = args.length === 2 && arg(0) !== "" ? { verb, hub: arg(0), name: arg(1) } : undefined
      break
  }
  return parsed ?? { verb: "UNKNOWN", text }
}
