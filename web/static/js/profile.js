// The province a citizen registers in. One deployment serves three province profiles; the rules
// are the API's (chalicelib/domain/profiles.py) — here only names and which form fields to offer.

import { $, $$ } from "./ui.js";

export const PROFILES = {
  sichuan: {
    code: "sichuan",
    province: "51",
    name: "四川省",
    site: "四川省生育登记网上便民服务",
    certificate: "生育登记证",
    // 000 注: "因取消申请区域方式和申请地" — the office follows from the addresses.
    chooseOffice: false,
    officeLabel: "登记机构",
  },
  guizhou: {
    code: "guizhou",
    province: "52",
    name: "贵州省",
    site: "贵州省生育服务网上登记平台",
    certificate: "(电子)生育服务证",
    // 001 附件1 一 "申报登记地"
    chooseOffice: true,
    officeLabel: "申报登记地",
  },
  chongqing: {
    code: "chongqing",
    province: "50",
    name: "重庆市",
    site: "重庆市生育服务登记",
    certificate: "生育服务证登记回执",
    // 002 四 夫妻一方户籍地或者现居住地的乡镇人民政府、街道办事处
    chooseOffice: true,
    officeLabel: "登记机构（夫妻一方户籍地或现居住地的乡镇、街道）",
  },
};

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

/** Header: the site title of the chosen province and the province switch. */
export function initLayout({ onProfileChange } = {}) {
  const profile = currentProfile();
  $$("[data-site-title]").forEach((el) => {
    el.textContent = profile.site;
  });
  // Province-specific text: elements marked data-profile="sichuan guizhou" show for those only.
  $$("[data-profile]").forEach((el) => {
    el.hidden = !el.dataset.profile.split(/\s+/).includes(profile.code);
  });
  const titleSuffix = document.title.split(" - ")[0];
  document.title = `${titleSuffix} - ${profile.site}`;
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
