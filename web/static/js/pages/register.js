// 网上登记 (000 §2.3): 登记须知 → 女方信息 → 男方信息 → 婚育信息 → 登记确认 (POST /v1/precheck) →
// 提交 (SMS code → citizen token → POST /v1/registrations with an Idempotency-Key) → 登记成功
// (GET /v1/registrations/{id} with the query code: status, PDF, uploads, rating).
// ``?mode=rebirth`` asks for the rebirth reason (再生育); ``?modify=<case id>`` changes a case found
// through 办件查询 (PUT /v1/registrations/{id}; Sichuan once, Guizhou before the initial review).

import { ApiError, credentialHeaders, get, newIdempotencyKey, post, put } from "../api.js";
import { loadCase, renderCase } from "../case-view.js";
import { LABELS, RegistrationForm, sectionOf } from "../form.js";
import { PROFILES, initLayout } from "../profile.js";
import { fullName } from "../regions.js";
import { formRules, marriageProblems, personProblems } from "../rules.js";
import { PHONE_RE, SmsCode, checkRequired } from "../sms.js";
import { $, $$, chinaNowIso, clearErrors, confirmDialog, fill, focusHeading, h, session, showErrors } from "../ui.js";

const STEPS = ["notice", "woman", "man", "family", "confirm", "submit", "done"];
const DRAFT = "birthreg.draft";
// Steps a reload or Back/Forward may land on: the form steps and 登记确认 (its precheck is re-run).
const RESTORABLE = new Set(["notice", "woman", "man", "family", "confirm"]);
const WAITING = new Set(["submitted", "checking"]);

const params = new URLSearchParams(location.search);
const modifyId = params.get("modify");
const modify = modifyId ? session.get("birthreg.modify") : null;
const modifying = Boolean(modify && modify.caseId === modifyId);
const rebirth = params.get("mode") === "rebirth";

let profile = initLayout();
if (modifying && PROFILES[modify.profile]) profile = PROFILES[modify.profile];

const formEl = $("#reg-form");
const form = new RegistrationForm({ profile, rebirth });
$("[data-mount=woman]").append(form.sections.woman);
$("[data-mount=man]").append(form.sections.man);
$("[data-mount=family]").append(form.sections.family);

let current = "notice";
let lastPrecheck = null;
let commitmentAt = null;
let submission = null; // {key, json}: one idempotency key per distinct body
let submitToken = null; // {phone, token}

// ------------------------------------------------------------------------------- titles and modes
if (modifyId && !modifying) {
  $("#mode-notice").append(
    h(
      "div",
      { class: "notice warn" },
      h("p", {}, "请先通过“办件查询”找到需要修改的办件，再点击“修改登记信息”。"),
      h("p", {}, h("a", { href: "/query.html" }, "前往办件查询")),
    ),
  );
  formEl.hidden = true;
  $("#steps").hidden = true;
} else if (modifying) {
  const title = profile.code === "guizhou" ? "补充完善登记信息" : "修改登记信息";
  $("#page-title").textContent = `${title}（办件号 ${modify.caseId}）`;
  $("#crumb").textContent = title;
  document.title = `${title} - ${profile.site}`;
  $("#mode-notice").append(
    h(
      "div",
      { class: "notice warn" },
      h(
        "p",
        {},
        profile.code === "sichuan"
          ? `登记信息只允许被修改一次。请据实修改后重新提交，修改后将重新核验，原${profile.certificate}作废。`
          : "初审前可补充、完善登记信息，工作人员审核时以最新信息为准。",
      ),
    ),
  );
  $('#steps li[data-step="submit"]').textContent = "提交修改";
  $('#steps li[data-step="done"]').textContent = "修改成功";
  $("#submit-button").textContent = "提交修改";
} else if (rebirth) {
  $("#page-title").textContent = profile.code === "sichuan" ? "特殊情形再生育登记（三孩登记）" : "再生育登记";
  $("#crumb").textContent = "再生育登记";
}

// ------------------------------------------------------------------------------- step navigation
// Each step is an entry of the browser's history (?step=…), so Back (the phone's back gesture),
// Forward and reload move between steps instead of leaving or restarting the wizard.
function stepUrl(step) {
  const url = new URL(location.href);
  if (step === "notice") url.searchParams.delete("step");
  else url.searchParams.set("step", step);
  return url.pathname + url.search + url.hash;
}

function show(step, { focus = true, history: how = "push" } = {}) {
  if (how === "push" && step !== current && RESTORABLE.has(step)) history.pushState({ step }, "", stepUrl(step));
  else if (how === "replace") history.replaceState({ step }, "", stepUrl(RESTORABLE.has(step) ? step : "notice"));
  current = step;
  for (const section of $$(".step")) section.hidden = section.dataset.step !== step;
  const index = STEPS.indexOf(step);
  $$("#steps li").forEach((li, i) => {
    li.classList.toggle("done", i < index);
    if (i === index) li.setAttribute("aria-current", "step");
    else li.removeAttribute("aria-current");
  });
  if (focus) focusHeading($(`.step[data-step="${step}"] h2`));
}

// The draft is kept in localStorage: it survives closing the browser or the installed app (issue 17).
const drafts = {
  get() {
    try {
      return JSON.parse(localStorage.getItem(DRAFT));
    } catch {
      return null;
    }
  },
  set(value) {
    localStorage.setItem(DRAFT, JSON.stringify(value));
  },
  remove() {
    localStorage.removeItem(DRAFT);
  },
};

function saveDraft() {
  if (!modifying) drafts.set({ profile: profile.code, rebirth, step: current, body: form.collect() });
}

/** What the browser can check on this step, with the server's messages (rules.js). */
async function ruleProblems(step) {
  const rules = await formRules();
  if (step === "woman" || step === "man") return personProblems(rules, step, form.collect()[step].id_number);
  if (step === "family") return marriageProblems(rules, form.collect());
  return [];
}

/** Show API/client errors; go to the first step that has one. */
function showFormErrors(error) {
  const details = Array.isArray(error) ? error : error.details || [];
  const steps = details.map((d) => sectionOf(d.path)).filter(Boolean);
  const first = STEPS.find((s) => steps.includes(s));
  if (first && first !== current) show(first, { focus: false });
  showErrors(formEl, error);
}

async function next() {
  clearErrors(formEl);
  if (current === "notice") {
    const problems = checkRequired($('.step[data-step="notice"]'));
    if (problems.length) return showErrors(formEl, problems);
    return show("woman");
  }
  if (current === "woman" || current === "man" || current === "family") {
    const problems = form.validate(current);
    const byPath = new Set(problems.map((p) => p.path));
    problems.push(...(await ruleProblems(current)).filter((p) => !byPath.has(p.path)));
    if (problems.length) return showErrors(formEl, problems);
    saveDraft();
    if (current === "man") {
      await form.refreshOffices();
      return show("family");
    }
    if (current === "woman") return show("man");
    return precheck();
  }
  if (current === "confirm") {
    const problems = checkRequired($('.step[data-step="confirm"]'));
    if (problems.length) return showErrors(formEl, problems);
    if (!lastPrecheck || !lastPrecheck.registrable_online) {
      return showErrors(formEl, [{ path: "", message: "根据登记确认结果，本次申请不能网上办理，请按提示到登记机构现场办理" }]);
    }
    commitmentAt = commitmentAt || chinaNowIso();
    prepareSubmit();
    return show("submit");
  }
}

function prev() {
  clearErrors(formEl);
  const i = STEPS.indexOf(current);
  if (i > 0) show(STEPS[i - 1]);
}

formEl.addEventListener("click", (e) => {
  if (e.target.closest("[data-next]")) next();
  else if (e.target.closest("[data-prev]")) prev();
  const link = e.target.closest(".error-summary a[href^='#']");
  if (link) {
    // a field on another step: open that step first
    const target = document.getElementById(link.getAttribute("href").slice(1));
    const step = target?.closest(".step");
    if (step && step.hidden) {
      e.preventDefault();
      show(step.dataset.step, { focus: false });
      target.focus();
    }
  }
});
// Enter in a text field must not submit the step (a half-typed form sent by one key on a phone).
formEl.addEventListener("keydown", (e) => {
  if (e.key !== "Enter" || e.isComposing) return;
  const t = e.target;
  if (t instanceof HTMLInputElement && !["checkbox", "radio", "submit", "button"].includes(t.type)) e.preventDefault();
});
formEl.addEventListener("change", () => {
  if (["woman", "man", "family"].includes(current)) saveDraft();
});
window.addEventListener("popstate", (e) => {
  const step = e.state?.step || new URLSearchParams(location.search).get("step") || "notice";
  if (current === "done") return;
  clearErrors(formEl);
  if (step === "confirm") return precheck({ history: "none" });
  show(RESTORABLE.has(step) ? step : "notice", { history: "none" });
});
formEl.addEventListener("regionchange", () => {
  if (current === "family") form.refreshOffices();
});
$("#commitment").addEventListener("change", (e) => {
  commitmentAt = e.target.checked ? chinaNowIso() : null;
});

// ------------------------------------------------------------------------------- 登记确认 (precheck)
function reasonList(items) {
  return items && items.length ? h("ul", {}, items.map((r) => h("li", {}, r.message))) : null;
}

function renderPrecheck(ev) {
  const ok = ev.registrable_online;
  const rows = [
    ["登记资格", ev.eligible ? h("span", { class: "badge ok" }, "符合登记条件") : h("span", { class: "badge bad" }, "不符合网上登记条件")],
    ["登记机构", ev.jurisdiction?.office_name || h("span", { class: "badge warn" }, "需人工确定")],
    [
      "登记孩次",
      ev.child_order
        ? `${ev.child_order.registration_label}${ev.child_order.upbringing_label && ev.child_order.upbringing_label !== ev.child_order.registration_label ? `（生养孩次：${ev.child_order.upbringing_label}）` : ""}`
        : "",
    ],
    ["办理方式", ev.onsite_required ? h("span", { class: "badge warn" }, "需到登记机构现场办理") : h("span", { class: "badge ok" }, "可网上办理")],
  ];
  const box = h(
    "div",
    { class: `notice ${ok ? "ok" : "warn"}`, id: "precheck-result", "data-registrable": String(ok) },
    h("h3", {}, ok ? "登记条件核对通过" : "本次申请不能网上办理"),
    h("dl", { class: "facts" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    ev.reasons?.length && !ev.eligible ? [h("p", {}, h("strong", {}, "原因：")), reasonList(ev.reasons)] : null,
    ev.onsite_required ? [h("p", {}, h("strong", {}, "需现场办理的原因：")), reasonList(ev.onsite_reasons)] : null,
    ev.proofs_required?.length
      ? [
          h("p", {}, h("strong", {}, "需上传的证明材料（提交后在办件页面上传，每个文件不超过2MB）：")),
          h("ul", {}, ev.proofs_required.map((p) => h("li", {}, p.message))),
        ]
      : null,
    ok ? h("p", { class: "small muted" }, "提交后系统将通过男女双方的姓名、身份证号码及结婚证号查验公安、民政信息，并与人口信息比对。") : null,
  );
  $("#precheck").replaceChildren(box);
  $("#confirm-button").disabled = !ok;
}

async function renderSummary(body) {
  const place = async (a) => `${await fullName(a.region_code)}${a.detail ? ` ${a.detail}` : ""}`;
  const personBlock = async (role, title) => {
    const p = body[role];
    const residenceSince = p.residence.since ? `（${p.residence.since}起）` : "";
    return h(
      "div",
      {},
      h("h3", {}, title),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "姓名"),
        h("dd", {}, p.name),
        h("dt", {}, "身份证号码"),
        h("dd", {}, p.id_number),
        h("dt", {}, "手机号码"),
        h("dd", {}, p.phone),
        p.employer ? [h("dt", {}, "工作单位"), h("dd", {}, p.employer)] : null,
        h("dt", {}, "婚姻状况"),
        h("dd", {}, LABELS.marital_status[p.marital_status] || ""),
        h("dt", {}, "户籍地"),
        h("dd", {}, await place(p.hukou)),
        h("dt", {}, "现居住地"),
        h("dd", {}, `${await place(p.residence)}${residenceSince}`),
      ),
    );
  };
  const preg = body.pregnancy;
  const pregText =
    (LABELS.pregnancy[preg.status] || "") +
    (preg.status === "pregnant" && preg.weeks ? `（${preg.weeks}周）` : "") +
    (preg.status === "delivered" && preg.birth_date ? `（${preg.birth_date}）` : "");
  // On a phone the table becomes one card per child (table.cards, site.css): no cut-off columns.
  const COLUMNS = ["序号", "姓名", "性别", "出生日期", "子女关系", "健康状况", "出生地"];
  const children = await Promise.all(
    body.children.map(async (c, i) => {
      const cells = [String(i + 1), c.name, LABELS.sex[c.sex] || "", c.birth_date, LABELS.relation[c.relation] || "", LABELS.health[c.health] || "", await fullName(c.birthplace_code)];
      return h("tr", {}, cells.map((text, k) => h("td", { "data-th": COLUMNS[k] }, text)));
    }),
  );
  fill($("#summary"),
    h("div", { class: "summary-grid" }, await personBlock("woman", "女方信息"), await personBlock("man", "男方信息")),
    h("h3", {}, "婚育信息"),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "结婚登记日期"),
      h("dd", {}, body.marriage.date),
      h("dt", {}, "结婚证字号"),
      h("dd", {}, body.marriage.certificate_number),
      h("dt", {}, "申请方式"),
      h("dd", {}, LABELS.type[body.application.type] || ""),
      body.application.rebirth_reason ? [h("dt", {}, "再生育原因"), h("dd", {}, LABELS.rebirth_reason[body.application.rebirth_reason])] : null,
      h("dt", {}, "目前孕育情况"),
      h("dd", {}, pregText),
    ),
    h("h3", {}, "子女信息"),
    body.children.length
      ? h(
          "div",
          { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "表格（可左右滚动）" },
          h(
            "table",
            { class: "cards", id: "summary-children" },
            h("thead", {}, h("tr", {}, COLUMNS.map((t) => h("th", { scope: "col" }, t)))),
            h("tbody", {}, children),
          ),
        )
      : h("p", { class: "muted" }, "无"),
  );
}

async function precheck({ history: how = "push" } = {}) {
  const body = form.collect({ commitmentAccepted: true, commitmentAt: chinaNowIso() });
  show("confirm", { history: how });
  $("#precheck").replaceChildren(h("p", { class: "muted" }, "正在核对登记条件…"));
  $("#confirm-button").disabled = true;
  try {
    lastPrecheck = await post("/v1/precheck", body);
  } catch (err) {
    lastPrecheck = null;
    $("#precheck").replaceChildren();
    if (err instanceof ApiError && err.details.some((d) => sectionOf(d.path))) return showFormErrors(err);
    return showErrors(formEl, err);
  }
  renderPrecheck(lastPrecheck);
  await renderSummary(body);
}

// ------------------------------------------------------------------------------- 提交 (SMS or modification)
const submitMount = $("#submit-mount");
let sms = null;

function mask(phone) {
  return phone ? `${phone.slice(0, 3)}****${phone.slice(7)}` : "";
}

function prepareSubmit() {
  const body = form.collect();
  if (modifying) {
    submitMount.replaceChildren(
      h("p", {}, "请再次确认修改后的登记信息，点击“提交修改”后将重新核验。"),
      h("p", { class: "muted small" }, `办件号：${modify.caseId}`),
    );
    return;
  }
  const phones = [
    ["woman", `女方手机号码 ${mask(body.woman.phone)}`, body.woman.phone],
    ["man", `男方手机号码 ${mask(body.man.phone)}`, body.man.phone],
  ].filter(([, , p]) => PHONE_RE.test(p));
  const group = h(
    "fieldset",
    { class: "field", "data-path": "phone", "data-label": "接收验证码的手机" },
    h("legend", { class: "label" }, "接收验证码的手机", h("span", { class: "req", "aria-hidden": "true" }, "*")),
    h(
      "div",
      { class: "choices" },
      phones.map(([role, label, phone], i) => h("label", { class: "choice" }, h("input", { type: "radio", name: "sms-phone", value: phone, id: `sms-phone-${role}`, checked: i === 0 }), label)),
    ),
  );
  sms = new SmsCode({
    purpose: "submit",
    form: formEl,
    prefix: "submit",
    getPhone: () => {
      const picked = $("input[name=sms-phone]:checked", group);
      if (!picked) {
        showErrors(formEl, [{ path: "phone", message: "请选择接收验证码的手机" }]);
        return "";
      }
      return picked.value;
    },
  });
  submitMount.replaceChildren(
    h("p", {}, "确认信息无误后，请获取短信验证码并提交。验证码将发送到登记时填写的女方或男方手机。"),
    h("div", { class: "grid" }, group, sms.element),
  );
}

async function submit(e) {
  e.preventDefault();
  if (current !== "submit") return next();
  clearErrors(formEl);
  const body = form.collect({ commitmentAccepted: $("#commitment").checked, commitmentAt: commitmentAt || chinaNowIso() });
  const json = JSON.stringify(body);
  if (!submission || submission.json !== json) submission = { key: newIdempotencyKey(), json };
  const button = $("#submit-button");
  button.disabled = true;
  try {
    if (modifying) {
      const result = await put(`/v1/registrations/${encodeURIComponent(modify.caseId)}`, body, {
        headers: { ...credentialHeaders(modify.credential), "Idempotency-Key": submission.key },
      });
      session.remove("birthreg.modify");
      return done({ caseId: result.case_id, credential: modify.credential, modified: true });
    }
    const problems = checkRequired(sms.element);
    if (problems.length) return showErrors(formEl, problems);
    const phone = sms.getPhone();
    if (!phone) return;
    if (!submitToken || submitToken.phone !== phone) submitToken = { phone, token: await sms.token() };
    const result = await post("/v1/registrations", body, {
      headers: { "X-Citizen-Token": submitToken.token, "Idempotency-Key": submission.key },
    });
    drafts.remove();
    return done({ caseId: result.case_id, credential: { type: "code", value: result.query_code }, queryCode: result.query_code });
  } catch (err) {
    if (err instanceof ApiError && ["TOKEN_EXPIRED", "INVALID_TOKEN", "TOKEN_INVALID"].includes(err.code)) submitToken = null;
    if (err instanceof ApiError && err.details.some((d) => sectionOf(d.path))) return showFormErrors(err);
    showErrors(formEl, err);
  } finally {
    button.disabled = false;
  }
}
formEl.addEventListener("submit", submit);

// ------------------------------------------------------------------------------- 登记成功
async function done({ caseId, credential, queryCode, modified = false }) {
  show("done", { history: "replace" });
  // The last step says what really happened: ✓ only once the case is registered (follow()).
  $('#steps li[data-step="done"]').textContent = "办理结果";
  if (modified && profile.supplement_before_review) {
    // 001 附件1 一: supplemented before 初审; checked again, then 初审 (its result comes by SMS)
    $("#h-done").textContent = "登记信息已补充完善";
    $("#done-lead").textContent = "补充完善后的登记信息将重新核验，并由申报登记地乡级计生行政主管部门初审，初审结果将短信通知。";
  } else if (modified) {
    $("#h-done").textContent = "登记信息已修改";
    $("#done-lead").textContent = `修改后的登记信息将重新核验，核验一致的将重新签发${profile.certificate}，原证件作废。`;
  }
  fill($("#done-codes"),
    h("dl", { class: "facts centered" }, h("dt", {}, "办件号"), h("dd", { id: "case-id" }, caseId)),
    queryCode
      ? h(
          "div",
          {},
          h("p", {}, "查询码（请牢记，可凭查询码查询办件、补充材料、打印凭证）："),
          h("p", {}, h("span", { class: "code-box", id: "query-code" }, queryCode)),
          h("p", { class: "muted small" }, "办件号和查询码已通过短信发送到您的手机。"),
        )
      : null,
  );
  await follow(caseId, credential);
}

function goModify(view, credential) {
  return confirmDialog({
    title: view.profile === "guizhou" ? "补充完善登记信息" : "修改登记信息",
    message:
      view.profile === "sichuan"
        ? `登记信息只允许被修改一次，修改后原${PROFILES[view.profile]?.certificate || profile.certificate}作废。确定要修改吗？`
        : "初审前可补充、完善登记信息。确定要继续吗？",
  }).then((ok) => {
    if (!ok) return;
    session.set("birthreg.modify", { caseId: view.case_id, credential, profile: view.profile });
    location.href = `/register.html?modify=${encodeURIComponent(view.case_id)}`;
  });
}

async function follow(caseId, credential) {
  const mount = $("#case-mount");
  const render = (view) => {
    mount.replaceChildren(renderCase(view, { credential, onRefresh: render, onModify: (v) => goModify(v, credential) }));
    const icon = $(".result-icon");
    const last = $('#steps li[data-step="done"]');
    last.textContent = view.status === "registered" ? (modifying ? "修改成功" : "登记成功") : view.status_label;
    last.classList.toggle("done", view.status === "registered");
    last.dataset.status = view.status;
    if (view.status === "registered") {
      $("#h-done").textContent = modifying ? "修改成功，已重新登记" : "登记成功";
      $("#done-lead").textContent = `可点击“打印${profile.certificate}”下载 A4 证件并打印，也可对本次登记服务进行评价。`;
    } else if (view.status === "awaiting_review" || view.status === "awaiting_proofs") {
      icon.className = "result-icon warn";
      icon.textContent = "!";
      $("#done-lead").textContent =
        view.status === "awaiting_proofs" ? "信息核验未通过，请按提示上传证明材料。" : "信息核验未通过，已转登记机构工作人员审核，审核结果将短信通知。";
    } else if (view.status === "rejected" || view.status === "incomplete") {
      icon.className = "result-icon bad";
      icon.textContent = "✕";
      $("#done-lead").textContent = view.status_label;
    }
  };
  for (let i = 0; i < 120; i++) {
    let view;
    try {
      view = await loadCase(caseId, credential);
    } catch (err) {
      mount.replaceChildren(h("div", { class: "notice bad" }, h("p", {}, err.message)));
      return;
    }
    render(view);
    if (!WAITING.has(view.status)) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// ------------------------------------------------------------------------------- start
const wanted = params.get("step");
show("notice", { focus: false, history: "replace" });
formRules();
(async () => {
  await form.ready;
  let restored = false;
  if (modifying) {
    // The couple's own form, unmasked, from the owner-only endpoint (never kept by the browser).
    try {
      const own = await get(`/v1/registrations/${encodeURIComponent(modify.caseId)}/form`, { headers: credentialHeaders(modify.credential) });
      await form.fill(own.form);
      restored = true;
    } catch (err) {
      $("#mode-notice").append(h("div", { class: "notice bad", role: "alert" }, h("p", {}, err.message)));
      formEl.hidden = true;
    }
  } else {
    const draft = drafts.get();
    if (draft && draft.profile === profile.code && draft.rebirth === rebirth && draft.body) {
      await form.fill(draft.body);
      restored = true;
    }
  }
  if (restored && wanted && RESTORABLE.has(wanted) && wanted !== "notice") {
    $("#notice-accepted").checked = true; // it was accepted to get past 登记须知
    if (wanted === "confirm") await precheck({ history: "replace" });
    else show(wanted, { focus: false, history: "replace" });
  }
  document.body.dataset.ready = "true";
})();
