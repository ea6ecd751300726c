// Small DOM helpers shared by every page: element builder, field errors next to their fields (by the
// API's dotted ``path``), an error summary that screen readers announce, dates and status badges.

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

/** h("p", {class: "x", onclick: fn}, "text", child) — text is always inserted as text, never HTML. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** el.replaceChildren(...) skipping null/false children (replaceChildren would print "null"). */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** The id a control for ``path`` gets ("woman.id_number" → "f-woman-id_number"). */
export const fieldId = (path, prefix = "f") => `${prefix}-${path.replace(/\./g, "-")}`;

let errorSerial = 0;

function controlsOf(el) {
  if (el.matches("input, select, textarea")) return [el];
  return $$("input, select, textarea", el).filter((c) => !c.disabled && c.type !== "hidden");
}

function labelOf(el) {
  const box = el.closest(".field") || el;
  const label = box.querySelector("legend, label, .label");
  return label ? label.textContent.replace(/[*＊]/g, "").replace(/（选填）/g, "").trim() : "";
}

/** The element carrying ``data-path`` for ``path`` or its nearest ancestor path. */
export function findField(root, path) {
  let p = path || "";
  while (p) {
    const el = root.querySelector(`[data-path="${CSS.escape(p)}"]`);
    if (el) return el;
    p = p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "";
  }
  return null;
}

export function clearErrors(root) {
  $$(".field-error", root).forEach((e) => e.remove());
  $$(".has-error", root).forEach((e) => e.classList.remove("has-error"));
  $$("[aria-invalid]", root).forEach((c) => {
    c.removeAttribute("aria-invalid");
    const ids = (c.getAttribute("aria-describedby") || "").split(/\s+/).filter((id) => id && !id.startsWith("err-"));
    if (ids.length) c.setAttribute("aria-describedby", ids.join(" "));
    else c.removeAttribute("aria-describedby");
  });
  const summary = $(".error-summary", root);
  if (summary) {
    summary.hidden = true;
    summary.replaceChildren();
  }
}

/** Put ``message`` next to the field of ``path``; returns the field element or null. */
export function fieldError(root, path, message) {
  const el = findField(root, path);
  if (!el) return null;
  const box = el.closest(".field") || el;
  const id = `err-${++errorSerial}`;
  box.classList.add("has-error");
  box.append(h("p", { class: "field-error", id }, message));
  for (const control of controlsOf(el)) {
    control.setAttribute("aria-invalid", "true");
    const ids = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    control.setAttribute("aria-describedby", [...ids, id].join(" "));
  }
  return el;
}

/**
 * Show an ApiError (or a list of {path, message}) on a form: each detail next to the field whose
 * ``data-path`` matches its path, and everything in the error summary at the top of ``root``
 * (role=alert, focused). Returns the fields that got an error, in order.
 */
export function showErrors(root, error, { title = "请按提示修改以下信息" } = {}) {
  if (error && error.name === "Superseded") return; // a page left meanwhile (pages/staff.js): nothing to show
  clearErrors(root);
  const details = Array.isArray(error) ? error : error.details || [];
  const items = [];
  const fields = [];
  for (const d of details) {
    const el = d.path ? fieldError(root, d.path, d.message) : null;
    if (el) {
      fields.push(el);
      const control = controlsOf(el)[0];
      const label = el.dataset.label || control?.dataset.label || labelOf(el);
      const text = label ? `${label}：${d.message}` : d.message;
      items.push(control && control.id ? h("a", { href: `#${control.id}` }, text) : text);
    } else if (d.message && d.message !== error.message) {
      items.push(d.message);
    }
  }
  const heading = Array.isArray(error) ? title : error.message || title;
  let summary = $(".error-summary", root);
  if (!summary) {
    summary = h("div", { class: "error-summary", role: "alert", tabindex: "-1" });
    root.prepend(summary);
  }
  fill(summary, h("h2", {}, heading), items.length ? h("ul", {}, items.map((i) => h("li", {}, i))) : null);
  summary.hidden = false;
  summary.focus({ preventScroll: true });
  summary.scrollIntoView({ block: "nearest" });
  return fields;
}

/** A polite status line (aria-live) for progress messages. */
export function status(el, message, kind = "") {
  if (!el) return;
  el.className = `status-line ${kind}`.trim();
  el.textContent = message || "";
}

export function pad(n) {
  return String(n).padStart(2, "0");
}

/** "2026-11-23T22:12:32+08:00" → "2026-11-23 22:12" (the API gives China time already). */
export function formatTime(iso) {
  if (!iso) return "";
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

export function formatDate(iso) {
  return iso ? String(iso).slice(0, 10) : "";
}

/** Now in China time as the API's ISO form: "2026-11-23T22:12:32+08:00". */
export function chinaNowIso() {
  const d = new Date(Date.now() + 8 * 3600 * 1000);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+08:00`
  );
}

export function chinaToday() {
  return chinaNowIso().slice(0, 10);
}

const STATUS_KIND = {
  registered: "ok",
  rejected: "bad",
  incomplete: "bad",
  needs_attention: "warn",
  awaiting_proofs: "warn",
  awaiting_review: "",
  submitted: "grey",
  checking: "grey",
};

export function statusBadge(status, label) {
  return h("span", { class: `badge ${STATUS_KIND[status] ?? ""}`.trim(), dataset: { status } }, label || status);
}

/** Focus a heading (or any element) for screen readers after a view change. */
export function focusHeading(el) {
  if (!el) return;
  if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
  el.focus({ preventScroll: true });
  el.scrollIntoView({ block: "start" });
}

/** A modal confirmation built on <dialog>; resolves true/false. */
export function confirmDialog({ title, message, ok = "确定", cancel = "取消" }) {
  return new Promise((resolve) => {
    const titleId = `dlg-${++errorSerial}`;
    const dialog = h(
      "dialog",
      { "aria-labelledby": titleId },
      h("div", { class: "dialog-body" }, h("h2", { id: titleId }, title), h("p", {}, message)),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "btn secondary", value: "cancel" }, cancel),
        h("button", { type: "button", class: "btn", value: "ok" }, ok),
      ),
    );
    const finish = (value) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    dialog.addEventListener("click", (e) => {
      const btn = e.target.closest("button");
      if (btn) finish(btn.value === "ok");
    });
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    $("button[value=ok]", dialog).focus();
  });
}

/** Session storage as JSON (kept in this tab only; never localStorage for personal data). */
export const session = {
  get(key) {
    try {
      return JSON.parse(sessionStorage.getItem(key));
    } catch {
      return null;
    }
  },
  set(key, value) {
    sessionStorage.setItem(key, JSON.stringify(value));
  },
  remove(key) {
    sessionStorage.removeItem(key);
  },
};
