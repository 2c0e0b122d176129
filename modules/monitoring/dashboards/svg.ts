// A dashboard's layout as an SVG picture for docs/: the grid, each panel's title and kind, so a reader
// sees what Grafana will show before installing anything. Deterministic, so a test can keep it current.
import { GRID_COLUMNS, layout, ROW_HEIGHT, type Dashboard, type PanelKind } from "./model";

const CELL_W = 40;
const CELL_H = 22;
const HEADER = 40;
const GAP = 4;

const FILL: Record<PanelKind, string> = { timeseries: "#e8f1fb", stat: "#eaf6ec", table: "#fbf3e6" };

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A small sketch of what the panel kind draws, inside the panel's box. */
function glyph(kind: PanelKind, x: number, y: number, w: number, h: number): string {
  if (kind === "timeseries") {
    const points = [0, 0.5, 0.3, 0.7, 0.45, 0.2, 0.6, 0.55, 0.8, 0.35, 1].map((v, i, all) => `${(x + (i / (all.length - 1)) * w).toFixed(1)},${(y + h - v * h).toFixed(1)}`);
    return `<polyline points="${points.join(" ")}" fill="none" stroke="#3274d9" stroke-width="2"/>`;
  }
  if (kind === "stat") return `<text x="${x + w / 2}" y="${y + h / 2 + 12}" font-size="32" text-anchor="middle" fill="#37872d">#</text>`;
  const lines = [0, 1, 2, 3].map((i) => `<line x1="${x}" y1="${y + 8 + i * (h / 4)}" x2="${x + w}" y2="${y + 8 + i * (h / 4)}" stroke="#c4a35a" stroke-width="1"/>`);
  return lines.join("");
}

export function dashboardSvg(dashboard: Dashboard): string {
  const panels = layout(dashboard);
  const width = GRID_COLUMNS * CELL_W;
  const height = HEADER + dashboard.rows.length * ROW_HEIGHT * CELL_H;
  const boxes = panels.map((p) => {
    const x = p.x * CELL_W + GAP / 2;
    const y = HEADER + p.y * CELL_H + GAP / 2;
    const w = p.width * CELL_W - GAP;
    const h = p.h * CELL_H - GAP;
    return [
      `<g>`,
      `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="4" fill="${FILL[p.kind]}" stroke="#8c99a6"/>`,
      `<text x="${x + 8}" y="${y + 20}" font-size="14" font-weight="bold" fill="#1f2933">${escape(p.title)}</text>`,
      glyph(p.kind, x + 12, y + 34, w - 24, h - 60),
      `<text x="${x + w - 8}" y="${y + h - 8}" font-size="11" text-anchor="end" fill="#52606d">${p.kind}</text>`,
      `</g>`,
    ].join("");
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="26" font-size="18" font-weight="bold" fill="#1f2933">${escape(dashboard.title)}</text>`,
    ...boxes,
    `</svg>`,
    "",
  ].join("\n");
}
