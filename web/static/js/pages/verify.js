// 证件核验 (000 §2.5), the page behind the QR code's URL /v/{token}:
// GET /v1/verify/{token} → valid / revoked / unknown / invalid, office, date, child order (nothing
// that identifies the couple); then the full view: both ID numbers + an SMS code to a phone of the
// case → POST /v1/verify/{token}/full → masked details and a fresh PDF link.

import { ApiError, get, post } from "../api.js";
import { PROFILES, applyBranding, initLayout } from "../profile.js";
import { SmsCode, checkRequired } from "../sms.js";
import { $, clearErrors, fill, focusHeading, formatDate, formatTime, h, showErrors } from "../ui.js";

// The certificate's own province brands this page (a Chongqing certificate scanned on a fresh phone
// must not show another province's portal): no province switch, nothing from the browser's last visit.
initLayout({ fixed: true });

function brand(certificate) {
  const profile = certificate && PROFILES[certificate.profile];
  if (profile) applyBranding(profile);
}

const RESULT = {
  valid: { icon: "✓", kind: "", title: "有效", badge: "ok" },
  revoked: { icon: "✕", kind: "bad", title: "已作废", badge: "bad" },
  unknown: { icon: "?", kind: "grey", title: "未查询到", badge: "grey" },
  invalid: { icon: "!", kind: "warn", title: "无效二维码", badge: "warn" },
};

const token = decodeURIComponent(location.pathname.replace(/^\/(verify\.html|v)\/?/, "")).trim();
const box = $("#verify-result");

function facts(c, extra = [], centered = true) {
  return h(
    "dl",
    { class: centered ? "facts centered" : "facts" },
    c.title ? [h("dt", {}, "证件名称"), h("dd", {}, c.title)] : null,
    h("dt", {}, "登记编号"),
    h("dd", { "data-field": "registration_number" }, c.registration_number),
    h("dt", {}, "登记孩次"),
    h("dd", {}, c.child_order_label),
    h("dt", {}, "登记单位"),
    h("dd", {}, c.office_name),
    h("dt", {}, "登记日期"),
    h("dd", {}, formatDate(c.registration_date)),
    c.revoked_at ? [h("dt", {}, "作废时间"), h("dd", {}, formatTime(c.revoked_at))] : null,
    extra,
  );
}

function render(r, note = "本页面不显示夫妻双方的个人信息。") {
  const look = RESULT[r.result] || RESULT.invalid;
  box.dataset.result = r.result;
  brand(r.certificate);
  fill(box,
    h("div", { class: `result-icon ${look.kind}`.trim(), "aria-hidden": "true" }, look.icon),
    h("p", { class: "result-title", id: "result-title" }, "证件状态：", h("span", { class: `badge big ${look.badge}` }, look.title)),
    h("p", { class: "muted" }, r.message),
    r.certificate ? facts(r.certificate) : null,
    h("p", { class: "small muted gap-top" }, note),
  );
  box.hidden = false;
  box.removeAttribute("aria-busy");
}

async function check() {
  let r;
  if (!token) {
    // 证件核验 without a QR code: registration number + both ID numbers
    box.hidden = true;
    $("#number-view").hidden = false;
    return;
  } else {
    try {
      r = await get(`/v1/verify/${encodeURIComponent(token)}`);
    } catch (err) {
      r = err instanceof ApiError && err.status === 400 ? { result: "invalid", message: err.message, certificate: null } : null;
      if (!r) {
        box.replaceChildren(h("p", { class: "status-line bad" }, err.message));
        box.removeAttribute("aria-busy");
        return;
      }
    }
  }
  render(r);
  $("#full-view").hidden = r.result !== "valid";
}

// ------------------------------------------------------------------------------- by number
const numberForm = $("#number-form");
numberForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  clearErrors(numberForm);
  const problems = checkRequired(numberForm);
  if (problems.length) return showErrors(numberForm, problems);
  const button = $("button[type=submit]", numberForm);
  button.disabled = true;
  try {
    const r = await post("/v1/certificates/verification", {
      registration_number: $("#n-number").value.trim().toUpperCase(),
      woman_id_number: $("#n-woman-id").value.trim().toUpperCase(),
      man_id_number: $("#n-man-id").value.trim().toUpperCase(),
    });
    render(r, "夫妻双方的姓名、身份证号码和手机号码均已脱敏显示。");
    const c = r.certificate;
    if (c.woman) {
      box.append(h("dl", { class: "facts centered", id: "number-couple" }, h("dt", {}, "女方"), h("dd", {}, person(c.woman)), h("dt", {}, "男方"), h("dd", {}, person(c.man))));
    }
    box.scrollIntoView({ block: "nearest" });
    focusHeading($("#result-title"));
  } catch (err) {
    showErrors(numberForm, err);
  } finally {
    button.disabled = false;
  }
});

// ------------------------------------------------------------------------------- full view
const form = $("#full-form");
const sms = new SmsCode({
  purpose: "verify",
  form,
  prefix: "v",
  getPhone: () => {
    const problems = checkRequired($("#v-phone").closest(".field"));
    if (problems.length) {
      showErrors(form, problems);
      return "";
    }
    return $("#v-phone").value.trim();
  },
});
$("[data-sms]", form).replaceWith(sms.element);

function person(p) {
  return `${p.name}　${p.id_number}　${p.phone}`;
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  clearErrors(form);
  const problems = checkRequired(form);
  if (problems.length) return showErrors(form, problems);
  const button = $("button[type=submit]", form);
  button.disabled = true;
  try {
    const citizenToken = await sms.token();
    const r = await post(
      `/v1/verify/${encodeURIComponent(token)}/full`,
      { woman_id_number: $("#v-woman-id").value.trim().toUpperCase(), man_id_number: $("#v-man-id").value.trim().toUpperCase() },
      { headers: { "X-Citizen-Token": citizenToken } },
    );
    const c = r.certificate;
    const birth = c.birth_record;
    fill($("#full-details"),
      h(
        "div",
        { class: "notice ok" },
        h("h3", {}, "证件信息"),
        facts(c, [
          h("dt", {}, "女方"),
          h("dd", {}, person(c.woman)),
          h("dt", {}, "男方"),
          h("dd", {}, person(c.man)),
          h("dt", {}, "出生情况"),
          h("dd", {}, c.born ? `已出生${c.birth_date ? `（${c.birth_date}）` : ""}` : "未出生"),
          birth ? [h("dt", {}, "医疗机构记录"), h("dd", {}, [birth.birth_date, birth.sex_label].filter(Boolean).join(" "))] : null,
        ], false),
        h("div", { class: "actions" }, h("a", { class: "btn", href: c.download_url, download: `${c.registration_number}.pdf` }, "下载证件（PDF）")),
        h("p", { class: "small muted" }, "下载链接5分钟内有效。"),
      ),
    );
    $("#full-details").scrollIntoView({ block: "nearest" });
  } catch (err) {
    showErrors(form, err);
  } finally {
    button.disabled = false;
  }
});

check().then(() => {
  document.body.dataset.ready = "true";
});
