// The province a citizen registers in. One deployment serves three province profiles; the rules
// are the API's (chalicelib/domain/profiles.py) — here only names and which form fields to offer.

import { elderSwitch } from "./elder.js";
import { registerServiceWorker } from "./pwa.js";
import { $, $$ } from "./ui.js";

export const PROFILES = {
  sichuan: {
    code: "sichuan",
    province: "51",
    name: "四川省",
    // 000 注: "因取消申请区域方式和申请地" — the office follows from the addresses.
    chooseOffice: false,
    officeLabel: "登记机构",
  },
  guizhou: {
    code: "guizhou",
    province: "52",
    name: "贵州省",
    // 001 附件1 一 "申报登记地"
    chooseOffice: true,
    officeLabel: "申报登记地",
  },
  chongqing: {
    code: "chongqing",
    province: "50",
    name: "重庆市",
    // 002 四 夫妻一方户籍地或者现居住地的乡镇人民政府、街道办事处
    chooseOffice: true,
    officeLabel: "登记机构（夫妻一方户籍地或现居住地的乡镇、街道）",
  },
};

// Each province's words — portal name, the certificate's name, 本省/本市, examples — are the
// profile's (chalicelib/domain/profiles.py Wording, GET /v1/profiles): loaded before any page runs.
const NEUTRAL = { site: "生育登记网上便民服务", certificate: "生育登记证件", area: "本省（市）", validity: "", marriage_certificate_example: "" };
// The few rules a page shows (001 附件1 一: may a case still be supplemented before 初审?).
const RULES = {};
async function loadWording() {
  try {
    const response = await fetch("/v1/profiles", { headers: { Accept: "application/json" } });
    if (!response.ok) return {};
    const body = await response.json();
    for (const p of body.profiles) RULES[p.code] = { supplement_before_review: Boolean(p.supplement_before_review) };
    return Object.fromEntries(body.profiles.map((p) => [p.code, p.wording]));
  } catch {
    return {};
  }
}
const WORDING = await loadWording();
for (const p of Object.values(PROFILES)) {
  Object.assign(p, NEUTRAL, WORDING[p.code] || {}, RULES[p.code] || {});
  p.words = { ...NEUTRAL, ...(WORDING[p.code] || {}) };
}

/** Fill every ``data-word="certificate|area|validity|site"`` element with the province's word. */
export function applyWording(code) {
  const words = PROFILES[code]?.words || NEUTRAL;
  $$("[data-word]").forEach((el) => {
    const value = words[el.dataset.word];
    if (value) el.textContent = value;
  });
}

const KEY = "birthreg.profile";

export function profileByProvince(code) {
  return Object.values(PROFILES).find((p) => code && String(code).startsWith(p.province)) || null;
}

export function currentProfile() {
  const fromUrl = new URLSearchParams(location.search).get("profile");
  if (fromUrl && PROFILES[fromUrl]) {
    localStorage.setItem(KEY, fromUrl);
    return PROFILES[fromUrl];
  }
  return PROFILES[localStorage.getItem(KEY)] || PROFILES.sichuan;
}

/** Site title, province-specific text (data-profile="sichuan guizhou") and wording
 * (data-word="certificate" → the profile's word, from GET /v1/profiles) for one province. */
export function applyBranding(profile) {
  $$("[data-site-title]").forEach((el) => {
    el.textContent = profile.site;
  });
  $$("[data-profile]").forEach((el) => {
    el.hidden = !el.dataset.profile.split(/\s+/).includes(profile.code);
  });
  const titleSuffix = document.title.split(" - ")[0];
  document.title = `${titleSuffix} - ${profile.site}`;
  document.documentElement.dataset.profile = profile.code;
  applyWording(profile.code);
}

/** Header: the site title of the chosen province and the province switch. ``fixed``: the page's
 * province is not the visitor's choice (a certificate's verify page): no switch, no branding yet. */
export function initLayout({ onProfileChange, fixed = false } = {}) {
  elderSwitch();
  registerServiceWorker();
  if (fixed) {
    const select = $("#profile-select");
    if (select) select.closest(".province-switch").hidden = true;
    return null;
  }
  const profile = currentProfile();
  applyBranding(profile);
  const select = $("#profile-select");
  if (select) {
    select.value = profile.code;
    select.addEventListener("change", () => {
      localStorage.setItem(KEY, select.value);
      if (onProfileChange) onProfileChange(PROFILES[select.value]);
      else location.reload();
    });
  }
  return profile;
}
