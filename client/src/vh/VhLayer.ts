import { VhClient } from "@ncod/core/vh-node"
import * as path from "node:path"
import type { ClientSettings } from "../config/ClientConfig.js"

/**
 * The local VirtualHere client over the right transport for this OS (FIFOs on Linux/macOS, the
 * named pipe on Windows), or through `<binary> -t` when a binary is configured. The Windows GUI
 * client (`vhui*.exe`) has no console: its replies come back through `-r <file>`.
 */
export const vhClientLayer = (settings: ClientSettings, platform: NodeJS.Platform = process.platform) => {
  const { binary, commandPipe, responsePipe, windowsPipe } = settings.vh
  if (binary !== undefined) {
    return VhClient.layerExec({ binary, replyFile: platform === "win32" && /^vhui/i.test(path.win32.basename(binary)) })
  }
  return VhClient.layerForPlatform(
    {
      ...(commandPipe === undefined ? {} : { commandPipe }),
      ...(responsePipe === undefined ? {} : { responsePipe }),
      ...(windowsPipe === undefined ? {} : { pipePath: windowsPipe })
    },
    platform
  )
}
