// 系统管理员 (001 一(二)1–2, 三(二)3): the accounts this administrator manages — the next level's
// administrators, this level's operators, the medical institutions of the jurisdiction — with the 附件2
// data (real name, ID number, phone, unit, position) and operation grants on top of the role; and the
// organisation information of the administrator's own office.
//   GET  /v1/staff/accounts?limit=&cursor=          the accounts it manages
//   POST /v1/staff/accounts                          create: the temporary password is shown once
//   GET|PATCH /v1/staff/accounts/{username}          one account; edit its data and grants
//   POST /v1/staff/accounts/{username}/disable|enable  disabling signs the account out everywhere
//   GET /v1/offices/{code}, PUT /v1/staff/offices/{code}  名称、负责人、联系人、电话、地址、办公时间

import { ApiError } from "./api.js";
import { childrenOf, fullName } from "./regions.js";
import { dataTable } from "./staff-ui.js";
import { $, $$, clearErrors, confirmDialog, fill, h, showErrors } from "./ui.js";

const ROLE_LABELS = {
  admin: "系统管理员",
  province_monitor: "省级统计监测",
  city_monitor: "市级统计监测",
  county_monitor: "县级统计监测",
  township_operator: "乡级业务操作员",
  medical_institution: "医疗卫生技术服务机构",
};
const LEVEL_MONITOR = { province: "province_monitor", city: "city_monitor", county: "county_monitor", township: "township_operator" };
const OPERATIONS = { review: "审核办理", onsite: "现场登记", paper_certificates: "纸质证件", statistics: "统计监测", birth_records: "出生信息登记", birth_reissue: "出生医学证明补发" };
// What each role may be granted (auth.ROLE_OPERATIONS).
const ROLE_OPERATIONS = {
  township_operator: ["review", "onsite", "paper_certificates", "statistics"],
  county_monitor: ["review", "paper_certificates", "statistics", "birth_reissue"],
  city_monitor: ["review", "statistics"],
  province_monitor: ["statistics"],
  medical_institution: ["birth_records"],
  admin: Object.keys(OPERATIONS),
};
const levelOf = (code) => ({ 2: "province", 4: "city", 6: "county", 9: "township" })[code.length] || "";

const field = (id, label, input, { required = false, hint = "" } = {}) =>
  h(
    "div",
    { class: "field" },
    h("label", { for: id }, label, required ? h("span", { class: "req", "aria-hidden": "true" }, "*") : null),
    hint ? h("span", { class: "hint" }, hint) : null,
    input,
  );
const text = (id, path, attrs = {}) => h("input", { type: "text", id, "data-path": path, autocomplete: "off", ...attrs });

function grantsField(role, chosen) {
  const allowed = ROLE_OPERATIONS[role] || [];
  return h(
    "fieldset",
    { class: "field", "data-path": "grants", id: "grants-field" },
    h("legend", { class: "label" }, "业务权限"),
    h("span", { class: "hint" }, "在角色允许的范围内授予；不勾选的操作该账号不能办理。"),
    h(
      "div",
      { class: "choices" },
      allowed.map((op) => h("label", { class: "choice" }, h("input", { type: "checkbox", name: "grants", value: op, checked: !chosen || chosen.includes(op) }), OPERATIONS[op])),
    ),
  );
}

/** The roles and jurisdictions this administrator may create (services/staff/accounts.py may_manage). */
async function creatable(own) {
  const level = levelOf(own);
  const out = [];
  if (level !== "township") {
    const below = await childrenOf(own).catch(() => []);
    if (below.length) out.push({ role: "admin", regions: below });
  }
  out.push({ role: LEVEL_MONITOR[level], regions: [{ code: own, name: await fullName(own) }] });
  if (level !== "township") out.push({ role: "medical_institution", regions: [{ code: own, name: await fullName(own) }], office: true });
  return out;
}

function accountRow(a, open) {
  return h(
    "tr",
    { "data-username": a.username, class: a.enabled === false ? "done" : "" },
    h("td", { "data-th": "用户名" }, a.username),
    h("td", { "data-th": "姓名" }, a.name),
    h("td", { "data-th": "角色" }, ROLE_LABELS[a.role] || a.role),
    h("td", { "data-th": "辖区" }, a.region_name || a.region_code),
    h("td", { "data-th": "状态" }, a.enabled === false ? h("span", { class: "badge bad" }, "已停用") : h("span", { class: "badge ok" }, "正常")),
    h("td", { "data-th": "操作" }, h("button", { type: "button", class: "btn small secondary", onclick: () => open(a.username) }, "查看", h("span", { class: "visually-hidden" }, a.username))),
  );
}

function accountCard(a, ctx, reload) {
  const { sapi } = ctx;
  const toggle = async () => {
    const disabling = a.enabled !== false;
    if (disabling && !(await confirmDialog({ title: "停用账号", message: `停用后 ${a.name}（${a.username}）将立即在所有设备上退出登录，且不能再登录。确定停用吗？`, ok: "停用" }))) return;
    await sapi("POST", `/v1/staff/accounts/${encodeURIComponent(a.username)}/${disabling ? "disable" : "enable"}`);
    await reload(a.username, disabling ? "账号已停用，已在所有设备上退出登录" : "账号已启用");
  };
  const edit = h(
    "form",
    { id: "account-edit", novalidate: true, hidden: true },
    h(
      "div",
      { class: "grid" },
      field("edit-name", "姓名", text("edit-name", "name", { value: a.name || "" })),
      field("edit-phone", "手机号码", text("edit-phone", "phone", { inputmode: "numeric", maxlength: "11", value: a.phone && !a.phone.includes("*") ? a.phone : "" }), { hint: a.phone ? `现为 ${a.phone}，不改请留空` : "" }),
      field("edit-unit", "工作单位", text("edit-unit", "unit", { value: a.unit || "" })),
      field("edit-position", "职务", text("edit-position", "position", { value: a.position || "" })),
    ),
    grantsField(a.role, a.grants),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn" }, "保存修改"), h("button", { type: "button", class: "btn secondary", onclick: () => { edit.hidden = true; } }, "取消")),
  );
  edit.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(edit);
    const body = { name: $("#edit-name").value.trim(), grants: $$("input[name=grants]:checked", edit).map((x) => x.value) };
    for (const k of ["phone", "unit", "position"]) {
      const v = $(`#edit-${k}`).value.trim();
      if (v) body[k] = v;
    }
    try {
      await sapi("PATCH", `/v1/staff/accounts/${encodeURIComponent(a.username)}`, body);
      await reload(a.username, "账号信息已保存");
    } catch (err) {
      showErrors(edit, err);
    }
  });
  return h(
    "section",
    { class: "card", id: "account-card", "data-enabled": String(a.enabled !== false) },
    h("div", { class: "card-title" }, h("h2", {}, `${a.name}（${a.username}）`), a.enabled === false ? h("span", { class: "badge bad" }, "已停用") : h("span", { class: "badge ok" }, "正常")),
    h(
      "dl",
      { class: "facts" },
      [
        ["角色", ROLE_LABELS[a.role] || a.role],
        ["辖区", a.region_name || a.region_code],
        a.office_code ? ["机构代码", a.office_code] : null,
        a.id_number ? ["身份证号码", a.id_number] : null,
        a.phone ? ["手机号码", a.phone] : null,
        a.unit ? ["工作单位", a.unit] : null,
        a.position ? ["职务", a.position] : null,
        a.grants ? ["业务权限", a.grants.map((g) => OPERATIONS[g] || g).join("、") || "无"] : null,
      ]
        .filter(Boolean)
        .map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
    ),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "btn secondary", id: "account-edit-open", onclick: () => { edit.hidden = false; $("#edit-name").focus(); } }, "编辑信息与权限"),
      h("button", { type: "button", class: a.enabled === false ? "btn" : "btn danger", id: "account-toggle", onclick: toggle }, a.enabled === false ? "启用账号" : "停用账号"),
    ),
    edit,
  );
}

function createForm(options, ctx, created) {
  const roleSelect = h("select", { id: "new-role", "data-path": "role" }, options.map((o) => h("option", { value: o.role }, ROLE_LABELS[o.role])));
  const regionSelect = h("select", { id: "new-region", "data-path": "region_code" });
  const officeInput = text("new-office", "office_code", { maxlength: "20" });
  const officeField = field("new-office", "医疗机构代码", officeInput, { required: true, hint: "本辖区医疗卫生技术服务机构的机构代码，如 H510104001" });
  const grantsBox = h("div");
  const sync = () => {
    const o = options.find((x) => x.role === roleSelect.value);
    fill(regionSelect, o.regions.map((r) => h("option", { value: r.code }, r.name)));
    officeField.hidden = !o.office;
    fill(grantsBox, grantsField(o.role, null));
  };
  roleSelect.addEventListener("change", sync);
  const form = h(
    "form",
    { class: "card", id: "account-create", novalidate: true },
    h("h2", {}, "新建账号"),
    h("p", { class: "hint" }, "可创建下一级管理员、本级业务操作员（统计监测）和本辖区医疗机构账号。系统生成临时密码，首次登录须修改密码并绑定身份验证器。"),
    h(
      "div",
      { class: "grid" },
      field("new-role", "角色", roleSelect, { required: true }),
      field("new-region", "辖区", regionSelect, { required: true }),
      field("new-username", "用户名", text("new-username", "username", { maxlength: "64" }), { required: true, hint: "3–64位字母、数字、点、横线或下划线" }),
      field("new-name", "姓名", text("new-name", "name", { autocomplete: "off" }), { required: true }),
      field("new-id", "身份证号码", text("new-id", "id_number", { maxlength: "18" }), { required: true }),
      field("new-phone", "手机号码", text("new-phone", "phone", { inputmode: "numeric", maxlength: "11" }), { required: true }),
      field("new-unit", "工作单位", text("new-unit", "unit")),
      field("new-position", "职务", text("new-position", "position")),
      officeField,
    ),
    grantsBox,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn" }, "创建账号")),
  );
  sync();
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = { role: roleSelect.value, region_code: regionSelect.value, grants: $$("input[name=grants]:checked", form).map((x) => x.value) };
    const problems = [];
    for (const [k, id, label, required] of [
      ["username", "new-username", "用户名", true],
      ["name", "new-name", "姓名", true],
      ["id_number", "new-id", "身份证号码", true],
      ["phone", "new-phone", "手机号码", true],
      ["unit", "new-unit", "", false],
      ["position", "new-position", "", false],
    ]) {
      const v = $(`#${id}`).value.trim();
      if (v) body[k] = v;
      else if (required) problems.push({ path: k, message: `请填写${label}` });
    }
    if (!officeField.hidden) {
      if (officeInput.value.trim()) body.office_code = officeInput.value.trim();
      else problems.push({ path: "office_code", message: "请填写医疗机构代码" });
    }
    if (problems.length) return showErrors(form, problems);
    try {
      created(await ctx.sapi("POST", "/v1/staff/accounts", body));
    } catch (err) {
      showErrors(form, err);
    }
  });
  return form;
}

export async function accountsView(ctx) {
  const { auth, sapi, view } = ctx;
  const s = auth.staff;
  if (s.role !== "admin") return view("账号管理", h("div", { class: "notice" }, h("p", {}, "仅系统管理员可管理账号。")));
  const own = s.unit_code;
  const detail = h("div", { id: "account-detail", "aria-live": "polite" });
  const accountTable = dataTable("account-table", "本管理员管理的账号", ["用户名", "姓名", "角色", "辖区", "状态", "操作"], []);
  const tbody = $("tbody", accountTable);
  const more = h("button", { type: "button", class: "btn secondary", hidden: true }, "加载更多");
  let cursor = null;
  const open = async (username, message = "") => {
    const a = await sapi("GET", `/v1/staff/accounts/${encodeURIComponent(username)}`);
    a.region_name = await fullName(a.region_code || "").catch(() => a.region_code);
    fill(detail, message ? h("div", { class: "notice ok", role: "status" }, h("p", {}, message)) : null, accountCard(a, ctx, reload));
    detail.scrollIntoView({ block: "start" });
  };
  const list = async (reset) => {
    if (reset) {
      cursor = null;
      tbody.replaceChildren();
    }
    const q = new URLSearchParams({ limit: "50" });
    if (cursor) q.set("cursor", cursor);
    try {
      const r = await sapi("GET", `/v1/staff/accounts?${q}`);
      for (const a of r.accounts) a.region_name = await fullName(a.region_code || "").catch(() => a.region_code);
      tbody.append(...r.accounts.map((a) => accountRow(a, (u) => open(u))));
      cursor = r.next_cursor;
      more.hidden = !cursor;
      if (!tbody.children.length) tbody.append(h("tr", {}, h("td", { colspan: "6", class: "muted" }, "暂无可管理的账号")));
    } catch (err) {
      if (!(err instanceof ApiError) || ![404, 405].includes(err.status)) throw err;
      tbody.append(h("tr", {}, h("td", { colspan: "6", class: "muted" }, "请按用户名查找账号")));
    }
  };
  const reload = async (username, message) => {
    await list(true);
    await open(username, message);
  };
  more.addEventListener("click", () => list(false));
  const find = h(
    "form",
    { class: "toolbar", id: "account-find", novalidate: true, role: "search" },
    h("div", { class: "field" }, h("label", { for: "find-username" }, "按用户名查找"), text("find-username", "username")),
    h("button", { type: "submit", class: "btn secondary small" }, "查找"),
  );
  find.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(find);
    try {
      await open($("#find-username").value.trim());
    } catch (err) {
      showErrors(find, err);
    }
  });
  const created = async (a) => {
    await list(true);
    await open(a.username);
    detail.prepend(
      h(
        "div",
        { class: "notice ok", role: "status", id: "account-created" },
        h("p", {}, `账号 ${a.username} 已创建。临时密码（仅显示这一次）：`, h("code", { id: "temporary-password" }, a.temporary_password)),
        h("p", { class: "hint" }, "请通过安全渠道告知本人；首次登录须修改密码并绑定身份验证器。"),
      ),
    );
    $("#account-create").reset();
    $("#new-role").dispatchEvent(new Event("change")); // the jurisdictions and grants of the role shown
  };
  view(
    "账号管理",
    h("p", { class: "lead" }, `管理范围：${await fullName(own)}`),
    h(
      "section",
      { class: "card" },
      h("h2", {}, "账号列表"),
      find,
      accountTable,
      h("div", { class: "pager" }, more),
    ),
    detail,
    createForm(await creatable(own), ctx, created),
  );
  await list(true);
}

// ------------------------------------------------------------------------------- 机构信息
const OFFICE_FIELDS = [
  ["name", "机构名称", true, ""],
  ["head", "负责人", false, ""],
  ["contact", "联系人", false, ""],
  ["phone", "联系电话", false, "手机号码或 区号-号码"],
  ["address", "办公地址", false, ""],
  ["opening_hours", "办公时间", false, "如 周一至周五 9:00–12:00，14:00–17:30（网上预约时段据此确定）"],
];

export async function organisationView(ctx) {
  const { auth, sapi, view } = ctx;
  const s = auth.staff;
  if (s.role !== "admin") return view("机构信息", h("div", { class: "notice" }, h("p", {}, "仅系统管理员可维护机构信息。")));
  const code = s.unit_code;
  let info = {};
  try {
    info = await sapi("GET", `/v1/offices/${encodeURIComponent(code)}`);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
  }
  const form = h(
    "form",
    { class: "card", id: "office-form", novalidate: true },
    h("h2", {}, info.region_name || (await fullName(code))),
    h("p", { class: "hint" }, "机构信息向群众公开（办事指南、登记机构名称处显示），请保持准确。"),
    h(
      "div",
      { class: "grid" },
      OFFICE_FIELDS.map(([k, label, required, hint]) =>
        field(`office-${k}`, label, text(`office-${k}`, k, { value: info[k] || (k === "name" ? info.region_name || "" : "") }), { required, hint }),
      ),
    ),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn" }, "保存机构信息")),
    h("p", { class: "status-line", "aria-live": "polite", id: "office-status" }),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = {};
    for (const [k, label, required] of OFFICE_FIELDS) {
      const v = $(`#office-${k}`).value.trim();
      if (v) body[k] = v;
      else if (required) return showErrors(form, [{ path: k, message: `请填写${label}` }]);
    }
    try {
      await sapi("PUT", `/v1/staff/offices/${encodeURIComponent(code)}`, body);
      const line = $("#office-status");
      line.textContent = "机构信息已保存";
      line.className = "status-line ok";
    } catch (err) {
      showErrors(form, err);
    }
  });
  view("机构信息", form);
}
