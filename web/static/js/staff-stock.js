// 纸质生育服务证库存 (001 三(一)4, 三(二)2): the county takes printed ranges in (入库), distributes them to
// its townships (派发/调配) and sees their requests; a township acknowledges receipt (领取), writes off
// spoiled blanks (报废), sets its warning threshold and asks for an allocation (申请调配). The API
// keeps every balance non-negative and audits each movement; this page shows them.
//   GET  /v1/staff/paper-stock/{office}                              balances, ranges, shipments, requests, movements
//   POST …/intake {kind, first, last}   …/distributions {to_office, first, last}
//   POST …/shipments/{id}/receipt       …/write-offs {number, reason}
//   PUT  …/threshold {kind, threshold}  POST …/requests {kind, count, note?}
//   POST /v1/staff/cases/{case_id}/paper-certificate {number, issued_on}   发放: consumes one blank

import { childrenOf } from "./regions.js";
import { dataTable } from "./staff-ui.js";
import { $, chinaToday, clearErrors, formatTime, h, showErrors } from "./ui.js";

const KINDS = { first: "一孩生育服务证", second: "二孩生育服务证" };
const ACTIONS = {
  "stock.intake": "入库",
  "stock.distributed": "派发",
  "stock.shipped": "派发（待领取）",
  "stock.received": "领取",
  "stock.written_off": "报废",
  "stock.threshold": "设置预警数量",
  "stock.requested": "申请调配",
  "stock.request_fulfilled": "调配完成",
};
const STATUS = { pending: ["待领取", "warn"], received: ["已领取", "ok"], open: ["待处理", "warn"], fulfilled: ["已调配", "ok"] };

const badge = (status) => {
  const [label, kind] = STATUS[status] || [status || "—", "grey"];
  return h("span", { class: `badge ${kind}` }, label);
};

const table = (id, caption, head, rows, empty) => dataTable(id, caption, head, rows, { empty });

const cells = (head, values) => values.map((v, i) => h("td", { "data-th": head[i] }, v ?? "—"));

function kindSelect(id) {
  return h("select", { id, "data-path": "kind" }, Object.entries(KINDS).map(([v, l]) => h("option", { value: v }, l)));
}

const input = (id, path, attrs = {}) => h("input", { type: "text", id, "data-path": path, autocomplete: "off", ...attrs });
const field = (id, label, control) => h("div", { class: "field" }, h("label", { for: id }, label), control);

/** A small form posting ``body()`` to ``path``; on success the view reloads with ``done``. */
function actionForm({ id, title, hint, fields, button, method = "POST", path, body, sapi, reload, done }) {
  const form = h(
    "form",
    { class: "card", id, novalidate: true },
    h("h2", {}, title),
    hint ? h("p", { class: "hint" }, hint) : null,
    h("div", { class: "grid" }, fields),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn" }, button)),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      await sapi(method, typeof path === "function" ? path() : path, body());
      await reload(done);
    } catch (err) {
      showErrors(form, err);
    }
  });
  return form;
}

export async function stockView(ctx) {
  const { auth, sapi, view } = ctx;
  const s = auth.staff;
  const county = s.role === "county_monitor";
  if (!county && s.role !== "township_operator") {
    return view("纸质证件", h("div", { class: "notice" }, h("p", {}, "纸质生育服务证由县级和乡级机构管理。")));
  }
  const office = s.unit_code;
  const base = `/v1/staff/paper-stock/${encodeURIComponent(office)}`;
  const r = await sapi("GET", base);
  const reload = async (message) => {
    await stockView(ctx);
    if (message) $("#stock-balances")?.before(h("div", { class: "notice ok", role: "status", id: "stock-done" }, h("p", {}, message)));
  };
  const common = { sapi, reload };
  const balanceHead = ["种类", "库存", "预警数量", "状态"];
  const balances = r.kinds.map((k) =>
    h(
      "tr",
      { "data-kind": k.kind },
      cells(balanceHead, [k.kind_label, String(k.balance), String(k.threshold), k.below_threshold ? h("span", { class: "badge bad" }, "低于预警") : h("span", { class: "badge ok" }, "充足")]),
    ),
  );
  const rangeHead = ["种类", "起始编号", "截止编号", "份数"];
  const ranges = r.ranges.map((x) => h("tr", {}, cells(rangeHead, [x.kind_label, x.first, x.last, String(x.count)])));
  const shipHead = county ? ["派发至", "种类", "编号段", "份数", "时间", "状态"] : ["种类", "编号段", "份数", "派发时间", "状态", "操作"];
  const shipments = r.shipments.map((x) =>
    h(
      "tr",
      { "data-shipment": x.shipment_id },
      county
        ? cells(shipHead, [x.to_office || x.id, x.kind_label, `${x.first}–${x.last}`, String(x.count), formatTime(x.at), badge(x.status)])
        : cells(shipHead, [
            x.kind_label,
            `${x.first}–${x.last}`,
            String(x.count),
            formatTime(x.at),
            badge(x.status),
            x.status === "pending"
              ? h(
                  "button",
                  {
                    type: "button",
                    class: "btn small",
                    onclick: async (e) => {
                      e.target.disabled = true;
                      try {
                        await sapi("POST", `${base}/shipments/${encodeURIComponent(x.shipment_id)}/receipt`, {});
                        await reload(`已领取 ${x.first}–${x.last}（${x.count}份）`);
                      } catch (err) {
                        e.target.disabled = false;
                        showErrors($("#stock-shipments-card"), err);
                      }
                    },
                  },
                  "确认领取",
                )
              : "—",
          ]),
    ),
  );
  const reqHead = county ? ["申请机构", "种类", "份数", "说明", "时间", "状态", "操作"] : ["种类", "份数", "说明", "时间", "状态"];
  const requests = r.requests.map((x) =>
    h(
      "tr",
      { "data-request": x.township },
      county
        ? cells(reqHead, [
            x.township_name,
            x.kind_label,
            String(x.count),
            x.note,
            formatTime(x.at),
            badge(x.status),
            x.status === "open"
              ? h(
                  "button",
                  {
                    type: "button",
                    class: "btn small secondary",
                    onclick: () => {
                      $("#dist-to").value = x.township;
                      $("#dist-first").focus();
                    },
                  },
                  "按申请派发",
                )
              : "—",
          ])
        : cells(reqHead, [x.kind_label, String(x.count), x.note, formatTime(x.at), badge(x.status)]),
    ),
  );
  const moveHead = ["时间", "操作", "内容", "经办人"];
  const movements = r.movements.map((m) => {
    const a = m.after || {};
    const what = [a.kind_label || KINDS[a.kind], a.first && `${a.first}–${a.last}`, a.count && `${a.count}份`, a.number, a.reason || a.note, a.threshold !== undefined && `预警${a.threshold}份`]
      .filter(Boolean)
      .join("　");
    return h("tr", {}, cells(moveHead, [formatTime(m.at), ACTIONS[m.action] || m.action, what, m.actor]));
  });

  let forms;
  if (county) {
    const townships = await childrenOf(office).catch(() => []);
    forms = [
      actionForm({
        ...common,
        id: "stock-intake",
        title: "入库",
        hint: "省统一印制的空白证件按编号段入库。",
        fields: [field("intake-kind", "种类", kindSelect("intake-kind")), field("intake-first", "起始编号", input("intake-first", "first", { inputmode: "numeric" })), field("intake-last", "截止编号", input("intake-last", "last", { inputmode: "numeric" }))],
        button: "入库",
        path: `${base}/intake`,
        body: () => ({ kind: $("#intake-kind").value, first: $("#intake-first").value.trim(), last: $("#intake-last").value.trim() }),
        done: "已入库",
      }),
      actionForm({
        ...common,
        id: "stock-distribute",
        title: "派发 / 调配",
        hint: "从本县库存中按编号段派发给乡镇（街道），对方确认领取后计入其库存；有待处理的调配申请时同时办结。",
        fields: [
          field("dist-to", "接收机构", h("select", { id: "dist-to", "data-path": "to_office" }, townships.map((t) => h("option", { value: t.code }, t.name)))),
          field("dist-first", "起始编号", input("dist-first", "first", { inputmode: "numeric" })),
          field("dist-last", "截止编号", input("dist-last", "last", { inputmode: "numeric" })),
        ],
        button: "派发",
        path: `${base}/distributions`,
        body: () => ({ to_office: $("#dist-to").value, first: $("#dist-first").value.trim(), last: $("#dist-last").value.trim() }),
        done: "已派发，待乡镇（街道）确认领取",
      }),
    ];
  } else {
    forms = [
      actionForm({
        ...common,
        id: "stock-issue",
        title: "发放纸质生育服务证",
        hint: "向已完成生育登记的夫妇发放本机构已领取的空白证件（一孩、二孩按登记孩次），发放信息记入办件并从库存中扣减。",
        fields: [
          field("issue-case", "办件号", input("issue-case", "case_id", { value: new URLSearchParams(location.search).get("case") || "" })),
          field("issue-number", "证件编号", input("issue-number", "number", { inputmode: "numeric" })),
          field("issue-date", "发放日期", h("input", { type: "date", id: "issue-date", "data-path": "issued_on", value: chinaToday(), max: chinaToday() })),
        ],
        button: "发放",
        path: () => `/v1/staff/cases/${encodeURIComponent($("#issue-case").value.trim())}/paper-certificate`,
        body: () => ({ number: $("#issue-number").value.trim(), issued_on: $("#issue-date").value }),
        done: "已发放并记入办件",
      }),
      actionForm({
        ...common,
        id: "stock-request",
        title: "申请调配",
        hint: "库存低于本机构设定的预警数量时，可向县级机构申请调配。",
        fields: [field("request-kind", "种类", kindSelect("request-kind")), field("request-count", "申请份数", input("request-count", "count", { inputmode: "numeric" })), field("request-note", "说明（选填）", input("request-note", "note", { maxlength: "200" }))],
        button: "提交申请",
        path: `${base}/requests`,
        body: () => {
          const body = { kind: $("#request-kind").value, count: Number($("#request-count").value) || 0 };
          if ($("#request-note").value.trim()) body.note = $("#request-note").value.trim();
          return body;
        },
        done: "调配申请已提交",
      }),
      actionForm({
        ...common,
        id: "stock-threshold",
        title: "预警数量",
        fields: [field("threshold-kind", "种类", kindSelect("threshold-kind")), field("threshold-value", "低于多少份时预警", input("threshold-value", "threshold", { inputmode: "numeric" }))],
        button: "保存",
        method: "PUT",
        path: `${base}/threshold`,
        body: () => ({ kind: $("#threshold-kind").value, threshold: Number($("#threshold-value").value) }),
        done: "预警数量已保存",
      }),
      actionForm({
        ...common,
        id: "stock-write-off",
        title: "报废",
        hint: "填写错误、污损的空白证件逐份报废，须写明原因。",
        fields: [field("writeoff-number", "证件编号", input("writeoff-number", "number", { inputmode: "numeric" })), field("writeoff-reason", "报废原因", input("writeoff-reason", "reason", { maxlength: "200" }))],
        button: "报废",
        path: `${base}/write-offs`,
        body: () => ({ number: $("#writeoff-number").value.trim(), reason: $("#writeoff-reason").value.trim() }),
        done: "已报废",
      }),
    ];
  }
  view(
    "纸质证件",
    h("p", { class: "lead" }, `${r.office_name}的纸质生育服务证库存`),
    h("section", { class: "card", id: "stock-balances" }, table("stock-kinds", "库存", balanceHead, balances, "暂无库存")),
    county ? null : h("section", { class: "card", id: "stock-shipments-card" }, table("stock-shipments", "县级派发（待领取与已领取）", shipHead, shipments, "暂无派发记录")),
    h("section", { class: "card" }, table("stock-requests", county ? "乡镇（街道）调配申请" : "本机构的调配申请", reqHead, requests, "暂无申请")),
    forms,
    h("section", { class: "card" }, table("stock-ranges", "在库编号段", rangeHead, ranges, "暂无在库编号段")),
    h("section", { class: "card" }, table("stock-movements", "出入库记录（最近50条）", moveHead, movements, "暂无记录")),
  );
}
