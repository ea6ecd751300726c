// The registration form (the JSON contract of chalicelib/domain/form.py) as three sections —
// 女方信息, 男方信息, 婚育信息 (000 §2.3.2–2.3.4; fields of 002 附件1) — used by the citizen portal
// (online) and by the staff console (on-site entry). Every control carries ``data-path`` = the
// contract's dotted path, so the API's field errors land next to it.

import { RegionPicker, fullName } from "./regions.js";
import { checkRequired } from "./sms.js";
import { $, $$, fieldId, h } from "./ui.js";

const ID_PATTERN = "\\d{17}[\\dXx]";
const PHONE_PATTERN = "1[3-9]\\d{9}";
const ROLE = { woman: "女方", man: "男方" };

const MARITAL = [
  ["first_marriage", "初婚"],
  ["remarriage", "再婚"],
  ["remarried_each_other", "复婚"],
];
const APPLICATION_TYPES = [
  ["self", "本人申请"],
  ["late", "补办登记（子女已出生）"],
  ["proxy", "委托代办"],
];
const REBIRTH = [
  ["child_deceased", "子女死亡"],
  ["child_disabled", "子女经鉴定为残疾"],
];
const PREGNANCY = [
  ["not_pregnant", "未怀孕"],
  ["pregnant", "已怀孕"],
  ["delivered", "已分娩"],
];
const SEX = [
  ["female", "女"],
  ["male", "男"],
];
const RELATION = [
  ["joint", "夫妻共同子女"],
  ["woman", "女方与前配偶所生子女"],
  ["man", "男方与前配偶所生子女"],
];
const HEALTH = [
  ["healthy", "健康"],
  ["disabled", "残疾"],
  ["deceased", "死亡"],
];

export const LABELS = {
  marital_status: Object.fromEntries(MARITAL),
  type: Object.fromEntries(APPLICATION_TYPES),
  rebirth_reason: Object.fromEntries(REBIRTH),
  pregnancy: Object.fromEntries(PREGNANCY),
  sex: Object.fromEntries(SEX),
  relation: Object.fromEntries(RELATION),
  health: Object.fromEntries(HEALTH),
};

// ------------------------------------------------------------------------------- field builders
function labelFor(id, text, required) {
  return h("label", { for: id }, text, required ? h("span", { class: "req", "aria-hidden": "true" }, "*") : null, required ? "" : h("span", { class: "muted small" }, "（选填）"));
}

function textField(path, label, { required = false, hint, full = false, summaryLabel, ...attrs } = {}) {
  const id = fieldId(path);
  const input = h("input", {
    type: "text",
    id,
    name: path,
    "data-path": path,
    "data-label": summaryLabel || label,
    required,
    "aria-required": required ? "true" : null,
    autocomplete: "off",
    ...attrs,
  });
  return h("div", { class: `field${full ? " full" : ""}` }, labelFor(id, label, required), hint ? h("span", { class: "hint", id: `${id}-hint` }, hint) : null, input);
}

function selectField(path, label, options, { required = false, placeholder = "请选择", full = false, summaryLabel } = {}) {
  const id = fieldId(path);
  const select = h(
    "select",
    { id, name: path, "data-path": path, "data-label": summaryLabel || label, required, "aria-required": required ? "true" : null },
    h("option", { value: "" }, placeholder),
    options.map(([value, text]) => h("option", { value }, text)),
  );
  return h("div", { class: `field${full ? " full" : ""}` }, labelFor(id, label, required), select);
}

function radioField(path, label, options, { required = true, full = true, summaryLabel } = {}) {
  const name = fieldId(path, "r");
  return h(
    "fieldset",
    { class: `field${full ? " full" : ""}`, "data-path": path, "data-label": summaryLabel || label },
    h("legend", { class: "label" }, label, required ? h("span", { class: "req", "aria-hidden": "true" }, "*") : null),
    h(
      "div",
      { class: "choices" },
      options.map(([value, text], i) =>
        h("label", { class: "choice" }, h("input", { type: "radio", name, value, id: `${name}-${i}`, required: required && i === 0 }), text),
      ),
    ),
  );
}

function radioValue(root, path) {
  const checked = $(`input[type=radio][name="${fieldId(path, "r")}"]:checked`, root);
  return checked ? checked.value : "";
}

function setRadio(root, path, value) {
  for (const r of $$(`input[type=radio][name="${fieldId(path, "r")}"]`, root)) r.checked = r.value === value;
}

// ------------------------------------------------------------------------------- the form
export class RegistrationForm {
  /**
   * @param {object} o
   * @param {object} o.profile  profile.js PROFILES entry
   * @param {boolean} o.rebirth  再生育 (the rebirth reason is asked for and required)
   * @param {boolean} o.staff   on-site entry by staff (再生育原因 optional, proxy details)
   * @param {string} o.officeCode  the staff member's office (preselected when it is a candidate)
   */
  constructor({ profile, rebirth = false, staff = false, officeCode = null }) {
    this.profile = profile;
    this.rebirth = rebirth;
    this.staff = staff;
    this.officeCode = officeCode;
    this.pickers = {};
    this.children = [];
    this.sections = {
      woman: this._person("woman"),
      man: this._person("man"),
      family: this._family(),
    };
  }

  get ready() {
    return Promise.all(Object.values(this.pickers).map((p) => p.ready));
  }

  _picker(path, legend, options = {}) {
    const picker = new RegionPicker({
      path,
      legend,
      id: fieldId(path),
      defaultProvince: this.profile.province,
      ...options,
    });
    picker.element.classList.add("full");
    picker.element.dataset.label = options.summaryLabel || legend;
    this.pickers[path] = picker;
    return picker;
  }

  _person(role) {
    const who = ROLE[role];
    const p = (name) => `${role}.${name}`;
    const hukou = this._picker(p("hukou.region_code"), "户籍地", {
      hint: "请选择到乡镇（街道）",
      summaryLabel: `${who}户籍地`,
    });
    const residence = this._picker(p("residence.region_code"), "现居住地", {
      hint: "请选择到乡镇（街道）",
      summaryLabel: `${who}现居住地`,
    });
    const same = h("input", { type: "checkbox", id: fieldId(p("residence.same")) });
    const residenceBlock = h(
      "div",
      { class: "grid full residence-block" },
      residence.element,
      textField(p("residence.detail"), "现居住地详细地址", {
        required: true,
        full: true,
        maxlength: "200",
        summaryLabel: `${who}现居住地详细地址`,
        hint: "村（居）、小组或街道（路、巷）、小区、楼栋号、门牌号",
      }),
    );
    same.addEventListener("change", () => {
      residenceBlock.hidden = same.checked;
    });
    const section = h(
      "div",
      { class: "form-section", "data-section": role },
      h(
        "div",
        { class: "grid" },
        textField(p("name"), "姓名", { required: true, maxlength: "50", summaryLabel: `${who}姓名` }),
        textField(p("id_number"), "身份证号码", {
          required: true,
          maxlength: "18",
          pattern: ID_PATTERN,
          autocapitalize: "characters",
          spellcheck: "false",
          summaryLabel: `${who}身份证号码`,
          "data-pattern-message": "身份证号码应为18位，最后一位可以是X",
        }),
        textField(p("phone"), "手机号码", {
          required: true,
          type: "tel",
          inputmode: "numeric",
          maxlength: "11",
          pattern: PHONE_PATTERN,
          summaryLabel: `${who}手机号码`,
          "data-pattern-message": "请输入11位手机号码",
        }),
        textField(p("employer"), "工作单位", { maxlength: "100", summaryLabel: `${who}工作单位` }),
        selectField(p("marital_status"), "婚姻状况", MARITAL, { required: true, summaryLabel: `${who}婚姻状况` }),
      ),
      h("h3", { class: "section-legend" }, "户籍地址"),
      h(
        "div",
        { class: "grid" },
        hukou.element,
        textField(p("hukou.detail"), "户籍详细地址", {
          required: true,
          full: true,
          maxlength: "200",
          summaryLabel: `${who}户籍详细地址`,
          hint: "村（居）、小组或街道（路、巷）、小区、楼栋号、门牌号",
        }),
      ),
      h("h3", { class: "section-legend" }, "现居住地址"),
      h("label", { class: "check", for: same.id }, same, h("span", {}, "现居住地与户籍地相同")),
      h("div", { class: "grid gap-top" }, residenceBlock),
      h(
        "div",
        { class: "grid" },
        textField(p("residence.since"), "在现居住地居住起始日期", {
          type: "date",
          summaryLabel: `${who}居住起始日期`,
          hint: `户籍不在${this.profile.area || "本省（市）"}、按现居住地登记的请填写`,
        }),
      ),
    );
    section._same = same;
    section._residenceBlock = residenceBlock;
    return section;
  }

  _family() {
    const typeField = radioField("application.type", "申请方式", APPLICATION_TYPES.filter(([v]) => v !== "proxy" || this.staff || this.profile.code !== "chongqing"));
    const proxyBlock = h(
      "div",
      { class: "grid", hidden: true, "data-block": "proxy" },
      textField("proxy.name", "代办人姓名", { required: true, maxlength: "50" }),
      textField("proxy.id_number", "代办人身份证号码", {
        required: true,
        maxlength: "18",
        pattern: ID_PATTERN,
        "data-pattern-message": "身份证号码应为18位，最后一位可以是X",
      }),
      textField("proxy.relation", "代办人与登记对象关系", { required: true, maxlength: "20" }),
    );
    typeField.addEventListener("change", () => {
      proxyBlock.hidden = radioValue(typeField, "application.type") !== "proxy";
    });
    const rebirth =
      this.rebirth || this.staff
        ? selectField("application.rebirth_reason", "再生育原因", REBIRTH, {
            required: this.rebirth,
            placeholder: this.rebirth ? "请选择" : "无（非再生育）",
          })
        : null;

    const pregnancyField = radioField("pregnancy.status", "目前孕育情况", PREGNANCY);
    const weeks = textField("pregnancy.weeks", "孕周", {
      required: true,
      type: "number",
      min: "1",
      max: "45",
      inputmode: "numeric",
      hint: "已怀孕多少周（1–45）",
    });
    const delivered = textField("pregnancy.birth_date", "分娩日期", { required: true, type: "date" });
    weeks.hidden = true;
    delivered.hidden = true;
    pregnancyField.addEventListener("change", () => {
      const v = radioValue(pregnancyField, "pregnancy.status");
      weeks.hidden = v !== "pregnant";
      delivered.hidden = v !== "delivered";
    });

    this.childList = h("div", { "data-path": "children", class: "child-list" });
    this.addChildButton = h("button", { type: "button", class: "btn secondary", onclick: () => this.addChild(true) }, "＋ 添加子女");

    this.officeBox = h("div", { class: "field full", "data-path": "application.office_code", "data-label": this.profile.officeLabel });
    this._renderOfficeBox([]);

    return h(
      "div",
      { class: "form-section", "data-section": "family" },
      h("h3", { class: "section-legend" }, "婚姻登记信息"),
      h(
        "div",
        { class: "grid" },
        textField("marriage.date", "结婚登记日期", { required: true, type: "date" }),
        textField("marriage.certificate_number", "结婚证字号", {
          required: true,
          maxlength: "32",
          hint: this.profile.marriage_certificate_example ? `结婚证上的字号，如 ${this.profile.marriage_certificate_example}` : "结婚证上的字号",
        }),
      ),
      h("h3", { class: "section-legend" }, "登记情形"),
      h("div", { class: "grid" }, typeField, rebirth),
      proxyBlock,
      h("div", { class: "grid" }, pregnancyField, weeks, delivered),
      h("h3", { class: "section-legend" }, "现有子女信息"),
      h(
        "p",
        { class: "hint" },
        "请填写夫妻双方现有的全部子女，包括与前配偶所生子女；已出生子女的出生地需填写到区县。没有子女的无需添加。",
      ),
      this.childList,
      h("div", { class: "actions tight" }, this.addChildButton),
      h("h3", { class: "section-legend" }, "登记机构"),
      h("div", { class: "grid" }, this.officeBox),
    );
  }

  // ------------------------------------------------------------------- children (add / remove)
  addChild(focus = false) {
    const i = this.children.length;
    const p = (name) => `children.${i}.${name}`;
    const picker = new RegionPicker({
      path: p("birthplace_code"),
      legend: "出生地",
      finest: "county",
      coarsest: "county",
      id: fieldId(p("birthplace_code")),
      defaultProvince: this.profile.province,
      hint: "填写到区县",
    });
    picker.element.classList.add("full");
    const legend = h("legend", {}, `第${i + 1}个子女`);
    const remove = h("button", { type: "button", class: "btn link small remove-child" }, "删除此子女");
    const health = selectField(p("health"), "健康状况", HEALTH, { required: true });
    const disability = textField(p("disability_certificate"), "残疾证号", { required: true, maxlength: "32" });
    disability.hidden = true;
    health.addEventListener("change", () => {
      disability.hidden = $("select", health).value !== "disabled";
    });
    const card = h(
      "fieldset",
      { class: "child-card", "data-path": `children.${i}` },
      legend,
      h("div", { class: "child-tools" }, remove),
      h(
        "div",
        { class: "grid" },
        textField(p("name"), "姓名", { required: true, maxlength: "50" }),
        textField(p("id_number"), "身份证号码", {
          maxlength: "18",
          pattern: ID_PATTERN,
          hint: "未办理身份证的可不填",
          "data-pattern-message": "身份证号码应为18位，最后一位可以是X",
        }),
        textField(p("birth_date"), "出生日期", { required: true, type: "date" }),
        selectField(p("sex"), "性别", SEX, { required: true }),
        selectField(p("relation"), "子女关系", RELATION, { required: true }),
        health,
        disability,
        picker.element,
      ),
    );
    const child = { card, picker, legend, remove };
    remove.addEventListener("click", () => this.removeChild(child));
    this.children.push(child);
    this.childList.append(card);
    this._renumber();
    if (focus) $("input", card).focus();
    return child;
  }

  removeChild(child) {
    const i = this.children.indexOf(child);
    if (i < 0) return;
    child.card.remove();
    this.children.splice(i, 1);
    this._renumber();
    const next = this.children[i] || this.children[i - 1];
    (next ? $("input", next.card) : this.addChildButton).focus();
  }

  _renumber() {
    this.children.forEach((c, i) => {
      const fix = (v) => v.replace(/^children\.\d+/, `children.${i}`).replace(/^f-children-\d+/, `f-children-${i}`);
      c.card.dataset.path = `children.${i}`;
      for (const el of $$("[data-path]", c.card)) el.dataset.path = fix(el.dataset.path);
      for (const el of $$("[id]", c.card)) el.id = fix(el.id);
      for (const el of $$("label[for]", c.card)) el.htmlFor = fix(el.htmlFor);
      for (const el of $$("[name]", c.card)) el.name = fix(el.name);
      for (const el of $$("input[data-path], select[data-path]", c.card)) {
        const base = el.closest(".field")?.querySelector("label, legend")?.firstChild?.textContent;
        if (base) el.dataset.label = `第${i + 1}个子女${base}`;
      }
      c.picker.element.dataset.label = `第${i + 1}个子女出生地`;
      c.legend.textContent = `第${i + 1}个子女`;
      c.remove.setAttribute("aria-label", `删除第${i + 1}个子女`);
    });
  }

  // ------------------------------------------------------------------- office (登记机构)
  _addressCodes() {
    return ["woman.hukou", "woman.residence", "man.hukou", "man.residence"].map((b) => this._addressCode(b));
  }

  _addressCode(basis) {
    const role = basis.split(".")[0];
    if (basis.endsWith("residence") && this.sections[role]._same.checked) return this.pickers[`${role}.hukou.region_code`].value;
    return this.pickers[`${basis}.region_code`].value;
  }

  _renderOfficeBox(candidates) {
    const box = this.officeBox;
    box.replaceChildren();
    if (!this.profile.chooseOffice) {
      box.append(
        h(
          "p",
          { class: "hint" },
          "无需选择：系统按数据归属规则自动确定登记机构——夫妻双方户籍均在省内的归属女方户籍地；一方户籍在省内的归属该方户籍地；双方户籍均在省外的按现居住地先女后男确定。确定结果在“登记确认”中显示。",
        ),
      );
      return;
    }
    const id = fieldId("application.office_code");
    const select = h(
      "select",
      { id, "data-path": "application.office_code", "data-label": this.profile.officeLabel, required: true },
      h("option", { value: "" }, candidates.length ? "请选择" : "请先在户籍地或现居住地中选择到乡镇（街道）"),
      candidates.map(([code, name]) => h("option", { value: code }, name)),
    );
    box.append(labelFor(id, this.profile.officeLabel, true), select);
  }

  /** Offer the couple's townships in the province as offices (Guizhou 申报登记地, Chongqing 登记机构). */
  async refreshOffices() {
    if (!this.profile.chooseOffice) return;
    const previous = $("select", this.officeBox)?.value || this.officeCode || "";
    const codes = [...new Set(this._addressCodes().filter((c) => c && c.length === 9 && c.startsWith(this.profile.province)))];
    if (previous && previous.length === 9 && !codes.includes(previous) && previous === this.officeCode) codes.push(previous);
    const names = await Promise.all(codes.map((c) => fullName(c)));
    this._renderOfficeBox(codes.map((c, i) => [c, names[i]]));
    const select = $("select", this.officeBox);
    if (codes.includes(previous)) select.value = previous;
    else if (codes.length === 1) select.value = codes[0];
  }

  _officeCode() {
    if (this.profile.chooseOffice) return $("select", this.officeBox)?.value || "";
    // Sichuan ignores the declared office (000 注); the contract still wants a township code.
    return this._addressCodes().find((c) => c && c.length === 9) || this.officeCode || "";
  }

  // ------------------------------------------------------------------- read / write
  _find(path) {
    for (const section of Object.values(this.sections)) {
      const el = $(`input[data-path="${CSS.escape(path)}"], select[data-path="${CSS.escape(path)}"], textarea[data-path="${CSS.escape(path)}"]`, section);
      if (el) return el;
    }
    return null;
  }

  _set(path, value) {
    const el = this._find(path);
    if (el) el.value = value ?? "";
  }

  _person_value(role) {
    const v = (name) => this._val(`${role}.${name}`);
    const same = this.sections[role]._same.checked;
    const hukou = { region_code: this.pickers[`${role}.hukou.region_code`].value, detail: v("hukou.detail"), since: null };
    const residence = same
      ? { region_code: hukou.region_code, detail: hukou.detail, since: v("residence.since") || null }
      : { region_code: this.pickers[`${role}.residence.region_code`].value, detail: v("residence.detail"), since: v("residence.since") || null };
    return {
      name: v("name"),
      id_number: v("id_number").toUpperCase(),
      phone: v("phone"),
      employer: v("employer") || null,
      marital_status: v("marital_status"),
      hukou,
      residence,
    };
  }

  _val(path) {
    const el = this._find(path);
    return el ? el.value.trim() : "";
  }

  /** The registration body (contract of chalicelib/domain/form.py). */
  collect({ commitmentAccepted = false, commitmentAt = null } = {}) {
    const family = this.sections.family;
    const type = radioValue(family, "application.type") || "self";
    const status = radioValue(family, "pregnancy.status");
    const weeks = this._val("pregnancy.weeks");
    return {
      profile: this.profile.code,
      application: {
        type,
        rebirth_reason: this._val("application.rebirth_reason") || null,
        office_code: this._officeCode(),
        commitment_accepted: commitmentAccepted,
        commitment_at: commitmentAt,
      },
      woman: this._person_value("woman"),
      man: this._person_value("man"),
      marriage: { date: this._val("marriage.date"), certificate_number: this._val("marriage.certificate_number") },
      children: this.children.map((_, i) => {
        const v = (name) => this._val(`children.${i}.${name}`);
        const health = v("health");
        return {
          name: v("name"),
          id_number: v("id_number").toUpperCase() || null,
          birth_date: v("birth_date"),
          sex: v("sex"),
          birthplace_code: this.children[i].picker.value,
          relation: v("relation"),
          health,
          disability_certificate: health === "disabled" ? v("disability_certificate") || null : null,
        };
      }),
      pregnancy: {
        status,
        weeks: status === "pregnant" && /^\d+$/.test(weeks) ? Number(weeks) : null,
        birth_date: status === "delivered" ? this._val("pregnancy.birth_date") || null : null,
      },
      proxy:
        type === "proxy"
          ? { name: this._val("proxy.name"), id_number: this._val("proxy.id_number").toUpperCase(), relation: this._val("proxy.relation") }
          : null,
    };
  }

  /** Fill the form from a body (a draft kept in this tab, e.g. for 修改登记信息). */
  async fill(body) {
    await this.ready;
    for (const role of ["woman", "man"]) {
      const person = body[role] || {};
      for (const name of ["name", "id_number", "phone", "employer", "marital_status"]) this._set(`${role}.${name}`, person[name]);
      this._set(`${role}.hukou.detail`, person.hukou?.detail);
      await this.pickers[`${role}.hukou.region_code`].setValue(person.hukou?.region_code || "");
      // Only a filled hukou address can be "the same": a draft of a section not yet filled has
      // both empty (the pickers at the province), and ticking the box would copy the hukou into
      // the residence unseen.
      const same =
        Boolean(person.hukou?.detail) &&
        person.residence?.region_code === person.hukou.region_code &&
        person.residence?.detail === person.hukou.detail;
      const section = this.sections[role];
      section._same.checked = Boolean(same);
      section._residenceBlock.hidden = Boolean(same);
      if (!same) {
        this._set(`${role}.residence.detail`, person.residence?.detail);
        await this.pickers[`${role}.residence.region_code`].setValue(person.residence?.region_code || "");
      }
      this._set(`${role}.residence.since`, person.residence?.since);
    }
    const family = this.sections.family;
    this._set("marriage.date", body.marriage?.date);
    this._set("marriage.certificate_number", body.marriage?.certificate_number);
    setRadio(family, "application.type", body.application?.type || "self");
    this._set("application.rebirth_reason", body.application?.rebirth_reason);
    if (body.proxy) for (const k of ["name", "id_number", "relation"]) this._set(`proxy.${k}`, body.proxy[k]);
    setRadio(family, "pregnancy.status", body.pregnancy?.status || "");
    this._set("pregnancy.weeks", body.pregnancy?.weeks);
    this._set("pregnancy.birth_date", body.pregnancy?.birth_date);
    family.querySelector('[data-path="application.type"]').dispatchEvent(new Event("change", { bubbles: true }));
    family.querySelector('[data-path="pregnancy.status"]').dispatchEvent(new Event("change", { bubbles: true }));
    while (this.children.length) this.removeChild(this.children[0]);
    for (const c of body.children || []) {
      const child = this.addChild();
      const i = this.children.length - 1;
      for (const k of ["name", "id_number", "birth_date", "sex", "relation", "health", "disability_certificate"]) this._set(`children.${i}.${k}`, c[k]);
      $(`[data-path="children.${i}.health"]`, child.card).dispatchEvent(new Event("change", { bubbles: true }));
      await child.picker.setValue(c.birthplace_code || "");
    }
    await this.refreshOffices();
    if (body.application?.office_code && this.profile.chooseOffice) this._set("application.office_code", body.application.office_code);
  }

  /** Client checks of one section (required fields, formats, address levels): [{path, message}]. */
  validate(name) {
    const section = this.sections[name];
    const problems = checkRequired(section);
    for (const picker of Object.values(this.pickers)) {
      if (!section.contains(picker.element) || picker.element.closest("[hidden]")) continue;
      const problem = picker.problem();
      if (problem) problems.push({ path: picker.path, message: problem });
    }
    for (const child of this.children) {
      if (!section.contains(child.card)) continue;
      const problem = child.picker.problem();
      if (problem) problems.push({ path: child.card.dataset.path + ".birthplace_code", message: problem });
    }
    return problems;
  }
}

/** Which section a contract path belongs to: woman | man | family | confirm. */
export function sectionOf(path) {
  if (!path) return null;
  const head = path.split(".")[0];
  if (head === "woman" || head === "man") return head;
  if (path.startsWith("application.commitment")) return "confirm";
  if (["marriage", "children", "pregnancy", "application", "proxy", "profile"].includes(head)) return "family";
  return null;
}
