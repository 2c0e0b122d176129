// Grafana dashboards as code: a dashboard is rows of panels (each a title, a kind and PromQL queries),
// laid out on Grafana's 24-column grid. The same layout renders the JSON the Grafana sidecar loads and
// the SVG picture in docs/ (svg.ts).

export type PanelKind = "timeseries" | "stat" | "table";

export interface Query {
  readonly expr: string;
  /** Grafana legend template, e.g. "{{node}}". */
  readonly legend?: string;
}

export interface Panel {
  readonly title: string;
  readonly kind: PanelKind;
  readonly queries: readonly Query[];
  /** Grafana unit id: "percentunit", "short", "decmbytes"... */
  readonly unit?: string;
  /** Columns of the 24 the panel spans. */
  readonly width: number;
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  /** Rows top to bottom; each row's widths add up to at most 24. */
  readonly rows: readonly (readonly Panel[])[];
}

export const GRID_COLUMNS = 24;
/** Height of every row in grid units (30 px each in Grafana). */
export const ROW_HEIGHT = 8;

export interface PlacedPanel extends Panel {
  readonly x: number;
  readonly y: number;
  readonly h: number;
}

/** Grid positions: rows stacked, panels left to right. */
export function layout(dashboard: Dashboard): PlacedPanel[] {
  return dashboard.rows.flatMap((row, r) => {
    const used = row.reduce((sum, p) => sum + p.width, 0);
    if (used > GRID_COLUMNS) throw new Error(`dashboard ${dashboard.uid}: row ${r + 1} spans ${used} columns, more than ${GRID_COLUMNS}`);
    let x = 0;
    return row.map((panel) => {
      const placed = { ...panel, x, y: r * ROW_HEIGHT, h: ROW_HEIGHT };
      x += panel.width;
      return placed;
    });
  });
}

/** Every query of a dashboard, for the checks (promtool parses them; metrics.ts knows their metrics). */
export function queriesOf(dashboard: Dashboard): { panel: string; expr: string }[] {
  return dashboard.rows.flat().flatMap((p) => p.queries.map((q) => ({ panel: p.title, expr: q.expr })));
}

/** The dashboard's JSON model (Grafana schemaVersion 39), reading from a chosen Prometheus data source. */
export function grafanaJson(dashboard: Dashboard): Record<string, unknown> {
  const datasource = { type: "prometheus", uid: "${datasource}" };
  return {
    uid: dashboard.uid,
    title: dashboard.title,
    description: dashboard.description,
    tags: ["kfp-platform"],
    timezone: "utc",
    schemaVersion: 39,
    editable: false,
    time: { from: "now-6h", to: "now" },
    refresh: "1m",
    templating: { list: [{ name: "datasource", label: "Data source", type: "datasource", query: "prometheus", hide: 0 }] },
    panels: layout(dashboard).map((p, i) => ({
      id: i + 1,
      type: p.kind,
      title: p.title,
      gridPos: { x: p.x, y: p.y, w: p.width, h: p.h },
      datasource,
      targets: p.queries.map((q, j) => ({
        refId: String.fromCharCode(65 + j),
        datasource,
        expr: q.expr,
        ...(q.legend ? { legendFormat: q.legend } : {}),
        ...(p.kind === "table" ? { format: "table", instant: true } : {}),
      })),
      fieldConfig: { defaults: { unit: p.unit ?? "short" }, overrides: [] },
      options: {},
    })),
  };
}
