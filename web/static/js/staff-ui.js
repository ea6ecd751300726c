// Pieces the staff console's screens share.

import { h } from "./ui.js";

/** A table in a box that scrolls sideways on its own (the page never does); on a phone each row
 * becomes a card (table.cards, site.css) whose cells are labelled by ``data-th``. */
export function dataTable(id, caption, head, rows, { className = "cards", empty = "暂无记录" } = {}) {
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": `${caption}（可左右滚动）` },
    h(
      "table",
      { id, class: className },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, head.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: String(head.length), class: "muted" }, empty))),
    ),
  );
}
