import { Args, Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { masterLinkLayer } from "../api/MasterLink.js"
import { Settings } from "../config/ClientConfig.js"
import { vhClientLayer } from "../vh/VhLayer.js"
import { whoami } from "./Account.js"
import { connect } from "./Connect.js"
import { disconnect } from "./Disconnect.js"
import { listDevices } from "./ListDevices.js"
import { login, logout } from "./Login.js"
import { pick } from "./Pick.js"
import { decline, joinQueue, leaveQueue, renew, showQueue } from "./Queue.js"
import { status } from "./Status.js"
import { watch } from "./Watch.js"

/** Runs a command with the signed-in link to the master. */
const withMaster = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, masterLinkLayer)

/** …and the local VirtualHere client on this OS's transport. */
const withMasterAndVh = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Settings, (settings) => withMaster(Effect.provide(effect, vhClientLayer(settings))))

const json = Options.boolean("json").pipe(Options.withDescription("print JSON instead of text"))
const minutes = Options.integer("minutes").pipe(
  Options.withAlias("m"),
  Options.optional,
  Options.withDescription("lease length in minutes (default and maximum: the master's)")
)
const device = Args.text({ name: "device" }).pipe(
  Args.withDescription("id, VirtualHere address (host.n), nickname, serial, product name, or slave/name")
)
const optionalMinutes = (value: Option.Option<number>) => Option.getOrUndefined(value)

const loginCommand = Command.make(
  "login",
  {
    master: Options.text("master").pipe(Options.optional, Options.withDescription("the master's URL, e.g. https://ncod.example.com:8443")),
    username: Options.text("username").pipe(Options.withAlias("u"), Options.optional, Options.withDescription("your ncod username")),
    caFile: Options.file("ca-file").pipe(Options.optional, Options.withDescription("the master's CA certificate (PEM) to pin")),
    yes: Options.boolean("yes").pipe(Options.withAlias("y"), Options.withDescription("trust the master's certificate on first use without asking")),
    passwordStdin: Options.boolean("password-stdin").pipe(Options.withDescription("read the password from standard input"))
  },
  (flags) => login(flags)
).pipe(Command.withDescription("sign in with your password and this computer (its MAC and machine key)"))

const logoutCommand = Command.make("logout", {}, () => logout).pipe(Command.withDescription("sign out and forget the session on this computer"))

const whoamiCommand = Command.make("whoami", { json }, ({ json }) => withMaster(whoami(json))).pipe(
  Command.withDescription("show who you are signed in as")
)

const devicesCommand = Command.make(
  "devices",
  {
    search: Options.text("search").pipe(Options.withAlias("q"), Options.optional, Options.withDescription("text in name, nickname, serial, slave…")),
    slave: Options.text("slave").pipe(Options.optional, Options.withDescription("only this slave (name)")),
    state: Options.choice("state", ["available", "in_use", "offline", "removed"]).pipe(Options.optional, Options.withDescription("only devices in this state")),
    usb: Options.text("usb").pipe(Options.optional, Options.withDescription("vendor[:product] id, hex (e.g. 0403:6001)")),
    mine: Options.boolean("mine").pipe(Options.withDescription("only devices you hold")),
    json
  },
  (filters) => withMaster(listDevices(filters))
).pipe(Command.withDescription("list the devices you may use"))

const pickCommand = Command.make("pick", { minutes }, ({ minutes }) => withMasterAndVh(pick(optionalMinutes(minutes)))).pipe(
  Command.withDescription("choose a device from a list (arrows, type to filter, Enter connects)")
)

const connectCommand = Command.make("connect", { device, minutes }, ({ device, minutes }) =>
  withMasterAndVh(connect(device, optionalMinutes(minutes)))
).pipe(Command.withDescription("lease a device and use it through VirtualHere until Ctrl+C"))

const disconnectCommand = Command.make(
  "disconnect",
  {
    device: device.pipe(Args.optional),
    all: Options.boolean("all").pipe(Options.withDescription("every device you hold"))
  },
  ({ all, device }) => withMasterAndVh(disconnect(Option.getOrUndefined(device), all))
).pipe(Command.withDescription("stop using a device and release its lease"))

const statusCommand = Command.make("status", { json }, ({ json }) => withMasterAndVh(status(json))).pipe(
  Command.withDescription("your session, the VirtualHere client, the devices you hold")
)

const watchCommand = Command.make("watch", { json }, ({ json }) => withMaster(watch(json))).pipe(
  Command.withDescription("print live events, one line each, until Ctrl+C")
)

const queueCommand = Command.make("queue", { json }, ({ json }) => withMaster(showQueue(json))).pipe(
  Command.withDescription("the devices you wait for"),
  Command.withSubcommands([
    Command.make("join", { device }, ({ device }) => withMaster(joinQueue(device))).pipe(Command.withDescription("wait in line for a busy device")),
    Command.make("leave", { device }, ({ device }) => withMaster(leaveQueue(device))).pipe(Command.withDescription("leave the line"))
  ])
)

const renewCommand = Command.make("renew", { device, minutes }, ({ device, minutes }) => withMaster(renew(device, optionalMinutes(minutes)))).pipe(
  Command.withDescription("extend the lease on a device you hold")
)

const declineCommand = Command.make("decline", { device }, ({ device }) => withMaster(decline(device))).pipe(
  Command.withDescription("decline a request to release a device you hold")
)

export const ncodCli = Command.make("ncod").pipe(
  Command.withDescription("ncod: use the USB devices shared on your LAN through VirtualHere"),
  Command.withSubcommands([
    loginCommand,
    logoutCommand,
    whoamiCommand,
    devicesCommand,
    pickCommand,
    connectCommand,
    disconnectCommand,
    statusCommand,
    watchCommand,
    queueCommand,
    renewCommand,
    declineCommand
  ])
)
