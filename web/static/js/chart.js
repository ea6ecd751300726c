// Hand-drawn SVG bar charts (grouped or stacked) for the staff statistics. No library: axes, bars,
// labels and a legend as SVG elements, an accessible description, and the numbers as a table.

import { h } from "./ui.js";

const NS = "http://www.w3.org/2000/svg";
export const PALETTE = ["#1d4f91", "#5b9bd5", "#c0392b", "#1b7a3a", "#e8a317", "#7b5ea7", "#8896a6"];

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** A round step (1, 2, 5 × 10^k, at least 1: the figures are counts) giving about ``ticks`` ticks. */
function niceStep(max, ticks) {
  const raw = Math.max(max / ticks, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

const short = (text, n) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

/**
 * @param {object} o
 * @param {string} o.id
 * @param {string} o.title
 * @param {string[]} o.categories   x axis (e.g. the sub-regions)
 * @param {{name: string, values: number[], color?: string}[]} o.series
 * @param {boolean} [o.stacked]
 * @param {string} [o.unit]
 */
export function barChart({ id, title, categories, series, stacked = false, unit = "件" }) {
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  const figure = h("figure", { class: "chart", id }, h("figcaption", { id: titleId }, title));
  const values = (i) => series.map((x) => Number(x.values[i]) || 0);
  const max = Math.max(0, ...categories.map((_, i) => (stacked ? values(i).reduce((a, b) => a + b, 0) : Math.max(0, ...values(i)))));
  if (!categories.length || max === 0) {
    figure.append(h("p", { class: "muted small" }, "暂无数据"));
    return figure;
  }

  const W = 440;
  const H = 250;
  const rotate = categories.length > 6;
  const m = { top: 18, right: 8, bottom: rotate ? 70 : 34, left: 34 };
  const plotW = W - m.left - m.right;
  const plotH = H - m.top - m.bottom;
  const step = niceStep(max, 4);
  const ticks = Math.ceil(max / step);
  const top = step * ticks;
  const y = (v) => m.top + plotH - (v / top) * plotH;
  const band = plotW / categories.length;
  const groupW = Math.min(band * 0.72, 120);
  const barW = stacked ? groupW : groupW / series.length;

  const summary = categories
    .map((c, i) => `${c}：${series.map((x, j) => `${x.name}${values(i)[j]}${unit}`).join("，")}`)
    .join("；");
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${titleId} ${descId}`, preserveAspectRatio: "xMidYMid meet" });
  svg.append(s("desc", { id: descId }, summary));

  // grid lines and y ticks
  for (let t = 0; t <= ticks; t++) {
    const v = step * t;
    const yy = y(v);
    svg.append(
      s("line", { x1: m.left, x2: W - m.right, y1: yy, y2: yy, stroke: t === 0 ? "#8896a6" : "#e3e8ef", "stroke-width": 1 }),
      s("text", { x: m.left - 6, y: yy + 4, "text-anchor": "end", "font-size": 11, fill: "#5b6673" }, v),
    );
  }

  categories.forEach((cat, i) => {
    const x0 = m.left + band * i + (band - groupW) / 2;
    let acc = 0;
    series.forEach((ser, j) => {
      const v = values(i)[j];
      if (!v) return;
      const color = ser.color || PALETTE[j % PALETTE.length];
      const x = stacked ? x0 : x0 + barW * j;
      const yTop = stacked ? y(acc + v) : y(v);
      const height = stacked ? y(acc) - y(acc + v) : y(0) - y(v);
      const rect = s("rect", { x: x + 1, y: yTop, width: Math.max(barW - 2, 1), height: Math.max(height, 0.5), fill: color, rx: 2 });
      rect.append(s("title", {}, `${cat} ${ser.name}：${v}${unit}`));
      svg.append(rect);
      if (!stacked && barW >= 14) {
        svg.append(s("text", { x: x + barW / 2, y: yTop - 4, "text-anchor": "middle", "font-size": 11, fill: "#1f2933" }, v));
      }
      acc += v;
    });
    if (stacked && acc) svg.append(s("text", { x: x0 + groupW / 2, y: y(acc) - 4, "text-anchor": "middle", "font-size": 11, fill: "#1f2933" }, acc));
    const lx = m.left + band * i + band / 2;
    const ly = m.top + plotH + 16;
    svg.append(
      rotate
        ? s("text", { x: lx, y: ly, "text-anchor": "end", "font-size": 11, fill: "#1f2933", transform: `rotate(-35 ${lx} ${ly})` }, short(cat, 8))
        : s("text", { x: lx, y: ly, "text-anchor": "middle", "font-size": 12, fill: "#1f2933" }, short(cat, 9)),
    );
  });

  figure.append(svg);
  if (series.length > 1) {
    figure.append(
      h("ul", { class: "legend" }, series.map((ser, j) => h("li", {}, h("i", { class: `swatch-${j % PALETTE.length}` }), ser.name))),
    );
  }
  figure.append(
    h(
      "details",
      { class: "data" },
      h("summary", {}, "查看数据表"),
      h(
        "div",
        { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "表格（可左右滚动）" },
        h(
          "table",
          {},
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "项目"), series.map((x) => h("th", { scope: "col" }, x.name)))),
          h("tbody", {}, categories.map((c, i) => h("tr", {}, h("th", { scope: "row" }, c), values(i).map((v) => h("td", {}, v))))),
        ),
      ),
    ),
  );
  return figure;
}
