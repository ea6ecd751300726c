// Address pickers: province → city → county → township selects fed by GET /v1/regions/...
// (chalicelib/api/regions.py). Placeholder prefectures are skipped by the API, so 重庆市 goes
// straight to its districts. Answers are cached for the page's lifetime.

import { get } from "./api.js";
import { h } from "./ui.js";

const cache = new Map();

function cached(path) {
  if (!cache.has(path)) {
    cache.set(
      path,
      get(path).catch((err) => {
        cache.delete(path);
        throw err;
      }),
    );
  }
  return cache.get(path);
}

export const provinces = () => cached("/v1/regions").then((r) => r.regions);
export const childrenOf = (code) => cached(`/v1/regions/${encodeURIComponent(code)}/children`).then((r) => r.children);
export const regionInfo = (code) => cached(`/v1/regions/${encodeURIComponent(code)}`);

/** "四川省成都市锦江区春熙路街道" for a code, or the code itself when unknown. */
export async function fullName(code) {
  if (!code) return "";
  try {
    return (await regionInfo(code)).full_name;
  } catch {
    return code;
  }
}

const LEVEL_LABEL = { province: "省（自治区、直辖市）", city: "市（州）", county: "区（县）", township: "乡镇（街道）" };
const LEVEL_DEPTH = { province: 1, city: 2, county: 3, township: 4 };

let serial = 0;

export class RegionPicker {
  /**
   * @param {object} o
   * @param {string} o.path      the API field path (errors land here), e.g. "woman.hukou.region_code"
   * @param {string} o.legend    visible label
   * @param {string} o.finest    "township" or "county": the finest level offered
   * @param {string} o.coarsest  the coarsest level accepted (client check): "county" by default
   * @param {string} [o.hint]
   * @param {string} [o.defaultProvince] preselected province code
   */
  constructor({ path, legend, finest = "township", coarsest = "county", hint, required = true, defaultProvince, id }) {
    this.path = path;
    this.legend = legend;
    this.finest = finest;
    this.coarsest = coarsest;
    this.required = required;
    this.defaultProvince = defaultProvince;
    this.id = id || `region-${++serial}`;
    this.depth = LEVEL_DEPTH[finest];
    this.levels = [];
    const selects = h("div", { class: `region-selects depth-${Math.min(this.depth, 4)}` });
    for (let i = 0; i < this.depth; i++) {
      const selectId = `${this.id}-${i}`;
      const label = h("label", { class: "visually-hidden", for: selectId }, `${legend}：${i === 0 ? LEVEL_LABEL.province : ""}`);
      const select = h("select", { id: selectId, disabled: i > 0, "data-level": String(i) });
      select.addEventListener("change", () => this._changed(i));
      const wrap = h("div", { hidden: i > 0 }, label, select);
      selects.append(wrap);
      this.levels.push({ select, label, wrap, items: [] });
    }
    this.element = h(
      "div",
      { class: "field region-field", "data-path": path },
      h(
        "fieldset",
        {},
        h("legend", { class: "label" }, legend, required ? h("span", { class: "req", "aria-hidden": "true" }, "*") : null),
        hint ? h("span", { class: "hint" }, hint) : null,
        selects,
      ),
    );
    this.ready = this._init();
  }

  async _init() {
    this._fill(0, await provinces());
    if (this.defaultProvince && !this.value) {
      this.levels[0].select.value = this.defaultProvince;
      await this._changed(0);
    }
  }

  _fill(i, items) {
    const level = this.levels[i];
    level.items = items;
    const kind = items.length && items.every((x) => x.level === items[0].level) ? items[0].level : "mixed";
    const name = kind === "mixed" ? "市、区（县）" : LEVEL_LABEL[kind];
    level.label.textContent = `${this.legend}：${name}`;
    level.select.replaceChildren(
      h("option", { value: "" }, `请选择${name.replace(/（.*）/, "")}`),
      ...items.map((r) => h("option", { value: r.code }, r.name)),
    );
    level.select.disabled = false;
    level.wrap.hidden = false;
  }

  _clearFrom(i) {
    for (let j = i; j < this.levels.length; j++) {
      const level = this.levels[j];
      level.items = [];
      level.select.replaceChildren(h("option", { value: "" }, "—"));
      level.select.disabled = true;
      level.wrap.hidden = j > 0;
    }
  }

  async _changed(i) {
    const code = this.levels[i].select.value;
    this._clearFrom(i + 1);
    if (code && i + 1 < this.levels.length) {
      const items = await childrenOf(code);
      if (items.length && this.levels[i].select.value === code) this._fill(i + 1, items);
    }
    this.element.dispatchEvent(new CustomEvent("regionchange", { bubbles: true, detail: { code: this.value } }));
  }

  /** The finest chosen code, or "". */
  get value() {
    for (let i = this.levels.length - 1; i >= 0; i--) {
      if (this.levels[i].select.value) return this.levels[i].select.value;
    }
    return "";
  }

  /** Choose ``code`` (any level), loading each level on the way. */
  async setValue(code) {
    await this.ready;
    if (!code) {
      this.levels[0].select.value = "";
      this._clearFrom(1);
      return;
    }
    const info = await regionInfo(code);
    const path = info.path.map((p) => p.code);
    for (let i = 0; i < path.length && i < this.levels.length; i++) {
      if (i > 0) this._fill(i, await childrenOf(path[i - 1]));
      this.levels[i].select.value = path[i];
    }
    this._clearFrom(Math.min(path.length, this.levels.length));
    if (path.length < this.levels.length) {
      const items = await childrenOf(path[path.length - 1]);
      if (items.length) this._fill(path.length, items);
    }
    this.element.dispatchEvent(new CustomEvent("regionchange", { bubbles: true, detail: { code: this.value } }));
  }

  set disabled(value) {
    this.levels.forEach((l) => {
      l.select.disabled = value || !l.items.length;
    });
  }

  /** Client check: something chosen down to ``coarsest`` at least. Returns a message or "". */
  problem() {
    const v = this.value;
    if (!v) return this.required ? `请选择${this.legend}` : "";
    const chosenLevel = this.levels.findLastIndex((l) => l.select.value);
    const level = this.levels[chosenLevel];
    const item = level.items.find((x) => x.code === v);
    if (item && LEVEL_DEPTH[item.level] < LEVEL_DEPTH[this.coarsest]) return `${this.legend}请至少选择到${LEVEL_LABEL[this.coarsest]}`;
    return "";
  }
}
