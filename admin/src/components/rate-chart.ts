import { css, html, svg } from "lit"
import { customElement, property } from "lit/decorators.js"
import { formatTime, I18nElement } from "@ncod/web"
import type { RatePoint } from "../data/metrics.js"

/** A line chart of the ingestion rate in plain SVG (a handful of points: no chart library needed). */
@customElement("rate-chart")
export class RateChart extends I18nElement {
  @property({ attribute: false }) accessor points: ReadonlyArray<RatePoint> = []
  @property() accessor label = ""

  static override styles = css`
    :host {
      display: block;
    }
    svg {
      width: 100%;
      height: auto;
      display: block;
    }
    .axis {
      stroke: var(--sl-color-neutral-300);
    }
    .line {
      fill: none;
      stroke: var(--sl-color-primary-600);
      stroke-width: 2;
    }
    .area {
      fill: var(--sl-color-primary-100);
    }
    text {
      font-size: 11px;
      fill: var(--sl-color-neutral-600);
    }
  `

  override render() {
    const width = 640
    const height = 200
    const pad = { left: 44, right: 10, top: 10, bottom: 22 }
    const points = this.points
    const max = Math.max(1, ...points.map((point) => point.rate)) * 1.1
    const first = points[0]?.at ?? 0
    const last = points[points.length - 1]?.at ?? 1
    const span = Math.max(1, last - first)
    const x = (at: number) => pad.left + ((at - first) / span) * (width - pad.left - pad.right)
    const y = (rate: number) => height - pad.bottom - (rate / max) * (height - pad.top - pad.bottom)
    const line = points.map((point, index) => `${index === 0 ? "M" : "L"}${x(point.at).toFixed(1)},${y(point.rate).toFixed(1)}`).join(" ")
    const area = points.length > 1 ? `${line} L${x(last).toFixed(1)},${y(0)} L${x(first).toFixed(1)},${y(0)} Z` : ""
    const ticks = [0, max / 2, max]
    return html`<svg viewBox="0 0 ${width} ${height}" role="img" aria-label=${this.label}>
      ${ticks.map((tick) => svg`<line class="axis" x1=${pad.left} x2=${width - pad.right} y1=${y(tick)} y2=${y(tick)}></line>
        <text x=${pad.left - 6} y=${y(tick) + 4} text-anchor="end">${tick.toFixed(tick < 10 ? 1 : 0)}</text>`)}
      ${area ? svg`<path class="area" d=${area}></path>` : ""}
      ${points.length > 1 ? svg`<path class="line" d=${line}></path>` : ""}
      ${points.length > 0
        ? svg`<text x=${pad.left} y=${height - 6}>${formatTime(first)}</text><text x=${width - pad.right} y=${height - 6} text-anchor="end">${formatTime(last)}</text>`
        : ""}
    </svg>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "rate-chart": RateChart
  }
}
