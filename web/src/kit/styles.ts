import { css } from "lit"

/** Layout helpers every page shares; Shoelace's design tokens give colours, spacing and type. */
export const pageStyles = css`
  :host {
    display: block;
  }
  h1 {
    font-size: var(--sl-font-size-2x-large);
    font-weight: var(--sl-font-weight-semibold);
    margin: 0 0 var(--sl-spacing-medium);
  }
  h2 {
    font-size: var(--sl-font-size-large);
    font-weight: var(--sl-font-weight-semibold);
    margin: var(--sl-spacing-large) 0 var(--sl-spacing-small);
  }
  p {
    line-height: var(--sl-line-height-normal);
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    gap: var(--sl-spacing-small);
    align-items: flex-end;
    margin-bottom: var(--sl-spacing-medium);
  }
  .toolbar > * {
    flex: 1 1 12rem;
    min-width: 0;
  }
  .toolbar > sl-button {
    flex: 0 0 auto;
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(min(100%, 20rem), 1fr));
    gap: var(--sl-spacing-medium);
  }
  .stack {
    display: flex;
    flex-direction: column;
    gap: var(--sl-spacing-medium);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: var(--sl-spacing-x-small);
    align-items: center;
  }
  .muted {
    color: var(--sl-color-neutral-600);
    font-size: var(--sl-font-size-small);
  }
  .mono {
    font-family: var(--sl-font-mono);
    font-size: var(--sl-font-size-small);
    overflow-wrap: anywhere;
  }
  .narrow {
    max-width: 34rem;
  }
  .more {
    display: flex;
    justify-content: center;
    margin-top: var(--sl-spacing-medium);
  }
  dl.facts {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: var(--sl-spacing-2x-small) var(--sl-spacing-medium);
    margin: 0;
  }
  dl.facts dt {
    color: var(--sl-color-neutral-600);
  }
  dl.facts dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  table.data {
    width: 100%;
    border-collapse: collapse;
    font-size: var(--sl-font-size-small);
  }
  table.data th,
  table.data td {
    text-align: start;
    padding: var(--sl-spacing-x-small) var(--sl-spacing-small);
    border-bottom: 1px solid var(--sl-color-neutral-200);
    vertical-align: top;
    overflow-wrap: anywhere;
  }
  table.data th {
    color: var(--sl-color-neutral-700);
    font-weight: var(--sl-font-weight-semibold);
  }
  .table-wrap {
    overflow-x: auto;
  }
  sl-card {
    width: 100%;
  }
  form .stack,
  form.stack {
    max-width: 34rem;
  }
  @media (max-width: 600px) {
    h1 {
      font-size: var(--sl-font-size-x-large);
    }
    dl.facts {
      grid-template-columns: 1fr;
    }
    dl.facts dd {
      margin-bottom: var(--sl-spacing-x-small);
    }
    table.data.cards thead {
      display: none;
    }
    table.data.cards tr {
      display: block;
      border-bottom: 1px solid var(--sl-color-neutral-300);
      padding: var(--sl-spacing-x-small) 0;
    }
    table.data.cards td {
      display: block;
      border: none;
      padding: 2px var(--sl-spacing-small);
    }
    table.data.cards td[data-label]::before {
      content: attr(data-label) ": ";
      color: var(--sl-color-neutral-600);
    }
  }
`
