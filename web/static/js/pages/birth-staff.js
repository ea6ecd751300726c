// 出生医学证明 for a medical institution's staff (issue 16; seed 003 一(一)1, 3, 4, 三(三)): entry with
// an electronic signature, the institution's births (awaiting claim first), the completeness review
// (one notice, or issue), print (the PDF link) and the stamp check of the printed QR code.
// The staff console's sign-in keeps the ID token in this tab (sessionStorage "birthreg.staff").

import { ApiError, get, post } from "../api.js";
import { $, clearErrors, fill, formatTime, h, session, showErrors, status } from "../ui.js";

const auth = session.get("birthreg.staff");
const headers = () => ({ Authorization: `Bearer ${auth.id_token}` });

function chinaIso(local) {
  return local ? `${local.length === 16 ? `${local}:00` : local}+08:00` : "";
}

$("#entry-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  clearErrors(form);
  const fatherName = $("#e-father-name").value.trim();
  const fatherId = $("#e-father-id").value.trim();
  const body = {
    institution_code: auth.staff.office_code,
    outside_institution: $("#e-outside").checked,
    newborn: {
      sex: form.sex.value || undefined,
      born_at: chinaIso($("#e-born").value),
      weight_grams: Number($("#e-weight").value) || 0,
    },
    mother: { name: $("#e-mother-name").value.trim(), id_number: $("#e-mother-id").value.trim() },
  };
  if (fatherName || fatherId) body.father = { name: fatherName, id_number: fatherId };
  try {
    const r = await post("/v1/staff/births", body, { headers: headers() });
    status($("#entry-status"), `已签名提交，登记号 ${r.birth_id}（请告知新生儿父母用于申领）${r.late ? "；出生超过24小时录入，已标记逾时" : ""}`, "ok");
    form.reset();
    list();
  } catch (err) {
    if (err instanceof ApiError) showErrors(form, err);
  }
});

async function act(row, birthId, action) {
  const line = $(".status-line", row);
  try {
    if (action === "review") {
      const r = await post(`/v1/staff/births/${birthId}/review`, undefined, { headers: headers() });
      status(line, r.result === "issuing" ? "材料齐全，正在签发…" : r.notice.text, r.result === "issuing" ? "ok" : "bad");
      if (r.result === "issuing") setTimeout(list, 2000);
    } else if (action === "print") {
      const r = await get(`/v1/staff/births/${birthId}/certificate`, { headers: headers() });
      window.open(r.download_url, "_blank", "noopener");
    } else if (action === "stamp") {
      const scanned = $("input", row).value.trim();
      const r = await post(`/v1/staff/births/${birthId}/stamp-check`, { scanned }, { headers: headers() });
      status(line, r.matches ? `核对一致，可以盖章（${r.number}）` : `核对不一致：${r.reasons.join("；")}`, r.matches ? "ok" : "bad");
      if (r.matches) setTimeout(list, 500);
    }
  } catch (err) {
    status(line, err.message, "bad");
  }
}

function rowOf(b) {
  const scanId = `scan-${b.birth_id}`;
  const row = h("tr", { "data-birth": b.birth_id, "data-status": b.status });
  const actions = h("td", {});
  if (b.status === "claimed") actions.append(h("button", { type: "button", class: "btn small", onclick: () => act(row, b.birth_id, "review") }, "审核签发"));
  if (b.status === "issued" || b.status === "stamped") {
    actions.append(
      h("button", { type: "button", class: "btn secondary small", onclick: () => act(row, b.birth_id, "print") }, "打印"),
      h("label", { for: scanId, class: "small" }, "扫描二维码内容"),
      h("input", { type: "text", id: scanId, autocomplete: "off" }),
      h("button", { type: "button", class: "btn small", onclick: () => act(row, b.birth_id, "stamp") }, "盖章核对"),
    );
  }
  actions.append(h("p", { class: "status-line", "aria-live": "polite" }));
  row.append(
    h("td", { "data-label": "登记号" }, b.birth_id),
    h("td", { "data-label": "母亲" }, b.mother_name),
    h("td", { "data-label": "出生时间" }, formatTime(b.born_at), b.late ? h("span", { class: "badge warn" }, "逾时录入") : null,
      b.started_by === "parent" ? h("span", { class: "badge" }, "医疗机构外·本人申报") : null),
    h("td", { "data-label": "状态" }, b.status_label, b.certificate_number ? ` ${b.certificate_number}` : ""),
    actions,
  );
  return row;
}

async function list() {
  const box = $("#births-list");
  try {
    const r = await get("/v1/staff/births", { headers: headers() });
    const order = { entered: 0, claimed: 1, issued: 2, stamped: 3 };
    const items = [...r.items].sort((a, b) => order[a.status] - order[b.status]);
    fill(
      box,
      items.length
        ? h("div", { class: "table-wrap" }, h("table", { class: "cards" },
            h("thead", {}, h("tr", {}, ["登记号", "母亲", "出生时间", "状态", "办理"].map((t) => h("th", { scope: "col" }, t)))),
            h("tbody", {}, items.map(rowOf))))
        : h("p", { class: "muted" }, "暂无出生记录"),
    );
  } catch (err) {
    fill(box, h("p", { class: "status-line bad" }, err.message));
  }
}

// 003 四(二)1-2: the reissue, by the issuing institution or the county department of the original
// issuer: a scan of the written application (presigned POST, checked by CheckUpload), then the
// reissue -- refused (409 REISSUE_APPLICATION_MISSING) until the scan passed the check.
const TYPES = ["application/pdf", "image/jpeg", "image/png"];
$("#reissue-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const line = $("#reissue-status");
  clearErrors(form);
  const number = $("#r-number").value.trim().toUpperCase();
  const application = $("#r-application").value.trim();
  const file = $("#r-scan").files[0];
  const problems = [];
  if (!number) problems.push({ path: "number", message: "请填写原证照编号" });
  if (!application) problems.push({ path: "application", message: "请填写书面申请内容" });
  if (!file) problems.push({ path: "scans", message: "请选择书面申请扫描件" });
  else if (!TYPES.includes(file.type) || file.size > 2 * 1024 * 1024) problems.push({ path: "scans", message: "仅支持不超过2MB的PDF、JPG、PNG文件" });
  if (problems.length) return showErrors(form, problems);
  const base = `/v1/staff/birth-certificates/${encodeURIComponent(number)}`;
  try {
    status(line, "正在上传扫描件…");
    const grant = await post(`${base}/reissue-scans`,
      { document: "REISSUE_APPLICATION", content_type: file.type, filename: file.name.slice(-100) }, { headers: headers() });
    const data = new FormData();
    for (const [k, v] of Object.entries(grant.fields)) data.append(k, v);
    data.append("file", file);
    await fetch(grant.url, { method: "POST", body: data, mode: "no-cors" });
    status(line, "已上传，正在检查扫描件…");
    const body = { application, channel: form.channel.value };
    for (let i = 0; i < 30; i++) {
      try {
        const r = await post(`${base}/reissue`, body, { headers: headers() });
        status(line, `已受理补发，原证照 ${r.replaces} 作废，新证照签发中`, "ok");
        if (!$("#births").hidden) setTimeout(list, 2000);
        return;
      } catch (err) {
        if (!(err instanceof ApiError) || err.code !== "REISSUE_APPLICATION_MISSING") throw err;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    status(line, "扫描件未通过检查（格式或内容不符），请重新上传", "bad");
  } catch (err) {
    status(line, "");
    showErrors(form, err);
  }
});

const role = auth?.staff?.role;
if (role === "medical_institution") {
  $("#entry").hidden = false;
  $("#reissue").hidden = false;
  $("#births").hidden = false;
  list();
} else if (role === "county_monitor") {
  $("#reissue").hidden = false; // 003 四(二)1: the county department reissues; it enters no births
} else {
  $("#signed-out").hidden = false;
}
document.body.dataset.ready = "true"; // the sections of this role are shown and take input
