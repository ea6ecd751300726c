// 生育登记业务管理 (staff console), one page routed on location.pathname:
//   /staff/login            POST /v1/staff/login (Cognito; NEW_PASSWORD_REQUIRED → /login/new-password;
//                           the pool requires TOTP: MFA_SETUP → /login/mfa-setup, SOFTWARE_TOKEN_MFA → /login/mfa)
//   /staff/ , /staff/tasks  GET /v1/staff/tasks (the office's open review tasks, earliest deadline first)
//   /staff/tasks/{taskId}   GET/POST /v1/staff/tasks/{taskId} — the task link of the SNS notification
//   /staff/onsite           POST /v1/staff/registrations (现场生育登记信息录入, 001 三(一)2)
//   /staff/statistics       GET /v1/staff/statistics (the office and the levels below, with charts)
// The ID token is kept in this tab's sessionStorage and sent as "Authorization: Bearer …".

import { ApiError, api } from "../api.js";
import { loadCase } from "../case-view.js";
import { barChart } from "../chart.js";
import { LABELS, RegistrationForm, sectionOf } from "../form.js";
import { PROFILES, profileByProvince } from "../profile.js";
import { fullName } from "../regions.js";
import { accountsView, organisationView } from "../staff-admin.js";
import { appointmentPrefill, appointmentsView } from "../staff-appointments.js";
import { printAction, printButton, registrationFormCard } from "../staff-case.js";
import { certificateLookupView } from "../staff-hospital.js";
import { comparisonCard, decidedState, proofsCard } from "../staff-review.js";
import { stockView } from "../staff-stock.js";
import { checkRequired } from "../sms.js";
import { $, $$, chinaNowIso, clearErrors, fill, focusHeading, formatTime, h, session, showErrors, status, statusBadge } from "../ui.js";

const KEY = "birthreg.staff";
// Where each role lands: what it does (issue 15 item 7).
const HOME = {
  admin: "/staff/accounts",
  medical_institution: "/staff/certificates",
  province_monitor: "/staff/statistics",
  city_monitor: "/staff/statistics",
  county_monitor: "/staff/statistics",
  township_operator: "/staff/tasks",
};
// Views of other roles, each in its own module: (context) => Promise.
const EXTRA_VIEWS = {
  "/staff/accounts": accountsView,
  "/staff/organisation": organisationView,
  "/staff/certificates": certificateLookupView,
  "/staff/stock": stockView,
  "/staff/appointments": appointmentsView,
};
const CASE_ROLES = ["township_operator", "county_monitor", "city_monitor", "province_monitor"];
const main = $("#main");
let auth = session.get(KEY); // {id_token, staff}

// ------------------------------------------------------------------------------- plumbing
// Each navigation supersedes the one before. A view still loading for an earlier address must not
// replace the page of a newer one (its answer may well arrive last): what it read after the
// navigation is dropped (``Superseded``), and so is whatever its route would still render.
let navigation = 0;

class Superseded extends Error {
  constructor() {
    super("superseded by a newer navigation");
    this.name = "Superseded";
  }
}

function sapi(method, path, body) {
  const headers = auth ? { Authorization: `Bearer ${auth.id_token}` } : {};
  const mine = navigation;
  const stale = () => method === "GET" && mine !== navigation;
  return api(method, path, { body, headers }).then(
    (data) => {
      if (stale()) throw new Superseded();
      return data;
    },
    (err) => {
      if (stale()) throw new Superseded();
      if (err instanceof ApiError && err.status === 401 && auth) {
        logout(false);
        go(`/staff/login?next=${encodeURIComponent(location.pathname)}`, { replace: true, message: err.message });
      }
      throw err;
    },
  );
}

function go(path, { replace = false, message = "" } = {}) {
  if (replace) history.replaceState({}, "", path);
  else history.pushState({}, "", path);
  return route(message);
}

document.addEventListener("click", (e) => {
  const a = e.target.closest("a[data-link]");
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
  e.preventDefault();
  go(a.getAttribute("href"));
});
window.addEventListener("popstate", () => route());

function logout(navigate = true) {
  auth = null;
  session.remove(KEY);
  renderChrome();
  if (navigate) go("/staff/login", { replace: true });
}

function renderChrome() {
  const box = $("#userbox");
  const nav = $("#staff-nav");
  if (!auth) {
    box.replaceChildren();
    nav.hidden = true;
    return;
  }
  const s = auth.staff;
  box.replaceChildren(
    h("span", {}, h("strong", {}, s.name), `（${s.role_label}）`),
    h("span", { class: "muted-on-dark", id: "unit-name" }, ""),
    h("button", { type: "button", class: "btn secondary small", onclick: () => logout() }, "退出"),
  );
  fullName(s.unit_code).then((name) => {
    const el = $("#unit-name");
    if (el) el.textContent = name;
  });
  nav.hidden = false;
  // the sign-in answer carries the account's operation grants: only what the person may do is shown
  const granted = (op) => !op || !Array.isArray(s.grants) || s.grants.includes(op);
  for (const li of $$("li[data-roles]", nav)) li.hidden = !li.dataset.roles.split(" ").includes(s.role) || !granted(li.dataset.op);
  const section = location.pathname.split("/")[2] || "tasks";
  for (const a of $$("a[data-nav]", nav)) {
    if (a.dataset.nav === section) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

/** Where the account lands: its role's home if granted, else the first section it may open. */
function homeOf(s) {
  const visible = $$("#staff-nav li:not([hidden]) a[data-link]").map((a) => a.getAttribute("href"));
  const home = HOME[s.role] || "/staff/tasks";
  return visible.includes(home) || !visible.length ? home : visible[0];
}

function view(title, ...children) {
  const heading = h("h1", { tabindex: "-1" }, title);
  fill(main, heading, ...children);
  document.title = `${title} - 生育登记业务管理`;
  focusHeading(heading);
  window.scrollTo(0, 0);
}

async function route(message = "") {
  const path = location.pathname.replace(/\/+$/, "") || "/staff";
  if (!auth && path !== "/staff/login") {
    return go(`/staff/login?next=${encodeURIComponent(location.pathname)}`, { replace: true, message });
  }
  renderChrome();
  navigation += 1;
  const mine = navigation;
  document.body.dataset.ready = "false";
  try {
    if (path === "/staff/login") await loginView(message);
    else if (path === "/staff") return go(homeOf(auth.staff), { replace: true });
    else if (path === "/staff/tasks") await queueView();
    else if (path.startsWith("/staff/tasks/")) await taskView(decodeURIComponent(path.slice("/staff/tasks/".length)));
    else if (path === "/staff/onsite") await onsiteView();
    else if (path === "/staff/statistics") await statisticsView();
    else if (EXTRA_VIEWS[path]) await EXTRA_VIEWS[path]({ auth, sapi, view, go });
    else view("页面不存在", h("p", {}, h("a", { href: "/staff/tasks", "data-link": true }, "返回工作任务")));
  } catch (err) {
    if (mine !== navigation) return; // a newer navigation shows its own page
    if (!(err instanceof ApiError && err.status === 401)) {
      view("无法打开", h("div", { class: "notice bad" }, h("p", {}, err.message || "加载失败")), h("p", {}, h("a", { href: "/staff/tasks", "data-link": true }, "返回工作任务")));
    }
  }
  if (mine === navigation) document.body.dataset.ready = "true";
}

// ------------------------------------------------------------------------------- 登录
async function loginView(message) {
  const next = new URLSearchParams(location.search).get("next") || "/staff";
  const form = h(
    "form",
    { class: "card login-card", novalidate: true, id: "login-form" },
    h("h2", {}, "工作人员登录"),
    message ? h("div", { class: "notice warn" }, h("p", {}, message)) : null,
    next.startsWith("/staff/tasks/") ? h("p", { class: "hint" }, "登录后将打开审核任务。") : null,
    h("div", { class: "field" }, h("label", { for: "login-username" }, "用户名"), h("input", { type: "text", id: "login-username", "data-path": "username", autocomplete: "username", required: true, "data-label": "用户名" })),
    h("div", { class: "field" }, h("label", { for: "login-password" }, "密码"), h("input", { type: "password", id: "login-password", "data-path": "password", autocomplete: "current-password", required: true, "data-label": "密码" })),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn" }, "登录")),
  );
  view("生育登记业务管理", form);
  $("#login-username").focus();
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const problems = checkRequired(form);
    if (problems.length) return showErrors(form, problems);
    const username = $("#login-username").value.trim();
    try {
      const r = await api("POST", "/v1/staff/login", { body: { username, password: $("#login-password").value } });
      answered(r, next);
    } catch (err) {
      showErrors(form, err);
    }
  });
}

function newPasswordView(challenge, next) {
  const form = h(
    "form",
    { class: "card login-card", novalidate: true },
    h("h2", {}, "首次登录请设置新密码"),
    h("p", { class: "hint" }, "至少12位，含大小写字母、数字和符号。"),
    h("div", { class: "field" }, h("label", { for: "new-password" }, "新密码"), h("input", { type: "password", id: "new-password", "data-path": "new_password", autocomplete: "new-password", required: true })),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn" }, "确定")),
  );
  view("设置新密码", form);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const r = await api("POST", "/v1/staff/login/new-password", {
        body: { username: challenge.username, session: challenge.session, new_password: $("#new-password").value },
      });
      answered(r, next);
    } catch (err) {
      showErrors(form, err);
    }
  });
}

// What Cognito asks next: a new password (first sign-in), the authenticator app to set up (once),
// the app's code (every sign-in after), or nothing (tokens).
function answered(r, next) {
  if (r.challenge === "NEW_PASSWORD_REQUIRED") return newPasswordView(r, next);
  if (r.challenge === "MFA_SETUP" || r.challenge === "SOFTWARE_TOKEN_MFA") return mfaView(r, next);
  signedIn(r, next);
}

function mfaView(challenge, next) {
  const setup = challenge.challenge === "MFA_SETUP";
  const secret = setup ? challenge.secret_code.replace(/(.{4})/g, "$1 ").trim() : "";
  const form = h(
    "form",
    { class: "card login-card", novalidate: true, id: "mfa-form" },
    h("h2", {}, setup ? "绑定身份验证器" : "输入动态验证码"),
    setup
      ? h(
          "div",
          { class: "notice" },
          h("p", {}, "工作人员账号须使用身份验证器应用（如手机上的验证器 App）进行二次验证。请在应用中添加账号，手动输入以下密钥（基于时间），或输入下面的链接："),
          h(
            "dl",
            { class: "facts" },
            h("dt", {}, "密钥"),
            h("dd", {}, h("code", { id: "mfa-secret" }, secret)),
            h("dt", {}, "或 otpauth 链接"),
            h("dd", {}, h("code", { id: "mfa-uri" }, challenge.otpauth_uri)),
          ),
          h("p", { class: "hint" }, "密钥仅显示这一次，请勿泄露给他人。添加后输入应用显示的 6 位验证码。"),
        )
      : h("p", { class: "hint" }, "请打开已绑定的身份验证器应用，输入当前显示的 6 位验证码。"),
    h(
      "div",
      { class: "field" },
      h("label", { for: "mfa-code" }, "6 位动态验证码"),
      h("input", { type: "text", id: "mfa-code", "data-path": "code", "data-label": "动态验证码", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6", pattern: "[0-9]{6}", required: true }),
    ),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn" }, setup ? "验证并登录" : "登录")),
  );
  view("二次验证", form);
  $("#mfa-code").focus();
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const code = $("#mfa-code").value.replace(/\s/g, "");
    if (!/^[0-9]{6}$/.test(code)) return showErrors(form, [{ path: "code", message: "请输入 6 位数字验证码" }]);
    try {
      const r = await api("POST", setup ? "/v1/staff/login/mfa-setup" : "/v1/staff/login/mfa", {
        body: { username: challenge.username, session: challenge.session, code },
      });
      signedIn(r, next);
    } catch (err) {
      if (err instanceof ApiError && err.code === "LOGIN_SESSION_EXPIRED") return loginView(err.message);
      showErrors(form, err);
    }
  });
}

function signedIn(r, next) {
  auth = { id_token: r.id_token, staff: r.staff };
  session.set(KEY, auth);
  go(next.startsWith("/staff") ? next : "/staff", { replace: true });
}

// ------------------------------------------------------------------------------- 工作任务
async function queueView() {
  const s = auth.staff;
  if (!CASE_ROLES.includes(s.role)) return go(HOME[s.role] || "/staff/help", { replace: true });
  let cursor = null;
  let tasks = [];
  // Every filter is applied by the server, in the Query itself (GET /v1/staff/tasks?status=&stage=&overdue=):
  // pages stay full, and the values the filters take come with the answer ("filters").
  const statusSelect = h("select", { id: "filter-status" }, h("option", { value: "open" }, "待办理"));
  const stageSelect = h("select", { id: "filter-stage" }, h("option", { value: "" }, "全部环节"));
  const overdueOnly = h("input", { type: "checkbox", id: "filter-overdue" });
  const tbody = h("tbody");
  const more = h("button", { type: "button", class: "btn secondary", hidden: true }, "加载更多");
  const count = h("p", { class: "muted small", "aria-live": "polite", id: "queue-count" });
  const caption = h("caption", {}, "待办审核任务（按办理期限排序，逾期任务在前）");
  const table = h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "审核任务表格（可左右滚动）" },
    h(
      "table",
      { id: "task-table", class: "cards" },
      caption,
      h("thead", {}, h("tr", {}, ["办件号", "申请人", "登记孩次", "提交时间", "转审原因", "办理环节", "办理期限", "状态", "操作"].map((t) => h("th", { scope: "col" }, t)))),
      tbody,
    ),
  );
  const stateOf = (t) => (decided.has(t.task_id) || t.status === "decided" ? "done" : t.status === "escalated" ? "escalated" : t.overdue ? "overdue" : "open");
  const badgeOf = (t) => {
    const st = stateOf(t);
    if (st === "done") return h("span", { class: "badge ok" }, decided.has(t.task_id) ? `已办结：${decided.get(t.task_id).state.label}` : "已办结");
    if (st === "escalated") return h("span", { class: "badge grey" }, "已逾期上报");
    return st === "overdue" ? h("span", { class: "badge bad" }, "已逾期") : h("span", { class: "badge warn" }, "待办理");
  };
  const draw = () => {
    tbody.replaceChildren(
      ...(tasks.length
        ? tasks.map((t) => {
            const st = stateOf(t);
            return h(
              "tr",
              { class: st === "done" ? "done" : st === "overdue" ? "overdue" : "", "data-task-id": t.task_id, "data-case-id": t.case_id },
              h("td", { "data-th": "办件号" }, t.case_id),
              h("td", { "data-th": "申请人" }, applicants(t)),
              h("td", { "data-th": "登记孩次" }, childOrder(t.child_order)),
              h("td", { "data-th": "提交时间" }, formatTime(t.submitted_at || t.created_at)),
              h("td", { "data-th": "转审原因" }, (t.review_reasons || []).join("；") || "—"),
              h("td", { "data-th": "办理环节" }, `${t.stage_title}（${t.level_title}）`),
              h("td", { "data-th": "办理期限" }, formatTime(t.due_at)),
              h("td", { "data-th": "状态" }, badgeOf(t)),
              h(
                "td",
                { "data-th": "操作" },
                h("a", { href: `/staff/tasks/${encodeURIComponent(t.task_id)}`, "data-link": true, class: "btn small" }, st === "open" || st === "overdue" ? "办理" : "查看", h("span", { class: "visually-hidden" }, ` 办件${t.case_id}`)),
              ),
            );
          })
        : [h("tr", {}, h("td", { colspan: "9", class: "muted" }, "没有符合条件的任务"))]),
    );
    const overdue = tasks.filter((t) => stateOf(t) === "overdue").length;
    count.textContent = `已加载 ${tasks.length} 件${overdue ? `，其中逾期 ${overdue} 件` : ""}${cursor ? "（还有更多，可加载）" : ""}`;
  };
  const options = (select, values, first) => {
    const chosen = select.value;
    select.replaceChildren(...(first ? [h("option", { value: "" }, first)] : []), ...values.map((v) => h("option", { value: v.code }, v.label)));
    select.value = values.some((v) => v.code === chosen) ? chosen : first ? "" : values[0]?.code || "";
  };
  const query = () => {
    const q = new URLSearchParams({ limit: "20", status: statusSelect.value || "open" });
    if (stageSelect.value) q.set("stage", stageSelect.value);
    overdueOnly.disabled = q.get("status") !== "open"; // only open tasks are overdue or not
    if (overdueOnly.checked && !overdueOnly.disabled) q.set("overdue", "true");
    if (cursor) q.set("cursor", cursor);
    return q;
  };
  let asked = 0; // the latest request: an answer to an earlier filter that arrives late is dropped
  const load = async () => {
    const mine = ++asked;
    const r = await sapi("GET", `/v1/staff/tasks?${query()}`);
    if (mine !== asked) return;
    tasks = tasks.concat(r.tasks);
    cursor = r.next_cursor;
    more.hidden = !cursor;
    options(statusSelect, r.filters.statuses, null);
    options(stageSelect, r.filters.stages, "全部环节");
    caption.textContent = statusSelect.value === "open" ? "待办审核任务（按办理期限排序，逾期任务在前）" : `审核任务：${statusSelect.selectedOptions[0]?.textContent || ""}`;
    $("#queue-office").textContent = r.office_name;
    draw();
  };
  const reload = () => {
    tasks = [];
    cursor = null;
    return load();
  };
  for (const el of [statusSelect, stageSelect, overdueOnly]) el.addEventListener("change", reload);
  more.addEventListener("click", load);
  view(
    "工作任务",
    h("p", { class: "lead" }, "办理机构：", h("span", { id: "queue-office" }, "")),
    caseSearch(),
    h(
      "div",
      { class: "card" },
      h(
        "div",
        { class: "toolbar" },
        h("div", { class: "field" }, h("label", { for: "filter-status" }, "任务状态"), statusSelect),
        h("div", { class: "field" }, h("label", { for: "filter-stage" }, "办理环节"), stageSelect),
        h("label", { class: "choice", for: "filter-overdue" }, overdueOnly, "只看逾期任务"),
        h("button", { type: "button", class: "btn secondary small", onclick: reload }, "刷新"),
      ),
      count,
      table,
      h("div", { class: "pager" }, more),
    ),
  );
  await load();
}

// 查找办件 (003 V(D): a couple that lost its query code is looked up at the township): by case id or
// either spouse's ID number, within the caller's jurisdiction (POST /v1/staff/cases/search; the
// number travels in the body, never in a URL). Outside it the answer is "not found", as for no case.
// Case ids are YYYYMMDD + 10 hex digits; an ID number starts with a province code (11–82), never "20".
const CASE_ID = /^20[0-9]{6}[0-9A-F]{10}$/i;

function caseSearch() {
  const input = h("input", { id: "case-search-q", name: "q", type: "search", autocomplete: "off", spellcheck: "false", maxlength: "32", "aria-describedby": "case-search-hint" });
  const results = h("div", { id: "case-search-results", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "card", id: "case-search", role: "search", novalidate: true },
    h("h2", {}, "查找办件"),
    h(
      "div",
      { class: "toolbar" },
      // the API answers the field's path as case_id or id_number: both belong to this one box
      h("div", { class: "field", "data-path": "case_id", "data-label": "办件号或身份证号" },
        h("div", { "data-path": "id_number", "data-label": "办件号或身份证号" },
          h("label", { for: "case-search-q" }, "办件号或男女方身份证号"),
          h("p", { class: "hint", id: "case-search-hint" }, "仅查找本辖区内的办件；申请人遗失查询码时可据此查询办理情况"),
          input)),
      h("button", { type: "submit", class: "btn small" }, "查找"),
    ),
    results,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    results.replaceChildren();
    const q = input.value.trim().toUpperCase();
    if (!q) return showErrors(form, [{ path: "case_id", message: "请输入办件号或身份证号" }]);
    try {
      const r = await sapi("POST", "/v1/staff/cases/search", CASE_ID.test(q) ? { case_id: q } : { id_number: q });
      fill(results, caseResults(r.cases));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) fill(results, h("p", { class: "notice warn", id: "case-search-none" }, err.message));
      else showErrors(form, err);
    }
  });
  return form;
}

function caseResults(cases) {
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "查找结果（可左右滚动）" },
    h(
      "table",
      { id: "case-search-table", class: "cards" },
      h("caption", {}, `找到 ${cases.length} 件办件（新提交的在前）`),
      h("thead", {}, h("tr", {}, ["办件号", "申请人", "登记孩次", "提交时间", "办理机构", "办理状态", "待办任务"].map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        {},
        cases.map((c) =>
          h(
            "tr",
            { "data-case-id": c.case_id },
            h("td", { "data-th": "办件号" }, c.case_id),
            h("td", { "data-th": "申请人" }, applicants(c)),
            h("td", { "data-th": "登记孩次" }, childOrder(c.child_order)),
            h("td", { "data-th": "提交时间" }, formatTime(c.submitted_at || c.created_at)),
            h("td", { "data-th": "办理机构" }, c.office_name),
            h("td", { "data-th": "办理状态" }, statusBadge(c.status, c.status_label)),
            h(
              "td",
              { "data-th": "待办任务" },
              c.open_task_id
                ? h("a", { href: `/staff/tasks/${encodeURIComponent(c.open_task_id)}`, "data-link": true, class: "btn small" }, "打开任务", h("span", { class: "visually-hidden" }, ` 办件${c.case_id}`))
                : "—",
            ),
          ),
        ),
      ),
    ),
  );
}

const ORDER = ["", "一孩", "二孩", "三孩"];
const childOrder = (n) => (n ? ORDER[n] || `${n}孩` : "—");

/** The applicants of a queue row, masked by the API for the caller's role. */
function applicants(t) {
  const names = [t.woman_name, t.man_name].filter(Boolean);
  return names.length ? names.join("、") : "—";
}

// ------------------------------------------------------------------------------- 审核任务
function factsList(rows) {
  return h("dl", { class: "facts" }, rows.filter(Boolean).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v ?? "")]));
}

async function address(a) {
  if (!a) return "";
  return `${await fullName(a.region_code)} ${a.detail || ""}${a.since ? `（${a.since}起）` : ""}`;
}

/** Marriage, application and pregnancy of a registration form (the contract's body), as fact rows. */
function familyFacts(f) {
  const preg = f.pregnancy || {};
  return [
    ["结婚登记日期", f.marriage.date],
    ["结婚证字号", f.marriage.certificate_number],
    ["申请方式", LABELS.type[f.application.type]],
    f.application.rebirth_reason ? ["再生育原因", LABELS.rebirth_reason[f.application.rebirth_reason]] : null,
    ["目前孕育情况", `${LABELS.pregnancy[preg.status] || ""}${preg.weeks ? `（${preg.weeks}周）` : ""}${preg.birth_date ? `（${preg.birth_date}）` : ""}`],
    f.proxy ? ["代办人", `${f.proxy.name} ${f.proxy.id_number}（${f.proxy.relation}）`] : null,
  ];
}

async function personCard(title, p) {
  return h(
    "section",
    { class: "card" },
    h("h2", {}, title),
    factsList([
      ["姓名", p.name],
      ["身份证号码", p.id_number],
      ["手机号码", p.phone],
      p.employer ? ["工作单位", p.employer] : null,
      ["婚姻状况", LABELS.marital_status[p.marital_status]],
      ["户籍地", await address(p.hukou)],
      ["现居住地", await address(p.residence)],
    ]),
  );
}

const CHECK_STATUS = {
  match: ["一致", "ok"],
  consistent: ["一致", "ok"],
  form_has_more: ["登记表信息多（已更新人口信息）", "ok"],
  form_has_less: ["登记表信息少", "bad"],
  conflict: ["不一致", "bad"],
  mismatch: ["不一致", "bad"],
  unverifiable: ["无法核验", "warn"],
  window_closed: ["非工作时间，待核验", "grey"],
};
// Labels of the task statuses (store/tasks.py); case statuses and documents come labelled in the API answer.
const STAGE_TITLES = { review: "人工审核", initial_review: "信息初审", registration: "生育登记" };
const TASK_STATUS = { open: "待办理", decided: "已办结", escalated: "已逾期上报", answered: "已补充", expired: "已过期" };
const ACTOR = { citizen: "申请人", system: "系统" };

function checkCard(check) {
  if (!check) return h("section", { class: "card" }, h("h2", {}, "核验结果"), h("p", { class: "muted" }, "尚未核验"));
  const badge = (st) => {
    const [label, kind] = CHECK_STATUS[st] || [st || "—", "grey"];
    return h("span", { class: `badge ${kind}` }, label);
  };
  return h(
    "section",
    { class: "card", id: "check-card" },
    h("h2", {}, "核验结果"),
    factsList([
      ["公安身份核验", badge(check.identity?.status)],
      ["民政婚姻核验", badge(check.marriage?.status)],
      ["人口信息比对", badge(check.population?.outcome)],
      check.population?.decision?.message ? ["比对结论", check.population.decision.message] : null,
      ["核验时间", formatTime(check.checked_at)],
    ]),
    (check.mismatches || []).length
      ? [h("h3", {}, "不一致或无法核验的项目"), h("ul", {}, check.mismatches.map((m) => h("li", {}, m.message)))]
      : h("p", { class: "notice ok" }, "各项核验一致"),
  );
}

// Decisions made in this tab: the case's new state is shown at once, before the workflow has moved
// it (the queue marks the task as done too, whatever its index still says).
const decided = new Map(Object.entries(session.get(`${KEY}.decided`) || {}));

async function taskView(taskId) {
  const r = await sapi("GET", `/v1/staff/tasks/${encodeURIComponent(taskId)}`);
  const loadedAt = Date.now();
  const t = r.task;
  const c = r.case;
  // Document labels come with the task (domain/documents.py), never from a copy here.
  const documentLabel = (code) => (r.document_labels || {})[code] || code;
  const f = c.form;
  const ev = c.evaluation || {};
  const children = await Promise.all(
    (f.children || []).map(async (ch, i) =>
      h(
        "tr",
        {},
        h("td", {}, String(i + 1)),
        h("td", {}, ch.name),
        h("td", {}, ch.id_number || "—"),
        h("td", {}, LABELS.sex[ch.sex]),
        h("td", {}, ch.birth_date),
        h("td", {}, LABELS.relation[ch.relation]),
        h("td", {}, LABELS.health[ch.health] + (ch.disability_certificate ? `（${ch.disability_certificate}）` : "")),
        h("td", {}, await fullName(ch.birthplace_code)),
      ),
    ),
  );
  const just = decided.get(taskId);
  const shown = just && c.status === "awaiting_review" ? just.state : { status: c.status, label: c.status_label };
  const decision = r.can_decide ? decisionForm(taskId, r) : decidedCard(t);
  view(
    `审核任务：${t.stage_title}`,
    h(
      "div",
      { class: "two-col" },
      h(
        "div",
        {},
        h(
          "section",
          { class: "card" },
          h("div", { class: "card-title" }, h("h2", {}, "办件信息"), h("span", { id: "case-status" }, statusBadge(shown.status, shown.label))),
          factsList([
            ["办件号", h("span", { id: "task-case-id" }, c.case_id)],
            ["登记省份", PROFILES[c.profile]?.name || c.profile],
            ["登记渠道", c.channel === "onsite" ? "现场登记" : "网上登记"],
            ["登记机构", c.office_name],
            ["提交时间", formatTime(c.created_at)],
            ["登记资格", ev.eligible ? "符合" : "不符合"],
            ["登记孩次", ev.child_order?.registration_label],
            ev.onsite_required ? ["现场办理", (ev.onsite_reasons || []).map((x) => x.message).join("；")] : null,
          ]),
        ),
        checkCard(c.check),
        comparisonCard(r),
        await personCard("女方信息", f.woman),
        await personCard("男方信息", f.man),
        h(
          "section",
          { class: "card" },
          h("h2", {}, "婚育信息"),
          factsList(familyFacts(f)),
          h("h3", {}, "子女信息"),
          children.length
            ? h(
                "div",
                { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "表格（可左右滚动）" },
                h(
                  "table",
                  {},
                  h("thead", {}, h("tr", {}, ["序号", "姓名", "身份证号码", "性别", "出生日期", "子女关系", "健康状况", "出生地"].map((x) => h("th", { scope: "col" }, x)))),
                  h("tbody", {}, children),
                ),
              )
            : h("p", { class: "muted" }, "无"),
        ),
        proofsCard(c, { loadedAt, refresh: () => taskView(taskId), documentLabel }),
        h(
          "section",
          { class: "card" },
          h("h2", {}, "办理记录"),
          h(
            "ol",
            { class: "timeline" },
            c.history.map((e) =>
              h("li", {}, h("strong", {}, e.status_label || e.status), h("time", {}, formatTime(e.at)), h("span", { class: "note" }, [ACTOR[e.by] || e.by_name || e.by, e.note].filter(Boolean).join("："))),
            ),
          ),
        ),
      ),
      h(
        "aside",
        { class: "sticky" },
        h(
          "section",
          { class: "card" },
          h("h2", {}, "任务"),
          factsList([
            ["办理环节", t.stage_title],
            ["办理层级", t.level_title],
            ["办理机构", t.assigned_office_name],
            ["办理期限", h("span", {}, formatTime(t.due_at), " ", t.overdue ? h("span", { class: "badge bad" }, "已逾期") : null)],
            ["任务状态", TASK_STATUS[t.status] || t.status],
          ]),
        ),
        decision,
        c.status === "registered" ? printButton(sapi, c.case_id, PROFILES[c.profile]?.certificate) : null,
      ),
    ),
  );
  if (just && c.status === "awaiting_review") followCase(taskId);
}

// After a decision the workflow moves the case within seconds: follow it while the page stays open.
async function followCase(taskId) {
  const path = location.pathname;
  for (let i = 0; i < 10; i++) {
    await new Promise((res) => setTimeout(res, 1500));
    if (location.pathname !== path || !$("#case-status")) return;
    const r = await sapi("GET", `/v1/staff/tasks/${encodeURIComponent(taskId)}`).catch(() => null);
    if (r && r.case.status !== "awaiting_review") {
      fill($("#case-status"), statusBadge(r.case.status, r.case.status_label));
      return;
    }
  }
}

function decidedCard(t) {
  const labels = { accept: "通过", reject: "不予登记", request_documents: "补充材料" };
  return h(
    "section",
    { class: "card", id: "decision-result" },
    h("h2", {}, "审核结论"),
    t.decision
      ? factsList([
          ["结论", t.decision_label || labels[t.decision] || t.decision],
          t.reason ? ["原因", t.reason] : null,
          ["审核人", t.decided_by_name ? `${t.decided_by_name}（${t.decided_by}）` : t.decided_by],
          ["审核时间", formatTime(t.decided_at)],
        ])
      : h("p", { class: "muted" }, t.status === "escalated" ? "该任务已逾期并上报上级办理。" : "您不能办理该任务（非本机构任务或已办结）。"),
  );
}

// The decisions that need a reason (domain/review_decisions.py REASON_REQUIRED); which decisions
// are offered at all is the API's answer (r.decisions: 需现场核实 for Chongqing only, 004 (2)).
const REASON_REQUIRED = ["reject", "request_documents", "onsite_verification"];

function decisionForm(taskId, r) {
  const reason = h("textarea", { id: "decision-reason", "data-path": "reason", maxlength: "200", rows: "3" });
  const reasonField = h("div", { class: "field", hidden: true }, h("label", { for: reason.id }, "原因", h("span", { class: "req", "aria-hidden": "true" }, "*")), h("span", { class: "hint" }, "将通过短信告知申请人，200字以内"), reason);
  const docs = h(
    "fieldset",
    { class: "field", "data-path": "documents", hidden: true },
    h("legend", { class: "label" }, "需补充的材料", h("span", { class: "req", "aria-hidden": "true" }, "*")),
    h("div", { class: "choices" }, r.documents.map((d) => h("label", { class: "choice" }, h("input", { type: "checkbox", name: "documents", value: d.code }), d.label))),
  );
  const choices = h(
    "fieldset",
    { class: "field", "data-path": "decision" },
    h("legend", { class: "label" }, "审核结论", h("span", { class: "req", "aria-hidden": "true" }, "*")),
    h("div", { class: "choices" }, r.decisions.map((d) => h("label", { class: "choice" }, h("input", { type: "radio", name: "decision", value: d.decision, id: `decision-${d.decision}` }), d.label))),
  );
  const line = h("p", { class: "status-line", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "card", id: "decision-form", novalidate: true },
    h("h2", {}, "审核"),
    choices,
    reasonField,
    docs,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn" }, "提交审核结论")),
    line,
  );
  choices.addEventListener("change", () => {
    const v = $("input[name=decision]:checked", form)?.value;
    reasonField.hidden = !REASON_REQUIRED.includes(v);
    docs.hidden = v !== "request_documents";
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const decision = $("input[name=decision]:checked", form)?.value;
    const problems = [];
    if (!decision) problems.push({ path: "decision", message: "请选择审核结论" });
    if (REASON_REQUIRED.includes(decision) && !reason.value.trim()) {
      problems.push({ path: "reason", message: decision === "onsite_verification" ? "需现场核实必须填写原因（将告知登记对象需核实的内容）" : "不予登记或要求补充材料必须填写原因" });
    }
    const documents = $$("input[name=documents]:checked", form).map((x) => x.value);
    if (decision === "request_documents" && !documents.length) problems.push({ path: "documents", message: "请选择需补充的材料" });
    if (problems.length) return showErrors(form, problems);
    const body = { decision };
    if (reason.value.trim() && decision !== "accept") body.reason = reason.value.trim();
    if (decision === "request_documents") body.documents = documents;
    $("button[type=submit]", form).disabled = true;
    try {
      const result = await sapi("POST", `/v1/staff/tasks/${encodeURIComponent(taskId)}`, body);
      status(line, "审核结论已提交", "ok");
      decided.set(taskId, { state: decidedState(result, (code) => STAGE_TITLES[code] || "下一环节"), at: Date.now() });
      session.set(`${KEY}.decided`, Object.fromEntries(decided));
      await taskView(taskId);
      const card = $("#decision-result");
      if (card) card.prepend(h("div", { class: "notice ok", role: "status" }, h("p", {}, "审核结论已提交，流程已继续办理。")));
    } catch (err) {
      showErrors(form, err);
      $("button[type=submit]", form).disabled = false;
    }
  });
  return form;
}

// ------------------------------------------------------------------------------- 现场登记
async function onsiteView() {
  const s = auth.staff;
  const profile = profileByProvince(s.region_code);
  if (s.role !== "township_operator" || !profile) {
    return view("现场登记", h("div", { class: "notice" }, h("p", {}, "仅乡镇（街道）业务操作员可录入现场登记。")));
  }
  const form = new RegistrationForm({ profile, staff: true, officeCode: s.office_code });
  // 三孩预约: started from an appointment, the couple is pre-filled and the case linked to it.
  const appointment = await appointmentPrefill(sapi, new URLSearchParams(location.search).get("appointment"));
  const commitment = h("input", { type: "checkbox", id: "onsite-commitment", required: true, "data-path": "application.commitment_accepted", "data-required-message": "请确认登记对象已签字承诺" });
  const el = h(
    "form",
    { id: "onsite-form", novalidate: true },
    h("p", { class: "lead" }, `${profile.name} · 按《登记表》录入登记对象现场填写的信息`),
    appointment ? h("p", { class: "notice", id: "onsite-appointment" }, `来自${appointment.label}`) : null,
    h("section", { class: "card" }, h("h2", {}, "女方信息"), form.sections.woman),
    h("section", { class: "card" }, h("h2", {}, "男方信息"), form.sections.man),
    h("section", { class: "card" }, h("h2", {}, "婚育信息"), form.sections.family),
    h(
      "section",
      { class: "card" },
      h("div", { class: "field", "data-path": "application.commitment_accepted" }, h("label", { class: "check", for: commitment.id }, commitment, h("span", {}, "登记对象已在《登记表》上签字承诺，所填信息完全属实。"))),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "btn" }, "提交现场登记")),
    ),
  );
  view("现场登记", el);
  await form.ready;
  if (appointment) await form.fill(appointment.body);
  el.addEventListener("regionchange", () => form.refreshOffices());
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(el);
    const problems = [...form.validate("woman"), ...form.validate("man"), ...form.validate("family"), ...checkRequired(commitment.closest(".field"))];
    if (problems.length) return showErrors(el, problems);
    const body = form.collect({ commitmentAccepted: true, commitmentAt: chinaNowIso() });
    let evaluation = null;
    try {
      evaluation = await sapi("POST", "/v1/precheck", body);
    } catch (err) {
      return showErrors(el, err);
    }
    // 确认: the operator reads the entry back to the couple before it is submitted.
    el.hidden = true;
    const back = () => {
      confirmBox.remove();
      el.hidden = false;
      focusHeading($("h1", main));
    };
    const submit = async (button) => {
      button.disabled = true;
      try {
        const path = appointment ? `/v1/staff/appointments/${encodeURIComponent(appointment.number)}/registration` : "/v1/staff/registrations";
        const r = await sapi("POST", path, body);
        await onsiteResult(r, profile);
      } catch (err) {
        back();
        if (err instanceof ApiError && err.details.some((d) => sectionOf(d.path))) return showErrors(el, err);
        showErrors(el, err);
      }
    };
    const confirmBox = await onsiteConfirm(body, evaluation, { back, submit });
    el.after(confirmBox);
    focusHeading($("h2", confirmBox));
  });
}

/** The entry read back before submitting (issue 15: on-site entry had no confirmation step). */
async function onsiteConfirm(body, ev, { back, submit }) {
  const children = body.children.map((c, i) => `${i + 1}. ${c.name}　${LABELS.sex[c.sex] || ""}　${c.birth_date}　${LABELS.relation[c.relation] || ""}`);
  const ok = ev.eligible;
  const submitButton = h("button", { type: "button", class: "btn", id: "onsite-confirm" }, "确认无误，提交登记");
  submitButton.addEventListener("click", () => submit(submitButton));
  return h(
    "section",
    { id: "onsite-confirm-box" },
    h("div", { class: "card" }, h("h2", { tabindex: "-1" }, "请与登记对象核对以下信息"), h("p", { class: "hint" }, "核对无误后提交；需要修改请返回。提交后将生成办件号和查询码。")),
    h(
      "div",
      { class: `notice ${ok ? "ok" : "warn"}`, id: "onsite-precheck" },
      factsList([
        ["登记资格", ok ? "符合登记条件" : "不符合登记条件"],
        ["登记机构", ev.jurisdiction?.office_name || "需人工确定"],
        ["登记孩次", ev.child_order?.registration_label],
      ]),
      !ok && ev.reasons?.length ? h("ul", {}, ev.reasons.map((r) => h("li", {}, r.message))) : null,
    ),
    h("div", { class: "confirm-grid" }, await personCard("女方信息", body.woman), await personCard("男方信息", body.man)),
    h(
      "section",
      { class: "card" },
      h("h2", {}, "婚育信息"),
      factsList([...familyFacts(body), ["子女", children.length ? h("span", {}, children.map((c) => [c, h("br")])) : "无"]]),
      h("div", { class: "actions" }, h("button", { type: "button", class: "btn secondary", id: "onsite-back", onclick: back }, "返回修改"), submitButton),
    ),
  );
}

async function onsiteResult(r, profile) {
  const credential = { type: "code", value: r.query_code };
  const statusBox = h("div", { "aria-live": "polite", id: "onsite-status" });
  view(
    "现场登记已提交",
    h(
      "section",
      { class: "card" },
      factsList([
        ["办件号", h("span", { id: "onsite-case-id" }, r.case_id)],
        ["查询码", h("span", { class: "code-box", id: "onsite-query-code" }, r.query_code)],
        ["登记机构", r.evaluation?.jurisdiction?.office_name],
        ["登记孩次", r.evaluation?.child_order?.registration_label],
      ]),
      h("p", { class: "hint" }, "请将办件号和查询码告知登记对象，可凭查询码查询办件、打印凭证。"),
      statusBox,
      h("div", { class: "actions" }, h("a", { class: "btn secondary", href: "/staff/onsite", "data-link": true }, "继续录入"), h("a", { class: "btn link", href: "/staff/tasks", "data-link": true }, "返回工作任务")),
    ),
    // 002 五(二)5: the signed 《登记表》 is scanned into the case archive
    await registrationFormCard(sapi, r.case_id),
  );
  for (let i = 0; i < 60; i++) {
    const v = await loadCase(r.case_id, credential);
    fill(statusBox,
      h("p", {}, "办理状态：", statusBadge(v.status, v.status_label)),
      v.certificate
        ? [
            // 001 三(一)3 业务人员可帮助打印: the couple's own certificate, the print audited
            ...printAction(sapi, r.case_id, profile.certificate),
            h("a", { class: "btn secondary", href: `/staff/stock?case=${encodeURIComponent(r.case_id)}`, "data-link": true }, "发放纸质生育服务证"),
          ]
        : null,
    );
    if (!["submitted", "checking"].includes(v.status)) return;
    await new Promise((res) => setTimeout(res, 1000));
  }
}

// ------------------------------------------------------------------------------- 统计监测
const LEVEL = { township: "乡镇（街道）", county: "县（区）", city: "市（州）", province: "省" };

async function statisticsView() {
  const s = auth.staff;
  if (!CASE_ROLES.includes(s.role)) return view("统计监测", h("div", { class: "notice" }, h("p", {}, "您的账号没有统计监测权限。")));
  const params = new URLSearchParams(location.search);
  const region = params.get("region") || "";
  const year = params.get("year") || "";
  const q = new URLSearchParams();
  if (region) q.set("region", region);
  if (year) q.set("year", year);
  const r = await sapi("GET", `/v1/staff/statistics${q.toString() ? `?${q}` : ""}`);
  const t = r.totals || {};
  const n = (group, key = "total") => Number(t[group]?.[key] || 0);
  const thisYear = new Date().getFullYear();
  const yearSelect = h(
    "select",
    { id: "stats-year" },
    [0, 1, 2, 3].map((d) => h("option", { value: String(thisYear - d) }, `${thisYear - d}年`)),
  );
  yearSelect.value = String(r.year);
  yearSelect.addEventListener("change", () => {
    const p = new URLSearchParams(location.search);
    p.set("year", yearSelect.value);
    go(`/staff/statistics?${p}`);
  });
  const kpi = (label, value, kind = "") => h("div", { class: `kpi ${kind}`.trim() }, h("b", {}, String(value)), h("span", {}, label));
  // One source for every level: the report's own counters of the chosen year (a township's extra
  // summary only adds its recent comments). The county used to show "5分/1条" next to an empty chart.
  const ratings = ratingsOf(t.ratings);
  const children = r.children || [];
  const stages = Object.entries(t.stage || {}).filter(([k]) => k !== "proofs");
  const charts = h(
    "div",
    { class: "charts" },
    barChart({
      id: "chart-received",
      title: children.length ? `下级${LEVEL[children[0].level] || "区域"}受理量（按渠道）` : "受理量（按渠道）",
      categories: children.length ? children.map((c) => c.name.replace(r.region.name, "") || c.name) : [r.region.name],
      series: [
        { name: "网上登记", values: (children.length ? children : [{ totals: t }]).map((c) => Number(c.totals?.received?.online || 0)) },
        { name: "现场登记", values: (children.length ? children : [{ totals: t }]).map((c) => Number(c.totals?.received?.onsite || 0)) },
      ],
      stacked: true,
    }),
    barChart({
      id: "chart-outcomes",
      title: "办结情况",
      categories: ["已登记", "未予登记", "材料逾期终止", "处理异常"],
      series: [{ name: "件数", values: [n("registered"), n("rejected"), n("incomplete"), n("needs_attention")] }],
    }),
    barChart({
      id: "chart-stages",
      title: "审核环节（派发、通过、不予登记、补充材料、逾期上报、补充后重新核验）",
      categories: stages.map(([k]) => STAGE_TITLES[k] || k),
      series: [
        { name: "派发", values: stages.map(([, v]) => Number(v.assigned || 0)) },
        { name: "通过", values: stages.map(([, v]) => Number(v.accept || 0)) },
        { name: "不予登记", values: stages.map(([, v]) => Number(v.reject || 0)) },
        { name: "补充材料", values: stages.map(([, v]) => Number(v.request_documents || 0)) },
        { name: "逾期上报", values: stages.map(([, v]) => Number(v.escalated || 0)) },
        { name: "补充后重新核验", values: stages.map(([, v]) => Number(v.superseded || 0)) },
      ],
    }),
    barChart({
      id: "chart-ratings",
      title: "好差评分布",
      categories: ["1分", "2分", "3分", "4分", "5分"],
      series: [{ name: "评价数", values: ["1", "2", "3", "4", "5"].map((k) => ratings.distribution[k]) }],
    }),
  );
  const drill = children.length
    ? h(
        "div",
        { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "表格（可左右滚动）" },
        h(
          "table",
          { id: "stats-children" },
          h("caption", {}, `下级区域（${children.length}个）`),
          h("thead", {}, h("tr", {}, ["区域", "受理", "网上", "现场", "已登记", "未予登记"].map((x) => h("th", { scope: "col" }, x)))),
          h(
            "tbody",
            {},
            children.map((c) =>
              h(
                "tr",
                {},
                h("th", { scope: "row" }, h("a", { href: `/staff/statistics?region=${c.code}&year=${r.year}`, "data-link": true }, c.name.replace(r.region.name, "") || c.name)),
                h("td", {}, c.totals?.received?.total || 0),
                h("td", {}, c.totals?.received?.online || 0),
                h("td", {}, c.totals?.received?.onsite || 0),
                h("td", {}, c.totals?.registered?.total || 0),
                h("td", {}, c.totals?.rejected?.total || 0),
              ),
            ),
          ),
        ),
      )
    : null;
  view(
    "统计监测",
    h(
      "div",
      { class: "card" },
      h(
        "div",
        { class: "toolbar" },
        h("p", { class: "lead", id: "stats-region" }, `${r.region.name}（${LEVEL[r.region.level] || ""}）`),
        h("div", { class: "field" }, h("label", { for: "stats-year" }, "统计年度"), yearSelect),
        region && region !== s.unit_code ? h("a", { href: "/staff/statistics", "data-link": true, class: "btn link" }, "返回本级") : null,
      ),
      h(
        "div",
        { class: "kpis" },
        kpi("受理登记", n("received")),
        kpi("网上登记", n("received", "online")),
        kpi("现场登记", n("received", "onsite")),
        kpi("已登记", n("registered")),
        kpi("即时办结", n("registered", "instant")),
        kpi("未予登记", n("rejected")),
        kpi("逾期未办任务", r.overdue_open_tasks ?? 0, r.overdue_open_tasks ? "bad" : ""),
        kpi("好差评", ratings.count ? `${ratings.average}分/${ratings.count}条` : "暂无"),
      ),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "btn secondary small", id: "stats-csv", onclick: (e) => downloadCsv(r, e.target) }, "导出CSV"),
        h("span", { class: "status-line", id: "stats-csv-status", "aria-live": "polite" }),
      ),
    ),
    charts,
    drill ? h("section", { class: "card" }, drill) : null,
  );
}

/** Ratings of a statistics node: counters ``score`` 1–5, ``count``, ``sum`` (services/shared/statistics.py). */
function ratingsOf(node = {}) {
  const distribution = Object.fromEntries(["1", "2", "3", "4", "5"].map((k) => [k, Number(node.score?.[k] || node.distribution?.[k] || 0)]));
  const count = Object.values(distribution).reduce((a, b) => a + b, 0);
  const sum = Object.entries(distribution).reduce((a, [k, v]) => a + Number(k) * v, 0);
  return { count, distribution, average: count ? (Math.round((sum / count) * 100) / 100).toString() : null };
}

/** The report as CSV, from GET /v1/staff/statistics/export (the same figures as the JSON, audited). */
async function downloadCsv(r, button) {
  button.disabled = true;
  try {
    const q = new URLSearchParams({ region: r.region.code, year: String(r.year) });
    const response = await fetch(`/v1/staff/statistics/export?${q}`, { headers: { Authorization: `Bearer ${auth.id_token}` }, cache: "no-store" });
    if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null), response.headers);
    const url = URL.createObjectURL(await response.blob());
    const a = h("a", { href: url, download: `统计监测-${r.region.code}-${r.year}.csv`, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (err) {
    status($("#stats-csv-status"), err.message || "导出失败", "bad");
  } finally {
    button.disabled = false;
  }
}

// ------------------------------------------------------------------------------- start
(async () => {
  if (auth) {
    try {
      const me = await sapi("GET", "/v1/staff/me");
      auth = { ...auth, staff: me };
      session.set(KEY, auth);
    } catch {
      // sapi has sent us to the login page
      return;
    }
  }
  await route();
})();
