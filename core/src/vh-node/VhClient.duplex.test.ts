import { describeVhClientSuite } from "./testing/VhClientSuite.js"
import { VhClient } from "./VhClient.js"

describeVhClientSuite({
  name: "a duplex pipe (the Windows shape, over a Unix socket)",
  timeoutMillis: 1_500,
  layer: (site) => VhClient.layerWindowsPipe({ pipePath: site.duplexPipe, timeout: "1500 millis" })
})
