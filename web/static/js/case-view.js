// A citizen's case as GET /v1/registrations/{case_id} returns it (services/registration.citizen_view):
// status and history, masked personal data, the certificate (PDF link), requested proof uploads,
// the actions allowed (modify once / supplement, upload, rate) and the rating (好差评).

import { ApiError, credentialHeaders, get, post, postPresigned } from "./api.js";
import { PROFILES } from "./profile.js";
import { clearErrors, fill, formatTime, h, showErrors, status, statusBadge } from "./ui.js";

const MAX_BYTES = 2 * 1024 * 1024; // 000 §2.3.5 "上传的附件不超过2M"
const TYPES = ["application/pdf", "image/jpeg", "image/png"];
const SCORE_LABELS = { 1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意" };
const UPLOAD_STATUS = { pending: "检查中", accepted: "已通过", rejected: "未通过", expired: "已过期" };
const VIEW_LABELS = { public: "扫码核验", full: "完整信息核验", status: "按编号查询", staff: "机构查验" };

export async function loadCase(caseId, credential) {
  return get(`/v1/registrations/${encodeURIComponent(caseId)}`, { headers: credentialHeaders(credential) });
}

/** Start the PDF download (a presigned link valid 5 minutes, fetched fresh when we can). */
export async function downloadCertificate(view, credential) {
  let url = view.certificate?.download_url;
  if (credential) url = (await loadCase(view.case_id, credential)).certificate?.download_url || url;
  if (!url) return;
  const a = h("a", { href: url, download: `${view.certificate.registration_number}.pdf`, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
}

function person(p) {
  return p ? `${p.name}　${p.id_number}　${p.phone}` : "";
}

function lastNote(view) {
  const notes = (view.history || []).filter((e) => e.note);
  return notes.length ? notes[notes.length - 1].note : "";
}

/** The case's own province (a phone query may list cases of several provinces). */
function provinceOf(view) {
  return PROFILES[view.profile] || { name: view.profile || "", certificate: "生育登记证件", validity: "" };
}

function stateNotice(view) {
  const note = lastNote(view);
  const words = provinceOf(view);
  switch (view.status) {
    case "submitted":
    case "checking":
      return h("div", { class: "notice" }, h("p", {}, "系统正在核验公安、民政及人口信息，请稍候…"));
    case "awaiting_review":
      return h("div", { class: "notice warn" }, h("p", {}, h("strong", {}, "已转工作人员审核。"), note ? ` ${note}` : ""));
    case "awaiting_proofs":
      return h("div", { class: "notice warn" }, h("p", {}, h("strong", {}, "请补充上传证明材料。"), note ? ` ${note}` : ""));
    case "onsite_verification":
      // 002 五(一)5 "或到登记机构现场核实办理": the note names the office, its address and hours
      return h("div", { class: "notice warn" }, h("p", {}, h("strong", {}, "请到登记机构现场核实。"), note ? ` ${note}` : ""));
    case "registered":
      return h("div", { class: "notice ok" }, h("p", {}, h("strong", {}, "登记成功。"), ` 可打印${words.certificate}。${words.validity ? `${words.validity}。` : ""}`));
    case "rejected":
      return h("div", { class: "notice bad" }, h("p", {}, h("strong", {}, "未予登记。"), note ? ` 原因：${note}` : ""));
    case "incomplete":
      return h("div", { class: "notice bad" }, h("p", {}, note || "材料未按期补充，已终止办理，可重新登记或到现场办理。"));
    case "needs_attention":
      return h("div", { class: "notice warn" }, h("p", {}, "办理过程出现异常，工作人员正在跟进处理，请稍后查询。"));
    default:
      return null;
  }
}

function checkBlock(view) {
  const mismatches = view.check?.mismatches || [];
  if (!mismatches.length || view.status === "registered") return null;
  return h(
    "div",
    {},
    h("h4", {}, "信息核验未通过的原因"),
    h("ul", { class: "small" }, mismatches.map((m) => h("li", {}, m.message))),
  );
}

function timeline(view) {
  return h(
    "div",
    {},
    h("h4", {}, "办理进度"),
    h(
      "ol",
      { class: "timeline" },
      (view.history || []).map((e) =>
        h("li", {}, h("strong", {}, e.status_label), h("time", { datetime: e.at }, formatTime(e.at)), e.note ? h("span", { class: "note" }, e.note) : null),
      ),
    ),
  );
}

function certificateBlock(view, credential) {
  const c = view.certificate;
  if (!c) return null;
  const word = provinceOf(view).certificate;
  const statusEl = h("p", { class: "status-line", "aria-live": "polite" });
  const button = h(
    "button",
    {
      type: "button",
      class: "btn",
      "data-action": "download",
      onclick: async () => {
        status(statusEl, "正在生成下载链接…");
        try {
          await downloadCertificate(view, credential);
          status(statusEl, "已开始下载，可用PDF阅读器打开后在A4纸上打印", "ok");
        } catch (err) {
          status(statusEl, err.message, "bad");
        }
      },
    },
    `打印${word}`,
  );
  return h(
    "div",
    { class: "notice ok certificate" },
    h("h4", {}, word),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "登记编号"),
      h("dd", { "data-field": "registration_number" }, c.registration_number),
      h("dt", {}, "版本"),
      h("dd", {}, `第${c.version}版`),
      h("dt", {}, "签发时间"),
      h("dd", {}, formatTime(c.issued_at)),
    ),
    h("div", { class: "actions tight" }, button),
    statusEl,
  );
}

function uploadBlock(view, credential, onRefresh) {
  const wanted = view.actions?.upload || [];
  if (!wanted.length || !credential) return null;
  const labels = Object.fromEntries((view.proofs?.requested || []).map((p) => [p.document, p.label]));
  const form = h("form", { class: "uploads", novalidate: true });
  const rows = wanted.map((doc) => {
    const id = `up-${view.case_id}-${doc}`;
    const input = h("input", { type: "file", id, accept: ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png", "data-path": "document" });
    const line = h("p", { class: "status-line", "aria-live": "polite" });
    const field = h(
      "div",
      { class: "field", "data-path": `upload.${doc}` },
      h("label", { for: id }, labels[doc] || doc),
      h("span", { class: "hint" }, "PDF、JPG或PNG格式，不超过2MB"),
      h(
        "div",
        { class: "inline" },
        input,
        h("button", { type: "button", class: "btn secondary small", onclick: () => upload(doc, input, line, field) }, "上传"),
      ),
      line,
    );
    return field;
  });
  async function upload(doc, input, line, field) {
    clearErrors(form);
    const file = input.files[0];
    const problems = [];
    if (!file) problems.push({ path: `upload.${doc}`, message: "请选择要上传的文件" });
    else if (!TYPES.includes(file.type)) problems.push({ path: `upload.${doc}`, message: "仅支持PDF、JPG、PNG格式" });
    else if (file.size > MAX_BYTES) problems.push({ path: `upload.${doc}`, message: "文件不能超过2MB" });
    if (problems.length) return showErrors(form, problems);
    status(line, "正在上传…");
    try {
      const grant = await post(
        `/v1/registrations/${encodeURIComponent(view.case_id)}/uploads`,
        { document: doc, content_type: file.type, filename: file.name.slice(-100) },
        { headers: credentialHeaders(credential) },
      );
      await postPresigned(grant, file);
      status(line, "已上传，正在检查文件…");
      for (let i = 0; i < 30; i++) {
        const fresh = await loadCase(view.case_id, credential);
        const entry = (fresh.proofs?.uploads || []).find((u) => u.upload_id === grant.upload_id);
        if (entry && entry.status !== "pending") {
          const accepted = entry.status === "accepted";
          status(line, accepted ? "文件已通过检查" : `文件未通过检查：${entry.message || ""}`, accepted ? "ok" : "bad");
          let latest = fresh;
          // Once every requested document is in, the workflow moves on (to staff review): follow it.
          const allIn = !(latest.actions?.upload || []).length;
          for (let j = 0; accepted && allIn && j < 20 && latest.status === view.status; j++) {
            await new Promise((r) => setTimeout(r, 500));
            latest = await loadCase(view.case_id, credential);
          }
          if (onRefresh) onRefresh(latest);
          return;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      status(line, "文件检查尚未完成，请稍后刷新查看");
    } catch (err) {
      status(line, "");
      if (err instanceof ApiError) {
        err.details = err.details.map((d) => ({ ...d, path: d.path ? `upload.${doc}` : "" }));
        showErrors(form, err);
      } else status(line, "上传失败，请重试", "bad");
    }
  }
  form.append(...rows);
  const done = (view.proofs?.uploads || []).filter((u) => u.status !== "pending");
  return h(
    "div",
    { class: "notice warn" },
    h("h4", {}, "上传证明材料"),
    form,
    done.length
      ? h("ul", { class: "small doc-list" }, done.map((u) => h("li", {}, `${labels[u.document] || u.document}：${UPLOAD_STATUS[u.status] || u.status}${u.message ? `（${u.message}）` : ""}`)))
      : null,
  );
}

function ratingBlock(view, credential, onRefresh) {
  if (view.rating) {
    const r = view.rating;
    return h(
      "div",
      { class: "rating-done" },
      h("h4", {}, "服务评价"),
      h("p", {}, h("span", { class: "stars", "aria-hidden": "true" }, "★".repeat(r.score) + "☆".repeat(5 - r.score)), ` ${r.score}分 ${SCORE_LABELS[r.score]}`, r.comment ? `：${r.comment}` : ""),
    );
  }
  if (!view.actions?.rate || !credential) return null;
  const name = `score-${view.case_id}`;
  const chosen = h("span", { class: "muted small", "aria-live": "polite" });
  const stars = h("div", { class: "rating", role: "radiogroup", "aria-labelledby": `${name}-label` });
  for (let s = 5; s >= 1; s--) {
    const id = `${name}-${s}`;
    const input = h("input", { type: "radio", name, id, value: String(s), onchange: () => (chosen.textContent = `${s}分 ${SCORE_LABELS[s]}`) });
    stars.append(input, h("label", { for: id, title: `${s}分 ${SCORE_LABELS[s]}` }, h("span", { "aria-hidden": "true" }, "★"), h("span", { class: "visually-hidden" }, `${s}分 ${SCORE_LABELS[s]}`)));
  }
  const comment = h("textarea", { id: `${name}-comment`, "data-path": "comment", maxlength: "200", rows: "3" });
  const line = h("p", { class: "status-line", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "rating-form", novalidate: true },
    h("h4", {}, "评价（好差评）"),
    h("div", { class: "field", "data-path": "score" }, h("span", { class: "label", id: `${name}-label` }, "请对本次登记服务评分"), h("div", { class: "inline center" }, stars, chosen)),
    h("div", { class: "field" }, h("label", { for: comment.id }, "意见和建议", h("span", { class: "muted small" }, "（选填，200字以内）")), comment),
    h("div", { class: "actions tight" }, h("button", { type: "submit", class: "btn secondary" }, "提交评价")),
    line,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const picked = form.querySelector(`input[name="${name}"]:checked`);
    if (!picked) return showErrors(form, [{ path: "score", message: "请选择评分" }]);
    try {
      await post(
        `/v1/registrations/${encodeURIComponent(view.case_id)}/rating`,
        { score: Number(picked.value), comment: comment.value.trim() || null },
        { headers: credentialHeaders(credential) },
      );
      clearErrors(form);
      status(line, "感谢您的评价！", "ok");
      if (onRefresh) onRefresh(await loadCase(view.case_id, credential));
    } catch (err) {
      showErrors(form, err);
    }
  });
  return form;
}

function verificationsBlock(view, credential) {
  if (!view.certificate || credential?.type !== "code") return null;
  const out = h("div", { "aria-live": "polite" });
  const button = h(
    "button",
    {
      type: "button",
      class: "btn link",
      onclick: async () => {
        try {
          const r = await get(`/v1/registrations/${encodeURIComponent(view.case_id)}/verifications`, { headers: credentialHeaders(credential) });
          const rows = r.verifications || [];
          out.replaceChildren(
            rows.length
              ? h(
                  "div",
                  { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "表格（可左右滚动）" },
                  h(
                    "table",
                    {},
                    h("caption", {}, "证件核验记录"),
                    h("thead", {}, h("tr", {}, h("th", {}, "时间"), h("th", {}, "方式"), h("th", {}, "核验方"), h("th", {}, "结果"))),
                    h(
                      "tbody",
                      {},
                      rows.map((v) =>
                        h(
                          "tr",
                          {},
                          h("td", {}, formatTime(v.at)),
                          h("td", {}, VIEW_LABELS[v.view] || v.view),
                          h("td", {}, v.who_type === "public" ? "公众扫码" : v.who_type === "staff" ? `机构（${v.who}）` : v.who),
                          h("td", {}, v.outcome === "shown" ? "已查看" : "信息不符"),
                        ),
                      ),
                    ),
                  ),
                )
              : h("p", { class: "muted" }, "暂无核验记录"),
          );
        } catch (err) {
          out.replaceChildren(h("p", { class: "status-line bad" }, err.message));
        }
      },
    },
    "查看证件核验记录",
  );
  return h("div", {}, button, out);
}

/**
 * @param {object} view       the citizen view of the case
 * @param {object} o
 * @param {object} o.credential {type: "code"|"token", value} — what lets this browser act on the case
 * @param {function} o.onRefresh  called with a fresh view after an action
 * @param {function} o.onModify   called when the citizen chooses 修改登记信息
 * @param {function} o.needCode   called when an action needs the query code this browser lacks
 */
export function renderCase(view, { credential = null, onRefresh, onModify, needCode } = {}) {
  const ev = view.evaluation || {};
  const article = h("article", { class: "card case", "data-case-id": view.case_id, "data-status": view.status });
  const modify =
    view.actions?.modify && credential && onModify
      ? h(
          "button",
          { type: "button", class: "btn secondary", "data-action": "modify", onclick: () => onModify(view) },
          view.profile === "guizhou" ? "补充完善登记信息" : "修改登记信息",
        )
      : null;
  const codeNeeded =
    !credential && needCode && (view.actions?.modify || view.actions?.rate || (view.actions?.upload || []).length)
      ? h("button", { type: "button", class: "btn link", onclick: () => needCode(view) }, "输入查询码以修改、上传材料或评价")
      : null;
  fill(
    article,
    h(
      "div",
      { class: "card-title" },
      h("h3", {}, "办件号 ", h("span", { "data-field": "case_id" }, view.case_id)),
      h("span", { class: "badge province", "data-field": "province" }, provinceOf(view).name),
      statusBadge(view.status, view.status_label),
    ),
    stateNotice(view),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "女方"),
      h("dd", {}, person(view.woman)),
      h("dt", {}, "男方"),
      h("dd", {}, person(view.man)),
      ev.jurisdiction?.office_name ? [h("dt", {}, "登记机构"), h("dd", {}, ev.jurisdiction.office_name)] : null,
      ev.child_order ? [h("dt", {}, "登记孩次"), h("dd", {}, ev.child_order.registration_label)] : null,
      h("dt", {}, "提交时间"),
      h("dd", {}, formatTime(view.created_at)),
      view.modifications ? [h("dt", {}, "修改次数"), h("dd", {}, `已修改${view.modifications}次`)] : null,
    ),
    checkBlock(view),
    certificateBlock(view, credential),
    uploadBlock(view, credential, onRefresh),
    timeline(view),
    ratingBlock(view, credential, onRefresh),
    verificationsBlock(view, credential),
    modify || codeNeeded ? h("div", { class: "actions" }, modify, codeNeeded) : null,
  );
  return article;
}
