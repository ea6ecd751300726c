// 出生医学证明电子证照申领 (issue 16; seed 003 一(一)2, 一(二), 三(三)): a parent claims the birth
// record the midwifery institution entered -- the recorded ID numbers and an SMS code (purpose
// "birth"; no face scan) -- names the newborn and signs; then uploads the materials the claim
// needs (presigned POST, checked by CheckUpload), reads the issuer's one notice of missing
// materials, and downloads the e-licence once issued.

import { ApiError, get, post } from "../api.js";
import { PROFILES, applyBranding, initLayout } from "../profile.js";
import { SmsCode, checkRequired } from "../sms.js";
import { $, clearErrors, fill, focusHeading, formatTime, h, showErrors, status } from "../ui.js";

initLayout({ fixed: true });
applyBranding(PROFILES.guizhou);

const TYPES = ["application/pdf", "image/jpeg", "image/png"];
const MAX_BYTES = 2 * 1024 * 1024;
const form = $("#claim-form");
const params = new URLSearchParams(location.search);
if (params.get("id")) $("#b-id").value = params.get("id");

const sms = new SmsCode({ purpose: "birth", getPhone: () => $("#b-phone").value.trim(), form, prefix: "b" });
$("[data-sms]", form).replaceWith(sms.element);

for (const radio of form.querySelectorAll("input[name=claimant]")) {
  radio.addEventListener("change", () => {
    $("#father-id-field").hidden = form.claimant.value !== "father";
  });
}

const key = (id) => `birth-token:${id}`;
const headers = (token) => ({ "X-Citizen-Token": token });

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const problems = checkRequired(form);
  if (problems.length) return showErrors(form, problems);
  const birthId = $("#b-id").value.trim().toUpperCase();
  const body = {
    claimant: form.claimant.value,
    mother_id_number: $("#b-mother-id").value.trim(),
    newborn_name: $("#b-name").value.trim(),
    confirm: true,
  };
  if (body.claimant === "father") body.claimant_id_number = $("#b-claimant-id").value.trim();
  try {
    const token = await sms.token();
    const view = await post(`/v1/births/${encodeURIComponent(birthId)}/claim`, body, { headers: headers(token) });
    sessionStorage.setItem(key(birthId), token);
    show(view, token);
  } catch (err) {
    showErrors(form, err);
  }
});

function materialsBlock(view, token) {
  if (view.status !== "claimed" || !view.missing_materials?.length) return null;
  const box = h("form", { class: "uploads", novalidate: true });
  for (const group of view.missing_materials) {
    const doc = group.any_of[0];
    const id = `bm-${doc}`;
    const input = h("input", { type: "file", id, accept: ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png" });
    const line = h("p", { class: "status-line", "aria-live": "polite" });
    const button = h("button", { type: "button", class: "btn secondary small" }, "上传");
    button.addEventListener("click", () => upload(view, token, doc, input, line, box));
    box.append(
      h("div", { class: "field", "data-path": `upload.${doc}` },
        h("label", { for: id }, group.label),
        h("span", { class: "hint" }, "PDF、JPG或PNG格式，不超过2MB"),
        h("div", { class: "inline" }, input, button),
        line),
    );
  }
  return h("div", { class: "notice warn" }, h("h3", {}, "上传所需材料"), box);
}

async function upload(view, token, doc, input, line, box) {
  clearErrors(box);
  const file = input.files[0];
  if (!file) return showErrors(box, [{ path: `upload.${doc}`, message: "请选择要上传的文件" }]);
  if (!TYPES.includes(file.type)) return showErrors(box, [{ path: `upload.${doc}`, message: "仅支持PDF、JPG、PNG格式" }]);
  if (file.size > MAX_BYTES) return showErrors(box, [{ path: `upload.${doc}`, message: "文件不能超过2MB" }]);
  status(line, "正在上传…");
  try {
    const grant = await post(`/v1/births/${view.birth_id}/uploads`,
      { document: doc, content_type: file.type, filename: file.name.slice(-100) }, { headers: headers(token) });
    const data = new FormData();
    for (const [k, v] of Object.entries(grant.fields)) data.append(k, v);
    data.append("file", file);
    await fetch(grant.url, { method: "POST", body: data, mode: "no-cors" });
    status(line, "已上传，正在检查文件…");
    for (let i = 0; i < 30; i++) {
      const fresh = await get(`/v1/births/${view.birth_id}`, { headers: headers(token) });
      const entry = fresh.materials.find((m) => m.upload_id === grant.upload_id);
      if (entry && entry.status !== "pending") return show(fresh, token);
      await new Promise((r) => setTimeout(r, 500));
    }
    status(line, "文件检查尚未完成，请稍后刷新查看");
  } catch (err) {
    status(line, "");
    if (err instanceof ApiError) showErrors(box, err);
  }
}

const REASONS = { TYPE_MISMATCH: "文件内容与所选格式不符", UNSUPPORTED_TYPE: "文件格式不支持", FILE_TOO_LARGE: "文件超过2MB", EMPTY_FILE: "文件为空" };

function show(view, token) {
  $("#claim-view").hidden = true;
  const section = $("#status-view");
  section.hidden = false;
  const cert = view.certificate;
  fill(
    $("#status-body"),
    h("article", { class: "case", "data-status": view.status },
      h("dl", { class: "facts" },
        h("dt", {}, "登记号"), h("dd", {}, view.birth_id),
        h("dt", {}, "办理状态"), h("dd", { "data-field": "status" }, view.status_label),
        h("dt", {}, "新生儿"), h("dd", {}, `${view.newborn.name || ""}（${view.newborn.sex_label}）`),
        h("dt", {}, "出生时间"), h("dd", {}, formatTime(view.newborn.born_at)),
        view.outside_institution
          ? [h("dt", {}, "出生地点"), h("dd", {}, `医疗机构外出生${view.place ? `（${view.place}）` : ""}`),
             h("dt", {}, "签发机构"), h("dd", {}, view.institution_name)]
          : [h("dt", {}, "助产机构"), h("dd", {}, view.institution_name)],
        h("dt", {}, "母亲"), h("dd", {}, `${view.mother.name} ${view.mother.id_number}`),
        view.father ? [h("dt", {}, "父亲"), h("dd", {}, `${view.father.name} ${view.father.id_number}`)] : null),
      view.notice ? h("div", { class: "notice warn", role: "note" }, h("h3", {}, "签发机构一次性告知"), h("p", {}, view.notice.text)) : null,
      view.materials?.length
        ? h("ul", { class: "plain" }, view.materials.map((m) => h("li", {},
            `${m.label}（${m.filename}）：`, m.status === "accepted" ? "已通过检查" : m.status === "rejected" ? `未通过检查，${REASONS[m.reason] || ""}` : "检查中")))
        : null,
      materialsBlock(view, token),
      view.status === "claimed" && !view.missing_materials?.length
        ? h("p", { class: "status-line ok" }, "材料已齐全，等待签发机构审核签发。")
        : null,
      cert && cert.download_url
        ? h("p", { class: "actions" },
            h("a", { class: "btn", href: cert.download_url }, `下载出生医学证明（${cert.number}）`),
            h("a", { class: "btn secondary", href: new URL(cert.verify_url).pathname }, "核验证照"))
        : null),
  );
  focusHeading($("#status-title"));
}

async function resume() {
  const birthId = (params.get("id") || "").toUpperCase();
  const token = birthId && sessionStorage.getItem(key(birthId));
  if (!token) return;
  try {
    show(await get(`/v1/births/${encodeURIComponent(birthId)}`, { headers: headers(token) }), token);
  } catch {
    sessionStorage.removeItem(key(birthId));
  }
}

resume().finally(() => {
  document.body.dataset.ready = "true"; // a saved record is shown, or the forms take input
});
