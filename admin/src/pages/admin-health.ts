import type { LiveEvent, SlaveSummary } from "@ncod/core"
import { css, html, nothing } from "lit"
import { customElement, state } from "lit/decorators.js"
import { debounce, I18nElement, inventoryData, LiveController, pageStyles, type UiError } from "@ncod/web"
import { admin } from "../app.js"
import { addReading, type RatePoint, readMetrics } from "../data/metrics.js"
import { at } from "../messages.js"
import "../components/rate-chart.js"

const sampleEveryMs = 5_000

/**
 * System health: slaves online and offline, devices by state (from the inventory), and the report
 * ingestion rate sampled from /metrics every few seconds into a small in-memory series.
 */
@customElement("admin-health")
export class AdminHealth extends I18nElement {
  @state() accessor slaves: ReadonlyArray<SlaveSummary> | undefined
  @state() accessor error: UiError | undefined
  @state() accessor series: ReadonlyArray<RatePoint> = []
  @state() accessor metrics: "ok" | "protected" | "unavailable" | "waiting" = "waiting"
  private previous: { value: number; at: number } | undefined
  private timer: ReturnType<typeof setInterval> | undefined
  private readonly reloadSoon = debounce(() => void this.loadCounts(), 500)
  private readonly live = new LiveController(this, admin.live, (event: LiveEvent) => {
    if (["SlaveStatusChanged", "DeviceAdded", "DeviceRemoved", "DeviceChanged", "Resync"].includes(event._tag)) this.reloadSoon()
  })

  static override styles = [
    pageStyles,
    css`
      .tiles {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 10rem), 1fr));
        gap: var(--sl-spacing-medium);
      }
      .tile {
        background: var(--sl-color-neutral-0);
        border: 1px solid var(--sl-color-neutral-200);
        border-radius: var(--sl-border-radius-large);
        padding: var(--sl-spacing-medium);
      }
      .tile .value {
        font-size: var(--sl-font-size-3x-large);
        font-weight: var(--sl-font-weight-semibold);
      }
      .tile.bad .value {
        color: var(--sl-color-danger-600);
      }
      .tile.good .value {
        color: var(--sl-color-success-700);
      }
    `
  ]

  override connectedCallback() {
    super.connectedCallback()
    void this.loadCounts()
    void this.sample()
    this.timer = setInterval(() => void this.sample(), sampleEveryMs)
  }

  override disconnectedCallback() {
    super.disconnectedCallback()
    clearInterval(this.timer)
  }

  private async loadCounts() {
    this.error = undefined
    try {
      this.slaves = await inventoryData.fetchSlaves(admin.api)
    } catch (error) {
      this.error = error as UiError
    }
  }

  private async sample() {
    try {
      const reading = await readMetrics(admin.api)
      this.metrics = reading.kind
      if (reading.kind !== "ok") return
      const next = { value: reading.reportsIngested, at: reading.at }
      this.series = addReading(this.series, this.previous, next)
      this.previous = next
    } catch {
      this.metrics = "unavailable"
    }
  }

  override render() {
    const slaves = this.slaves ?? []
    const count = (status: string) => slaves.filter((summary) => summary.slave.status === status).length
    const devices = slaves.reduce(
      (sum, summary) => ({ available: sum.available + summary.devices.available, inUse: sum.inUse + summary.devices.inUse, offline: sum.offline + summary.devices.offline }),
      { available: 0, inUse: 0, offline: 0 }
    )
    const latest = this.series[this.series.length - 1]
    const tile = (label: string, value: number | string, tone = "") => html`<div class="tile ${tone}"><div class="muted">${label}</div><div class="value">${value}</div></div>`
    return html`<h1>${at("health.title")}</h1>
      ${this.error ? html`<nc-error .error=${this.error} retry @nc-retry=${this.loadCounts}></nc-error>` : nothing}
      ${this.slaves === undefined && !this.error
        ? html`<nc-loading></nc-loading>`
        : html`<h2>${at("health.slaves")}</h2>
            <div class="tiles">
              ${tile(at("health.online"), count("online"), "good")} ${tile(at("health.offline"), count("offline"), count("offline") > 0 ? "bad" : "")}
              ${tile(at("health.decommissioned"), count("decommissioned"))}
            </div>
            <h2>${at("health.devices")}</h2>
            <div class="tiles">
              ${tile(at("health.available"), devices.available, "good")} ${tile(at("health.inUse"), devices.inUse)} ${tile(at("health.devicesOffline"), devices.offline)}
            </div>`}
      <h2>${at("health.ingestion")}</h2>
      ${this.metrics === "protected"
        ? html`<sl-alert variant="neutral" open><sl-icon slot="icon" name="shield-lock"></sl-icon>${at("health.metricsProtected")}</sl-alert>`
        : this.metrics === "unavailable"
          ? html`<sl-alert variant="warning" open><sl-icon slot="icon" name="exclamation-triangle"></sl-icon>${at("health.metricsUnavailable")}</sl-alert>`
          : html`<sl-card>
              <p>${latest ? at("health.rate", { rate: latest.rate.toFixed(2) }) : at("health.collecting")}</p>
              <rate-chart .points=${this.series} label=${at("health.chartLabel")}></rate-chart>
              <p class="muted">${at("health.chartHint", { seconds: sampleEveryMs / 1000 })}</p>
            </sl-card>`}`
  }
}
