// 特殊情形再生育预约（三孩预约） (000 §2.1): pick a township office (the woman's hukou township is
// the responsible one; any township of the province may be chosen) → a day and slot from its
// published capacity (GET /v1/appointment-slots) → both spouses → phone + SMS code (purpose
// "appointment") → POST /v1/appointments. The number arrives by SMS; with it and a new code for the
// same phone the appointment is viewed and cancelled.

import { ApiError, get, post } from "../api.js";
import { initLayout } from "../profile.js";
import { RegionPicker } from "../regions.js";
import { SmsCode, checkRequired } from "../sms.js";
import { $, clearErrors, confirmDialog, focusHeading, h, showErrors, status } from "../ui.js";

const profile = initLayout();
$("#not-offered").hidden = profile.code === "sichuan";

// The API's paths for the day and the slot both land on the slot choice.
const onSlots = (err) => {
  if (err instanceof ApiError) err.details = err.details.map((d) => (d.path === "date" ? { ...d, path: "start" } : d));
  return err;
};

// ------------------------------------------------------------------------------- booking
const bookForm = $("#book-form");
const slotsBox = $("#slots");
const slotsHint = $("#slots-hint");
const picker = new RegionPicker({
  path: "office_code",
  legend: "登记机构（乡、镇、街道）",
  finest: "township",
  coarsest: "township",
  hint: "一般由女方户籍地的乡（镇、街道）负责，也可选择本省其他乡（镇、街道）登记机构",
  defaultProvince: "51",
  id: "a-office",
});
$("[data-office]", bookForm).replaceWith(picker.element);

function slotLabel(s) {
  return `${s.start}–${s.end}（${s.free > 0 ? `剩余${s.free}个` : "已约满"}）`;
}

async function loadSlots(office) {
  slotsBox.replaceChildren();
  if (!office || office.length !== 9) {
    slotsHint.textContent = "请先选择登记机构（乡、镇、街道）。";
    return;
  }
  slotsHint.textContent = "正在读取可预约时段…";
  try {
    const r = await get(`/v1/appointment-slots?office=${encodeURIComponent(office)}&days=14`);
    const days = r.days.filter((d) => d.slots.some((s) => s.free > 0));
    slotsHint.textContent = days.length
      ? `${r.office.name || r.office.region_name}${r.office.address ? `（${r.office.address}）` : ""}：请选择日期和时段（节假日不预约）。`
      : "该机构近期没有可预约的时段，请选择其他登记机构。";
    for (const d of days) {
      const legendId = `day-${d.date}`;
      slotsBox.append(
        h(
          "div",
          { class: "slot-day", role: "radiogroup", "aria-labelledby": legendId },
          h("p", { class: "slot-date", id: legendId }, d.date),
          ...d.slots.map((s) => {
            const id = `slot-${d.date}-${s.start.replace(":", "")}`;
            return h(
              "label",
              { class: "slot", for: id },
              h("input", { type: "radio", name: "slot", id, value: `${d.date} ${s.start}`, disabled: s.free <= 0, "data-path": "start" }),
              ` ${slotLabel(s)}`,
            );
          }),
        ),
      );
    }
  } catch (err) {
    slotsHint.textContent = "";
    showErrors(bookForm, err);
  }
}
picker.element.addEventListener("regionchange", (e) => loadSlots(e.detail.code));

// The responsible office is the woman's hukou township (000 注 1–3): her ID number's county is
// offered first; the couple picks the township (or any other of the province).
$("#a-woman-id").addEventListener("change", (e) => {
  const id = e.target.value.trim();
  if (/^51\d{15}[\dXx]$/.test(id) && (picker.value || "").length < 6) picker.setValue(id.slice(0, 6)).catch(() => {});
});

const phoneOf = (form, input) => () => {
  const problems = checkRequired(input.closest(".field"));
  if (problems.length) {
    showErrors(form, problems);
    return "";
  }
  return input.value.trim();
};
const bookSms = new SmsCode({ purpose: "appointment", form: bookForm, prefix: "as", getPhone: phoneOf(bookForm, $("#a-phone")) });
$("[data-sms]", bookForm).replaceWith(bookSms.element);

const result = $("#result");
let current = null; // {number, token}

function show(a, token) {
  current = { number: a.appointment_number, token };
  const rows = [
    ["预约号", a.appointment_number],
    ["状态", a.status_label],
    ["登记机构", `${a.office.name || a.office.region_name}`],
    ["地址", a.office.address || "—"],
    ["时间", `${a.date} ${a.start}–${a.end}`],
    ["女方", `${a.woman.name} ${a.woman.id_number}`],
    ["男方", `${a.man.name} ${a.man.id_number}`],
    ["手机号码", a.phone],
  ];
  const active = a.status === "booked" || a.status === "confirmed";
  $("#result-body").replaceChildren(
    h("dl", { class: "facts" }, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    active ? h("p", { class: "muted small" }, "请夫妻双方携带身份证、结婚证按预约时间到场办理。") : null,
    active ? h("div", { class: "actions" }, h("button", { type: "button", class: "btn secondary", onclick: cancel }, "取消预约")) : null,
    h("p", { class: "status-line", id: "result-status", "aria-live": "polite" }),
  );
  result.hidden = false;
  focusHeading(result);
}

async function cancel() {
  const ok = await confirmDialog({ title: "取消预约", message: `确定取消预约 ${current.number} 吗？取消后所占时段将释放。`, ok: "确定取消", cancel: "保留" });
  if (!ok) return;
  try {
    const a = await post(`/v1/appointments/${encodeURIComponent(current.number)}/cancellation`, undefined, { headers: { "X-Citizen-Token": current.token } });
    show(a, current.token);
    status($("#result-status"), "预约已取消，短信通知已发送。", "ok");
  } catch (err) {
    status($("#result-status"), err.message, "bad");
  }
}

bookForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  clearErrors(bookForm);
  const problems = checkRequired(bookForm);
  const chosen = bookForm.querySelector("input[name=slot]:checked");
  if (!picker.value || picker.value.length !== 9) problems.unshift({ path: "office_code", message: "请选择乡（镇、街道）登记机构" });
  if (!chosen) problems.push({ path: "start", message: "请选择预约日期和时段" });
  if (problems.length) return showErrors(bookForm, problems.filter((p) => p.path !== "start" || !chosen));
  const [date, start] = chosen.value.split(" ");
  const person = (role) => ({ name: $(`#a-${role}-name`).value.trim(), id_number: $(`#a-${role}-id`).value.trim().toUpperCase() });
  try {
    const token = await bookSms.token();
    const a = await post("/v1/appointments", { office_code: picker.value, date, start, woman: person("woman"), man: person("man") }, { headers: { "X-Citizen-Token": token } });
    show(a, token);
    loadSlots(picker.value);
  } catch (err) {
    showErrors(bookForm, onSlots(err));
  }
});

// ------------------------------------------------------------------------------- view / cancel
const findForm = $("#find-form");
const findSms = new SmsCode({ purpose: "appointment", form: findForm, prefix: "fs", getPhone: phoneOf(findForm, $("#f-phone")) });
$("[data-sms]", findForm).replaceWith(findSms.element);

findForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  clearErrors(findForm);
  const problems = checkRequired(findForm);
  if (problems.length) return showErrors(findForm, problems);
  const number = $("#f-number").value.trim().toUpperCase();
  try {
    const token = await findSms.token();
    show(await get(`/v1/appointments/${encodeURIComponent(number)}`, { headers: { "X-Citizen-Token": token } }), token);
  } catch (err) {
    showErrors(findForm, err);
  }
});

// the office picker has its regions: the page takes input (tests wait on this, as on the other pages)
picker.ready.then(() => {
  document.body.dataset.ready = "true";
});
