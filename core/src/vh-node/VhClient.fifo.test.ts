import { describeVhClientSuite } from "./testing/VhClientSuite.js"
import { VhClient } from "./VhClient.js"

describeVhClientSuite({
  name: "the client daemon's FIFOs",
  timeoutMillis: 1_500,
  layer: (site) => VhClient.layerFifo({ commandPipe: site.commandPipe, responsePipe: site.responsePipe, timeout: "1500 millis" })
})
