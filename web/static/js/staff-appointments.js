// 三孩预约 at the office (000 §2.1 特殊情形再生育预约): the day's appointments of the operator's
// township, confirming one (the couple gets an SMS), marking a no-show once its slot has started,
// and starting the on-site registration from it (/staff/onsite?appointment=…: the couple pre-filled,
// the case and the appointment linked by the API).
//   GET  /v1/staff/appointments?date=YYYY-MM-DD
//   POST /v1/staff/appointments/{number}/confirmation | /no-show
//   GET  /v1/staff/appointments/{number}           (pre-fill)
//   POST /v1/staff/appointments/{number}/registration {RegistrationForm}

import { dataTable } from "./staff-ui.js";
import { $, chinaToday, h, showErrors } from "./ui.js";

const STATUS_KIND = { booked: "warn", confirmed: "ok", registered: "ok", cancelled: "grey", no_show: "bad" };
const HEAD = ["预约号", "时段", "女方", "男方", "联系电话", "状态", "操作"];

export async function appointmentsView(ctx, { day = chinaToday(), message = "" } = {}) {
  const { auth, sapi, view } = ctx;
  if (auth.staff.role !== "township_operator") {
    return view("三孩预约", h("div", { class: "notice" }, h("p", {}, "三孩预约由乡镇（街道）业务操作员办理。")));
  }
  const r = await sapi("GET", `/v1/staff/appointments?date=${encodeURIComponent(day)}`);
  const reload = (text) => appointmentsView(ctx, { day, message: text });
  const act = (number, action, done) => async (e) => {
    e.target.disabled = true;
    try {
      await sapi("POST", `/v1/staff/appointments/${encodeURIComponent(number)}/${action}`, {});
      await reload(done);
    } catch (err) {
      e.target.disabled = false;
      showErrors($("#appointments-card"), err);
    }
  };
  const rows = r.appointments.map((a) => {
    const active = a.status === "booked" || a.status === "confirmed";
    const actions = [
      a.status === "booked" ? h("button", { type: "button", class: "btn small", onclick: act(a.appointment_number, "confirmation", `已确认预约 ${a.appointment_number}，短信已发送`) }, "确认") : null,
      active ? h("a", { class: "btn small secondary", href: `/staff/onsite?appointment=${encodeURIComponent(a.appointment_number)}`, "data-link": true }, "现场登记") : null,
      active ? h("button", { type: "button", class: "btn small link", onclick: act(a.appointment_number, "no-show", `预约 ${a.appointment_number} 已标记为未到场`) }, "未到场") : null,
      a.case_id ? h("span", {}, `办件号 ${a.case_id}`) : null,
    ];
    const values = [
      a.appointment_number,
      `${a.start}–${a.end}`,
      `${a.woman.name} ${a.woman.id_number}`,
      `${a.man.name} ${a.man.id_number}`,
      a.phone,
      h("span", { class: `badge ${STATUS_KIND[a.status] || "grey"}` }, a.status_label),
      h("div", { class: "inline" }, actions),
    ];
    return h("tr", { "data-appointment": a.appointment_number }, values.map((v, i) => h("td", { "data-th": HEAD[i] }, v)));
  });
  const dayInput = h("input", { type: "date", id: "appointments-day", value: r.date });
  const picker = h(
    "form",
    { class: "inline", onsubmit: (e) => (e.preventDefault(), appointmentsView(ctx, { day: dayInput.value || chinaToday() })) },
    h("label", { for: dayInput.id }, "预约日期"),
    dayInput,
    h("button", { type: "submit", class: "btn secondary" }, "查看"),
  );
  view(
    "三孩预约",
    h("p", { class: "lead" }, "特殊情形再生育预约（三孩预约）：本机构当日的预约，确认后以短信通知登记对象；到场后从预约开始现场登记。"),
    message ? h("div", { class: "notice ok", role: "status", id: "appointments-done" }, h("p", {}, message)) : null,
    h(
      "section",
      { class: "card", id: "appointments-card" },
      picker,
      dataTable("appointments-table", `${r.date} 的预约`, HEAD, rows, { empty: "当日没有预约" }),
    ),
  );
}

/** The on-site form pre-filled from an appointment: ``{number, body}`` or null. */
export async function appointmentPrefill(sapi, number) {
  if (!number) return null;
  const a = await sapi("GET", `/v1/staff/appointments/${encodeURIComponent(number)}`);
  return { number: a.appointment_number, label: `三孩预约 ${a.appointment_number}（${a.date} ${a.start}）`, body: { woman: a.woman, man: a.man } };
}
