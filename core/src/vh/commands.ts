import { Either, Schema } from "effect"
import { splitVhAddress } from "./address.js"
import { VhInvalidArgument } from "./errors.js"

/**
 * Command lines for the client API. Arguments are comma-separated with no escaping, so a comma,
 * newline or control character in an address, hostname or nickname would smuggle a second command
 * into the IPC line (`host,STOP USING ALL`). Every builder validates before it builds; transports
 * accept only a `VhCommand`, so an unchecked string cannot reach a pipe.
 */
export const VhCommand = Schema.String.pipe(Schema.brand("VhCommand"))
export type VhCommand = typeof VhCommand.Type

const command = (text: string) => text as VhCommand
const forbidden = /[,\u0000-\u001f\u007f]/

const invalid = (argument: string, reason: string) => Either.left(new VhInvalidArgument({ argument, reason }))

const checkText = (argument: string, value: string, maxLength: number): Either.Either<string, VhInvalidArgument> => {
  if (value.length === 0) return invalid(argument, "must not be empty")
  if (value.length > maxLength) return invalid(argument, `must be at most ${maxLength} characters`)
  if (forbidden.test(value)) return invalid(argument, "must not contain a comma, a newline or a control character")
  if (value !== value.trim()) return invalid(argument, "must not start or end with spaces")
  return Either.right(value)
}

/** `<host>.<n>`: no spaces in the host (it is a hostname), digits after the last dot. */
export const checkVhAddress = (address: string): Either.Either<string, VhInvalidArgument> =>
  Either.flatMap(checkText("address", address, 255), (value) =>
    /\s/.test(value) || splitVhAddress(value)._tag === "None"
      ? invalid("address", "must be <server hostname>.<number>")
      : Either.right(value)
  )

/** `host` or `host:port` (IPv6 in brackets), as MANUAL HUB ADD and SERVER RENAME take it. */
export const checkHubAddress = (hub: string): Either.Either<string, VhInvalidArgument> =>
  Either.flatMap(checkText("hub", hub, 255), (value) => {
    const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(value)
    if (!match) return invalid("hub", "must be a hostname or IP, optionally with :port")
    if (match[2] !== undefined && (Number(match[2]) < 1 || Number(match[2]) > 65535)) {
      return invalid("hub", "port must be between 1 and 65535")
    }
    return Either.right(value)
  })

/** A server's name (SERVER INFO, AUTO USE HUB): free text, but single-line and comma-free. */
export const checkServerName = (name: string) => checkText("serverName", name, 120)
export const checkNickname = (nickname: string) => checkText("nickname", nickname, 64)

const checkPassword = (password: string): Either.Either<string, VhInvalidArgument> =>
  password.length > 128
    ? invalid("password", "must be at most 128 characters")
    : forbidden.test(password)
      ? invalid("password", "must not contain a comma, a newline or a control character")
      : Either.right(password)

export const buildListCommand = (): VhCommand => command("LIST")
export const buildGetClientStateCommand = (): VhCommand => command("GET CLIENT STATE")
export const buildStopUsingAllCommand = (): VhCommand => command("STOP USING ALL")
export const buildStopUsingAllLocalCommand = (): VhCommand => command("STOP USING ALL LOCAL")
export const buildManualHubListCommand = (): VhCommand => command("MANUAL HUB LIST")
export const buildManualHubRemoveAllCommand = (): VhCommand => command("MANUAL HUB REMOVE ALL")
export const buildAutoUseAllCommand = (): VhCommand => command("AUTO USE ALL")
export const buildAutoUseClearAllCommand = (): VhCommand => command("AUTO USE CLEAR ALL")
export const buildHelpCommand = (): VhCommand => command("HELP")

export const buildUseCommand = (address: string, password?: string): Either.Either<VhCommand, VhInvalidArgument> =>
  Either.flatMap(checkVhAddress(address), (checked) =>
    password === undefined || password === ""
      ? Either.right(command(`USE,${checked}`))
      : Either.map(checkPassword(password), (pw) => command(`USE,${checked},${pw}`))
  )

export const buildStopUsingCommand = (address: string) =>
  Either.map(checkVhAddress(address), (checked) => command(`STOP USING,${checked}`))

export const buildDeviceInfoCommand = (address: string) =>
  Either.map(checkVhAddress(address), (checked) => command(`DEVICE INFO,${checked}`))

export const buildServerInfoCommand = (serverName: string) =>
  Either.map(checkServerName(serverName), (checked) => command(`SERVER INFO,${checked}`))

export const buildManualHubAddCommand = (hub: string) =>
  Either.map(checkHubAddress(hub), (checked) => command(`MANUAL HUB ADD,${checked}`))

export const buildManualHubRemoveCommand = (hub: string) =>
  Either.map(checkHubAddress(hub), (checked) => command(`MANUAL HUB REMOVE,${checked}`))

export const buildAutoUseHubCommand = (serverName: string) =>
  Either.map(checkServerName(serverName), (checked) => command(`AUTO USE HUB,${checked}`))

export const buildAutoUsePortCommand = (address: string) =>
  Either.map(checkVhAddress(address), (checked) => command(`AUTO USE PORT,${checked}`))

export const buildAutoUseDeviceCommand = (address: string) =>
  Either.map(checkVhAddress(address), (checked) => command(`AUTO USE DEVICE,${checked}`))

export const buildAutoUseDevicePortCommand = (address: string) =>
  Either.map(checkVhAddress(address), (checked) => command(`AUTO USE DEVICE PORT,${checked}`))

export const buildDeviceRenameCommand = (address: string, nickname: string) =>
  Either.flatMap(checkVhAddress(address), (checkedAddress) =>
    Either.map(checkNickname(nickname), (checkedNickname) => command(`DEVICE RENAME,${checkedAddress},${checkedNickname}`))
  )

export const buildServerRenameCommand = (hub: string, name: string) =>
  Either.flatMap(checkHubAddress(hub), (checkedHub) =>
    Either.map(checkServerName(name), (checkedName) => command(`SERVER RENAME,${checkedHub},${checkedName}`))
  )
