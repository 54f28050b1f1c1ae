import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"

/**
 * The VirtualHere client id the slave's server will see for this PC: `Full Name (username)`, the
 * full name being the OS account's (empty gives `(username)`). The lease is granted to exactly this
 * text, so a wrong guess fails the bind: `NCOD_VH_CLIENT_ID` or `clientIdentity` in config.json
 * override it.
 */
export const formatClientIdentity = (fullName: string, username: string) => `${fullName.trim()} (${username})`.trimStart()

/** The GECOS full name of `username` in /etc/passwd text (the part before the first comma). */
export const gecosFullName = (passwd: string, username: string): string => {
  for (const line of passwd.split("\n")) {
    const fields = line.split(":")
    if (fields[0] === username && fields.length >= 5) return (fields[4] ?? "").split(",")[0]!.trim()
  }
  return ""
}

const safely = (read: () => string): string => {
  try {
    return read().trim()
  } catch {
    return ""
  }
}

/** What the OS says the current user's full name is (best effort; empty when it does not say). */
export const osFullName = (username: string, platform: NodeJS.Platform = process.platform): string => {
  if (platform === "darwin") return safely(() => execFileSync("id", ["-F"], { encoding: "utf8", timeout: 2000 }))
  if (platform === "win32") {
    return safely(() =>
      execFileSync("powershell.exe", ["-NoProfile", "-Command", "([adsi]\"WinNT://$env:USERDOMAIN/$env:USERNAME,user\").FullName"], {
        encoding: "utf8",
        timeout: 5000,
        windowsHide: true
      })
    )
  }
  return safely(() => gecosFullName(fs.readFileSync("/etc/passwd", "utf8"), username))
}

/** The identity as the OS describes this user. */
export const osClientIdentity = (): string => {
  const username = os.userInfo().username
  return formatClientIdentity(osFullName(username), username)
}

/** The same rule the master applies (AttachRequest): no commas or control characters, ends `(user)`. */
export const isValidClientIdentity = (identity: string) =>
  identity.length >= 3 && identity.length <= 300 && /^[^\u0000-\u001f\u007f,]*\([^()\u0000-\u001f,]+\)$/.test(identity)
