// 长辈版 (适老化): larger type and targets, higher contrast, simpler pages. A switch in every page's
// header; the choice persists on this device (localStorage) and applies before the page is shown
// to the citizen (the class is set as soon as this module runs).

import { h } from "./ui.js";

const KEY = "birthreg.elder";

export const elderMode = () => localStorage.getItem(KEY) === "on";

function apply(on) {
  document.documentElement.classList.toggle("elder", on);
}

apply(elderMode());

export function elderSwitch() {
  const header = document.querySelector(".site-header .wrap");
  if (!header || document.body.classList.contains("staff") || header.querySelector("#elder-switch")) return;
  const button = h(
    "button",
    { type: "button", id: "elder-switch", class: "elder-switch", "aria-pressed": String(elderMode()) },
    "长辈版",
  );
  button.title = "大字体、高对比度的长辈版页面（再点一次回到标准版）";
  button.addEventListener("click", () => {
    const on = !elderMode();
    localStorage.setItem(KEY, on ? "on" : "off");
    apply(on);
    button.setAttribute("aria-pressed", String(on));
  });
  header.append(button);
}
