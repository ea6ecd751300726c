// 医疗机构外出生申报 (issue 16; seed 003 二(一)1): a parent -- ID numbers and an SMS code (purpose
// "birth"; no face scan) -- chooses the county's issuing institution, declares where and when the
// child was born and who the parents are, and signs. The record starts claimed; the status page
// (birth.html) then takes the materials of 003 二(二) and shows the notice and the e-licence.

import { post, get } from "../api.js";
import { PROFILES, applyBranding, initLayout } from "../profile.js";
import { RegionPicker } from "../regions.js";
import { SmsCode, checkRequired } from "../sms.js";
import { $, clearErrors, h, showErrors } from "../ui.js";

initLayout({ fixed: true });
applyBranding(PROFILES.guizhou);

const form = $("#declare-form");
const issuer = $("#d-issuer");
const region = new RegionPicker({ path: "county", legend: "出生地所在县（区）", finest: "county", coarsest: "county", defaultProvince: "52", id: "d-county" });
$("[data-region]", form).replaceWith(region.element);
const sms = new SmsCode({ purpose: "birth", getPhone: () => $("#d-phone").value.trim(), form, prefix: "d" });
$("[data-sms]", form).replaceWith(sms.element);

region.element.addEventListener("regionchange", async (event) => {
  const county = event.detail.code;
  issuer.replaceChildren(h("option", { value: "" }, "请先选择出生地所在县（区）"));
  issuer.disabled = true;
  if (!county || county.length !== 6) return;
  try {
    const found = await get(`/v1/births/issuers?county=${encodeURIComponent(county)}`);
    issuer.replaceChildren(
      h("option", { value: "" }, found.items.length ? "请选择签发机构" : "该县（区）暂无签发机构"),
      ...found.items.map((i) => h("option", { value: i.institution_code }, i.name)),
    );
    issuer.disabled = !found.items.length;
  } catch (err) {
    showErrors(form, err);
  }
});

function chinaIso(local) {
  return local ? `${local.length === 16 ? `${local}:00` : local}+08:00` : "";
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const problems = checkRequired(form);
  if (problems.length) return showErrors(form, problems);
  const fatherName = $("#d-father-name").value.trim();
  const fatherId = $("#d-father-id").value.trim();
  const body = {
    institution_code: issuer.value,
    place: $("#d-place").value.trim(),
    claimant: form.claimant.value,
    newborn: {
      name: $("#d-name").value.trim(),
      sex: form.sex.value,
      born_at: chinaIso($("#d-born").value),
      weight_grams: Number($("#d-weight").value) || 0,
    },
    mother: { name: $("#d-mother-name").value.trim(), id_number: $("#d-mother-id").value.trim() },
    confirm: true,
  };
  if (fatherName || fatherId) body.father = { name: fatherName, id_number: fatherId };
  if (body.claimant === "father") body.claimant_id_number = fatherId;
  try {
    const token = await sms.token();
    const view = await post("/v1/births", body, { headers: { "X-Citizen-Token": token } });
    sessionStorage.setItem(`birth-token:${view.birth_id}`, token);
    location.assign(`/birth.html?id=${encodeURIComponent(view.birth_id)}`);
  } catch (err) {
    showErrors(form, err);
  }
});

// the county picker has its regions and the submit handler is attached: the page takes input
region.ready.then(() => {
  document.body.dataset.ready = "true";
});
