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
    h("td", { "data-label": "出生时间" }, formatTime(b.born_at), b.late ? h("span", { class: "badge warn" }, "逾时录入") : null),
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

if (!auth || auth.staff?.role !== "medical_institution") {
  $("#signed-out").hidden = false;
} else {
  $("#entry").hidden = false;
  $("#births").hidden = false;
  list();
}
