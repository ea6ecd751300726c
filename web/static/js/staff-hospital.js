// 医疗卫生技术服务机构 (001 三(三)): look a 生育服务证 up by its registration number or by its QR code —
// a handheld scanner types the code's URL (/v/<token>) into the field like a keyboard — and record the
// child's birth date and sex, only for certificates in the institution's jurisdiction (the API answers
// 404 otherwise). Township operators may look certificates up too (paper certificates).
//   GET  /v1/staff/certificates/{number}                 the certificate, the couple masked
//   GET  /v1/staff/certificate-scans/{token}             the same, by the scanned QR code's token
//   POST /v1/staff/certificates/{number}/birth           {birth_date, sex}

import { ApiError } from "./api.js";
import { $, chinaToday, clearErrors, fill, h, showErrors } from "./ui.js";

const ROLES = ["medical_institution", "township_operator"];
const SEX = { male: "男", female: "女" };

function facts(rows) {
  return h("dl", { class: "facts" }, rows.filter(Boolean).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v ?? "—")]));
}

/** The QR code's token in what a scanner typed (the code's URL /v/<token>), or null for a number. */
const tokenOf = (text) => text.match(/\/v\/([A-Za-z0-9._~-]+)/)?.[1] || null;

function birthForm(number, sapi, done) {
  const date = h("input", { type: "date", id: "birth-date", "data-path": "birth_date", required: true, max: chinaToday() });
  const form = h(
    "form",
    { class: "card", id: "birth-form", novalidate: true },
    h("h2", {}, "登记出生信息"),
    h("p", { class: "hint" }, "产妇出院前，根据住院分娩情况在生育服务证上注明子女的出生日期和性别（001 三(三)2）。提交后不能自行更改。"),
    h("div", { class: "field" }, h("label", { for: "birth-date" }, "出生日期", h("span", { class: "req", "aria-hidden": "true" }, "*")), date),
    h(
      "fieldset",
      { class: "field", "data-path": "sex" },
      h("legend", { class: "label" }, "性别", h("span", { class: "req", "aria-hidden": "true" }, "*")),
      h("div", { class: "choices" }, Object.entries(SEX).map(([v, l]) => h("label", { class: "choice" }, h("input", { type: "radio", name: "sex", value: v, id: `birth-sex-${v}` }), l))),
    ),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn" }, "提交出生信息")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const sex = $("input[name=sex]:checked", form)?.value;
    const problems = [];
    if (!date.value) problems.push({ path: "birth_date", message: "请填写出生日期" });
    if (!sex) problems.push({ path: "sex", message: "请选择性别" });
    if (problems.length) return showErrors(form, problems);
    try {
      await sapi("POST", `/v1/staff/certificates/${encodeURIComponent(number)}/birth`, { birth_date: date.value, sex });
      await done("出生信息已登记");
    } catch (err) {
      showErrors(form, err);
    }
  });
  return form;
}

export async function certificateLookupView({ auth, sapi, view, go }) {
  const s = auth.staff;
  if (!ROLES.includes(s.role)) {
    return view("证件查询", h("div", { class: "notice" }, h("p", {}, "仅医疗卫生技术服务机构和乡镇（街道）业务操作员可查询证件。")));
  }
  const number = new URLSearchParams(location.search).get("number") || "";
  const input = h("input", { type: "text", id: "cert-number", "data-path": "number", autocomplete: "off", inputmode: "text", value: number, required: true });
  const lookup = h(
    "form",
    { class: "card", id: "cert-lookup", novalidate: true, role: "search" },
    h(
      "div",
      { class: "field" },
      h("label", { for: "cert-number" }, "登记编号或二维码"),
      h("span", { class: "hint", id: "cert-number-hint" }, "输入证件上的登记编号；使用扫码枪扫描证件二维码时，光标放在此处扫描即可。"),
      input,
    ),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn" }, "查询")),
  );
  input.setAttribute("aria-describedby", "cert-number-hint");
  const result = h("div", { id: "cert-result", "aria-live": "polite" });
  lookup.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(lookup);
    if (!input.value.trim()) return showErrors(lookup, [{ path: "number", message: "请输入登记编号或扫描二维码" }]);
    const text = input.value.trim();
    const token = tokenOf(text);
    if (!token) return go(`/staff/certificates?number=${encodeURIComponent(text.replace(/\s/g, ""))}`);
    try {
      const r = await sapi("GET", `/v1/staff/certificate-scans/${encodeURIComponent(token)}`);
      history.replaceState({}, "", `/staff/certificates?number=${encodeURIComponent(r.certificate.registration_number)}`);
      input.value = r.certificate.registration_number;
      show(r);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return notFound("该二维码");
      showErrors(lookup, err);
    }
  });
  const notFound = (what) => fill(result, h("div", { class: "notice bad", id: "cert-not-found" }, h("p", {}, `未查询到${what}对应的证件，或该证件不在本机构辖区内。`)));
  const recorded = async (message) => {
    await certificateLookupView({ auth, sapi, view, go });
    $("#cert-result")?.prepend(h("div", { class: "notice ok", role: "status" }, h("p", {}, message)));
  };
  const show = (r) => {
    const c = r.certificate;
    const birth = c.birth_record;
    const valid = r.result === "valid";
    fill(
      result,
      h(
        "section",
        { class: "card", id: "cert-card", "data-result": r.result },
        h("div", { class: "card-title" }, h("h2", {}, c.title || "生育服务证"), h("span", { class: `badge ${valid ? "ok" : "bad"}` }, r.message)),
        facts([
          ["登记编号", c.registration_number],
          ["登记机构", c.office_name],
          ["登记日期", c.registration_date],
          ["登记孩次", c.child_order_label],
          c.woman ? ["女方", `${c.woman.name}　${c.woman.id_number}`] : null,
          c.man ? ["男方", `${c.man.name}　${c.man.id_number}`] : null,
          ["出生信息", birth ? `${birth.birth_date}　${birth.sex_label || SEX[birth.sex] || ""}（已登记）` : "未登记"],
        ]),
      ),
      valid && !birth && s.role === "medical_institution" ? birthForm(c.registration_number, sapi, recorded) : null,
    );
  };
  view(s.role === "medical_institution" ? "证件查询与出生登记" : "证件查询", lookup, result);
  if (!number) return;
  try {
    show(await sapi("GET", `/v1/staff/certificates/${encodeURIComponent(number)}`));
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    notFound(`登记编号 ${number} `);
  }
}
