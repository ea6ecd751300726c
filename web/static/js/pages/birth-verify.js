// 出生医学证明电子证照核验, the page behind the e-licence's QR URL /vb/{token} (issue 16):
// GET /v1/births/verify/{token} → valid / revoked / unknown / invalid, the number, the issuing
// institution and date; nothing that identifies the child or the parents.

import { ApiError, get } from "../api.js";
import { PROFILES, applyBranding, initLayout } from "../profile.js";
import { $, fill, formatDate, formatTime, h } from "../ui.js";

initLayout({ fixed: true });
applyBranding(PROFILES.guizhou); // the e-licence is Guizhou's (seed 003)

const RESULT = {
  valid: { icon: "✓", kind: "", title: "有效", badge: "ok" },
  revoked: { icon: "✕", kind: "bad", title: "已作废", badge: "bad" },
  unknown: { icon: "?", kind: "grey", title: "未查询到", badge: "grey" },
  invalid: { icon: "!", kind: "warn", title: "无效二维码", badge: "warn" },
};
const token = decodeURIComponent(location.pathname.replace(/^\/(birth-verify\.html|vb)\/?/, "")).trim();
const box = $("#verify-result");

async function check() {
  let r;
  try {
    r = token ? await get(`/v1/births/verify/${encodeURIComponent(token)}`) : { result: "invalid", message: "缺少二维码信息" };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 400) {
      box.replaceChildren(h("p", { class: "status-line bad" }, err.message));
      box.removeAttribute("aria-busy");
      return;
    }
    r = { result: "invalid", message: err.message };
  }
  const look = RESULT[r.result] || RESULT.invalid;
  box.dataset.result = r.result;
  fill(
    box,
    h("div", { class: `result-icon ${look.kind}`.trim(), "aria-hidden": "true" }, look.icon),
    h("p", { class: "result-title" }, "证照状态：", h("span", { class: `badge big ${look.badge}` }, look.title)),
    h("p", { class: "muted" }, r.message),
    r.number
      ? h(
          "dl",
          { class: "facts centered" },
          h("dt", {}, "证照名称"), h("dd", {}, r.title),
          h("dt", {}, "编号"), h("dd", { "data-field": "number" }, r.number),
          h("dt", {}, "签发机构"), h("dd", {}, r.issuer),
          h("dt", {}, "签发日期"), h("dd", {}, formatDate(r.issued_on)),
          r.revoked_at ? [h("dt", {}, "作废时间"), h("dd", {}, formatTime(r.revoked_at))] : null,
        )
      : null,
    h("p", { class: "small muted gap-top" }, "本页面不显示新生儿及其父母的个人信息。"),
  );
  box.removeAttribute("aria-busy");
}

check().finally(() => {
  document.body.dataset.ready = "true";
});
