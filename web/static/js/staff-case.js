// A case at the office (issue 14 item 3), for the staff console's task and on-site pages:
//   打印证书   POST /v1/staff/cases/{case_id}/certificate-prints — the couple's own e-certificate
//             (001 三(一)3 业务人员可帮助打印), every print audited and shown in the case history;
//   《登记表》 POST /v1/staff/cases/{case_id}/registration-form — a presigned POST for the signed
//             form's scan (002 五(二)5 扫描上传《登记表》…电子档案存档), then
//             GET  /v1/staff/cases/{case_id}/registration-form — the archive, each scan with a short link.

import { ApiError, postPresigned } from "./api.js";
import { clearErrors, formatTime, h, showErrors, status } from "./ui.js";

const SCAN_TYPES = ["application/pdf", "image/jpeg"];
const MAX_BYTES = 2 * 1024 * 1024;
const SCAN_STATUS = { pending: "检查中", accepted: "已存档", rejected: "未通过检查" };

/** The 打印证书 button and its status line: opens the same PDF the couple prints, the print audited. */
export function printAction(sapi, caseId, certificateName = "证书") {
  const line = h("p", { class: "status-line", "aria-live": "polite", id: "print-status" });
  const button = h("button", { type: "button", class: "btn", id: "print-certificate" }, `打印${certificateName}`);
  button.addEventListener("click", async () => {
    button.disabled = true;
    status(line, "正在生成打印链接…");
    try {
      const r = await sapi("POST", `/v1/staff/cases/${encodeURIComponent(caseId)}/certificate-prints`);
      const link = h("a", { href: r.download_url, target: "_blank", rel: "noopener", id: "print-link" }, `打开登记编号${r.registration_number}的证书（PDF）`);
      status(line, "");
      line.append(link, h("span", { class: "muted" }, `（${formatTime(r.printed_at)}，已记录打印）`));
      window.open(r.download_url, "_blank", "noopener");
    } catch (err) {
      status(line, err instanceof ApiError ? err.message : "打印失败，请重试", "bad");
    } finally {
      button.disabled = false;
    }
  });
  return [button, line];
}

/** The task page's 打印证书 card of a registered case. */
export function printButton(sapi, caseId, certificateName) {
  return h("section", { class: "card", id: "print-card" }, h("h2", {}, "打印证书"), h("p", { class: "hint" }, "为登记对象打印其电子证书（与登记对象自行打印的为同一文件）。"), ...printAction(sapi, caseId, certificateName));
}

function scanRows(scans) {
  if (!scans.length) return h("p", { class: "muted", id: "scan-empty" }, "尚未上传");
  return h(
    "ul",
    { class: "plain", id: "scan-list" },
    scans.map((s) =>
      h(
        "li",
        {},
        h("strong", {}, SCAN_STATUS[s.status] || s.status),
        " ",
        formatTime(s.at),
        " ",
        s.view_url ? h("a", { href: s.view_url, target: "_blank", rel: "noopener" }, "查看扫描件") : s.message || "",
      ),
    ),
  );
}

/** The on-site page's last step: upload the scanned, signed 《登记表》 and see the archive. */
export async function registrationFormCard(sapi, caseId) {
  const listBox = h("div", { id: "scan-archive" });
  const refresh = async () => {
    const r = await sapi("GET", `/v1/staff/cases/${encodeURIComponent(caseId)}/registration-form`);
    listBox.replaceChildren(scanRows(r.scans));
    return r.scans;
  };
  const input = h("input", { type: "file", id: "scan-file", accept: ".pdf,.jpg,.jpeg,application/pdf,image/jpeg", "data-path": "file" });
  const line = h("p", { class: "status-line", "aria-live": "polite", id: "scan-status" });
  const form = h(
    "form",
    { novalidate: true, id: "scan-form" },
    h("div", { class: "field", "data-path": "file" }, h("label", { for: input.id }, "签字的《登记表》扫描件"), h("span", { class: "hint" }, "PDF或JPG格式，不超过2MB"), input),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn secondary" }, "上传存档")),
    line,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const file = input.files[0];
    const problems = [];
    if (!file) problems.push({ path: "file", message: "请选择扫描件" });
    else if (!SCAN_TYPES.includes(file.type)) problems.push({ path: "file", message: "仅支持PDF、JPG格式" });
    else if (file.size > MAX_BYTES) problems.push({ path: "file", message: "文件不能超过2MB" });
    if (problems.length) return showErrors(form, problems);
    status(line, "正在上传…");
    try {
      const grant = await sapi("POST", `/v1/staff/cases/${encodeURIComponent(caseId)}/registration-form`, { content_type: file.type, filename: file.name.slice(-100) });
      await postPresigned(grant, file);
      status(line, "已上传，正在检查文件…");
      for (let i = 0; i < 30; i++) {
        const scans = await refresh();
        const entry = scans.find((s) => s.upload_id === grant.upload_id);
        if (entry && entry.status !== "pending") {
          const ok = entry.status === "accepted";
          return status(line, ok ? "《登记表》已存档" : `文件未通过检查：${entry.message || ""}`, ok ? "ok" : "bad");
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      status(line, "文件检查尚未完成，请稍后刷新查看");
    } catch (err) {
      status(line, "");
      showErrors(form, err instanceof ApiError ? err : { message: "上传失败，请重试" });
    }
  });
  await refresh();
  return h("section", { class: "card", id: "scan-card" }, h("h2", {}, "上传签字的《登记表》"), h("p", { class: "hint" }, "登记对象现场填写并签字承诺的《登记表》，扫描后上传，作为电子档案存档。"), form, h("h3", {}, "已存档"), listBox);
}
