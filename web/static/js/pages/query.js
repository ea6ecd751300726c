// 办件查询 (000 §2.4; 001 附件1 一): by the registered phone (captcha + SMS code → query token →
// POST /v1/case-queries/by-phone), from a new phone (both ID numbers → by-ids), or by query code +
// name (by-query-code). Each case found is shown with what may be done on it (case-view.js).

import { ApiError, post } from "../api.js";
import { loadCase, renderCase } from "../case-view.js";
import { PROFILES, initLayout } from "../profile.js";
import { Captcha, SmsCode, checkRequired } from "../sms.js";
import { $, $$, clearErrors, confirmDialog, h, session, showErrors } from "../ui.js";

initLayout();

// ------------------------------------------------------------------------------- tabs
const tabs = $$("[role=tab]");
function select(tab) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute("aria-selected", String(on));
    t.tabIndex = on ? 0 : -1;
    document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
  }
}
tabs.forEach((tab, i) => {
  tab.addEventListener("click", () => select(tab));
  tab.addEventListener("keydown", (e) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (!step) return;
    e.preventDefault();
    const next = tabs[(i + step + tabs.length) % tabs.length];
    select(next);
    next.focus();
  });
});

// ------------------------------------------------------------------------------- phone verification widgets
function widgets(form, prefix, phoneInput) {
  const captcha = new Captcha({ prefix });
  const sms = new SmsCode({
    purpose: "query",
    form,
    prefix,
    getPhone: () => {
      const problems = checkRequired(phoneInput.closest(".field"));
      if (problems.length) {
        showErrors(form, problems);
        return "";
      }
      return phoneInput.value.trim();
    },
    extra: () => captcha.value(),
    afterSend: () => captcha.refresh(), // a captcha is good for one try
  });
  $("[data-captcha]", form).replaceWith(captcha.element);
  $("[data-sms]", form).replaceWith(sms.element);
  captcha.refresh();
  return { captcha, sms };
}

const phoneForm = $("#panel-phone");
const idsForm = $("#panel-ids");
const codeForm = $("#panel-code");
const byPhone = widgets(phoneForm, "qp", $("#q-phone"));
const byIds = widgets(idsForm, "qi", $("#q-new-phone"));

// ------------------------------------------------------------------------------- results
const results = $("#results");
const list = $("#results-list");

// 001 附件1 一: a case found by 查询码 + 姓名 is shown masked; its own form opens (unmasked) only to a
// session that also has the SMS code sent to the phone the case was registered with.
function phoneProof(card, view, credential) {
  const path = `/v1/registrations/${encodeURIComponent(view.case_id)}/sms-codes`;
  const headers = { headers: { "X-Query-Code": credential.value } };
  const prefix = `pp-${view.case_id}`;
  const titleId = `${prefix}-title`;
  const form = h("form", { class: "card", novalidate: true, "data-phone-proof": view.case_id, "aria-labelledby": titleId });
  const captcha = new Captcha({ prefix });
  const sms = new SmsCode({
    purpose: "query",
    form,
    prefix,
    getPhone: () => "registered", // the server knows the phone; the page never sees it unmasked
    extra: () => captcha.value(),
    afterSend: () => captcha.refresh(),
    request: (body) => post(path, body, headers),
    exchange: (code) => post(`${path}/verify`, { code }, headers).then((r) => r.token),
  });
  form.append(
    h("h3", { id: titleId }, "验证登记手机号码"),
    h("p", { class: "hint" }, "补充完善前需验证身份：短信验证码将发送至本办件登记时预留的手机号码。"),
    h("div", { class: "grid" }, captcha.element, sms.element),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn" }, "验证并补充完善")),
  );
  captcha.refresh();
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    run(form, async () => {
      const problems = checkRequired(sms.element);
      if (problems.length) return showErrors(form, problems);
      const token = await sms.token();
      go(view, { type: "session", code: credential.value, token });
    });
  });
  card.after(form);
  $("input", form)?.focus();
}

function go(view, credential) {
  session.set("birthreg.modify", { caseId: view.case_id, credential, profile: view.profile });
  location.href = `/register.html?modify=${encodeURIComponent(view.case_id)}`;
}

function modifyCase(view, credential, card) {
  return confirmDialog({
    title: view.profile === "guizhou" ? "补充完善登记信息" : "修改登记信息",
    message:
      view.profile === "sichuan"
        ? `登记信息只允许被修改一次，修改后原${PROFILES[view.profile]?.certificate || "证件"}作废。点击确定后进入登记须知界面，请据实修改登记信息。`
        : "初审前可补充、完善登记信息。点击确定后进入登记须知界面。",
  }).then((ok) => {
    if (!ok) return;
    // The unmasked form needs the registered phone proven; a phone session has done so already.
    if (credential.type === "code") phoneProof(card, view, credential);
    else go(view, credential);
  });
}

// Past 初审 the couple can no longer supplement (001 附件1 一 "初审前"): say so instead of a silent gap.
const CHECKING = new Set(["submitted", "checking"]);
function supplementClosed(view) {
  if (!PROFILES[view.profile]?.supplement_before_review || view.actions?.modify || CHECKING.has(view.status)) return null;
  return h(
    "div",
    { class: "notice", "data-notice": "supplement-closed" },
    h("p", {}, "登记信息已进入初审或已办结，不能再网上补充完善；如需更正，请联系申报登记地的乡（镇、街道）计生办。"),
  );
}

function askCode(card, view) {
  const id = `code-${view.case_id}`;
  const input = h("input", { type: "text", id, "data-path": "query_code", maxlength: "16", autocapitalize: "characters", autocomplete: "off" });
  const form = h(
    "form",
    { class: "card", novalidate: true },
    h("div", { class: "field" }, h("label", { for: id }, `办件 ${view.case_id} 的查询码`), h("div", { class: "inline" }, input, h("button", { type: "submit", class: "btn" }, "确定"))),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const credential = { type: "code", value: input.value.trim().toUpperCase() };
    if (!credential.value) return showErrors(form, [{ path: "query_code", message: "请填写查询码" }]);
    try {
      const fresh = await loadCase(view.case_id, credential);
      form.remove();
      place(card, fresh, credential);
    } catch (err) {
      showErrors(form, err instanceof ApiError && err.status === 404 ? [{ path: "query_code", message: "查询码不正确" }] : err);
    }
  });
  card.after(form);
  input.focus();
}

// 002 五(一)5 "告知审核比对未通过不能办理或到登记机构现场核实办理": the reasons and the office to go to,
// every word from the API (the case's notice; the office as its administrator entered it).
function notMatchedNotice(notice) {
  const o = notice.onsite || {};
  const contact = [o.address && `地址：${o.address}`, o.phone && `电话：${o.phone}`, o.opening_hours && `办公时间：${o.opening_hours}`]
    .filter(Boolean)
    .join("；");
  return h(
    "div",
    { class: "notice bad", "data-notice": "not_matched", role: "status" },
    h("p", {}, h("strong", {}, `${notice.title}。`), notice.reasons?.length ? ` 原因：${notice.reasons.join("；")}` : ""),
    h("p", { "data-field": "onsite" }, `${o.text}：${o.office_name || ""}${contact ? `（${contact}）` : ""}`),
  );
}

function place(old, view, credential) {
  const card = renderCase(view, {
    credential,
    onRefresh: (fresh) => place(card, fresh, credential),
    onModify: (v) => modifyCase(v, credential, card),
    needCode: (v) => askCode(card, v),
  });
  if (view.notice) card.querySelector(".card-title")?.after(notMatchedNotice(view.notice));
  const closed = supplementClosed(view);
  if (closed) ($(".actions", card) || card.lastElementChild).before(closed);
  if (old) old.replaceWith(card);
  else list.append(card);
  return card;
}

function show(cases, credential) {
  list.replaceChildren();
  results.hidden = false;
  if (!cases.length) list.append(h("div", { class: "card" }, h("p", {}, "未查询到办件。如已更换手机号码，请选择“已更换手机号”查询。")));
  for (const view of cases) place(null, view, credential);
  $("#results-title").focus?.();
  results.scrollIntoView({ block: "start" });
}

// ------------------------------------------------------------------------------- the three ways in
async function run(form, fn) {
  clearErrors(form);
  const button = $("button[type=submit]", form);
  button.disabled = true;
  try {
    await fn();
  } catch (err) {
    showErrors(form, err);
  } finally {
    button.disabled = false;
  }
}

phoneForm.addEventListener("submit", (e) => {
  e.preventDefault();
  run(phoneForm, async () => {
    const problems = [...checkRequired($("#q-phone").closest(".field")), ...checkRequired(byPhone.sms.element)];
    if (problems.length) return showErrors(phoneForm, problems);
    const token = await byPhone.sms.token();
    const r = await post("/v1/case-queries/by-phone", {}, { headers: { "X-Citizen-Token": token } });
    show(r.cases, { type: "token", value: token });
  });
});

idsForm.addEventListener("submit", (e) => {
  e.preventDefault();
  run(idsForm, async () => {
    const problems = [
      ...checkRequired($("#q-woman-id").closest(".grid")).filter((p) => p.path.endsWith("id_number") || p.path === "phone"),
      ...checkRequired(byIds.sms.element),
    ];
    if (problems.length) return showErrors(idsForm, problems);
    const token = await byIds.sms.token();
    const r = await post(
      "/v1/case-queries/by-ids",
      { woman_id_number: $("#q-woman-id").value.trim().toUpperCase(), man_id_number: $("#q-man-id").value.trim().toUpperCase() },
      { headers: { "X-Citizen-Token": token } },
    );
    // The new phone proves nothing about the case itself: acting on it needs its query code.
    show(r.cases, null);
  });
});

codeForm.addEventListener("submit", (e) => {
  e.preventDefault();
  run(codeForm, async () => {
    const problems = checkRequired(codeForm);
    if (problems.length) return showErrors(codeForm, problems);
    const code = $("#q-code").value.trim().toUpperCase();
    const r = await post("/v1/case-queries/by-query-code", { query_code: code, name: $("#q-name").value.trim() });
    show(r.cases, { type: "code", value: code });
  });
});

document.body.dataset.ready = "true";
