// Phone verification: the graphic captcha (POST /v1/captchas) and the SMS code
// (POST /v1/sms-codes, POST /v1/sms-codes/verify → a citizen token for one phone and purpose).

import { ApiError, post } from "./api.js";
import { fieldId, h, showErrors, status } from "./ui.js";

export const PHONE_RE = /^1[3-9]\d{9}$/;

export class Captcha {
  constructor({ path = "captcha_answer", prefix = "q" } = {}) {
    this.id = null;
    const inputId = fieldId(path, prefix);
    this.image = h("img", { alt: "图形验证码图片（看不清可点击“换一张”）", width: "107", height: "40" });
    this.input = h("input", {
      type: "text",
      id: inputId,
      "data-path": path,
      autocomplete: "off",
      autocapitalize: "characters",
      spellcheck: "false",
      maxlength: "8",
      required: true,
      "data-label": "图形验证码",
    });
    this.element = h(
      "div",
      { class: "field", "data-path": "captcha_id" },
      h("label", { for: inputId }, "图形验证码", h("span", { class: "req", "aria-hidden": "true" }, "*")),
      h(
        "div",
        { class: "captcha" },
        this.input,
        this.image,
        h("button", { type: "button", class: "btn link", onclick: () => this.refresh() }, "换一张"),
      ),
    );
  }

  async refresh() {
    this.input.value = "";
    try {
      const c = await post("/v1/captchas");
      this.id = c.captcha_id;
      this.image.src = c.image;
    } catch {
      this.id = null;
      this.image.removeAttribute("src");
    }
  }

  value() {
    return { captcha_id: this.id || "", captcha_answer: this.input.value.trim() };
  }
}

/**
 * The "短信验证码" field with its "获取验证码" button and countdown.
 * ``getPhone()`` returns the phone (or "" with the error already shown); ``extra()`` adds fields to
 * the send request (a solved captcha); ``form`` receives the API's field errors.
 */
export class SmsCode {
  constructor({ purpose, getPhone, form, extra, prefix = "s", afterSend }) {
    this.purpose = purpose;
    this.getPhone = getPhone;
    this.form = form;
    this.extra = extra || (() => ({}));
    this.afterSend = afterSend || (() => {});
    this.prefix = prefix;
    // Shown when the API asks for one: after the first code of the day to a phone, every further
    // code for the same purpose needs a solved captcha (CAPTCHA_REQUIRED).
    this.captcha = null;
    const inputId = fieldId("code", prefix);
    this.input = h("input", {
      type: "text",
      id: inputId,
      "data-path": "code",
      inputmode: "numeric",
      autocomplete: "one-time-code",
      maxlength: "6",
      pattern: "\\d{6}",
      required: true,
      "data-label": "短信验证码",
      "data-pattern-message": "请输入6位数字验证码",
    });
    this.button = h("button", { type: "button", class: "btn secondary", onclick: () => this.send() }, "获取验证码");
    this.statusEl = h("p", { class: "status-line", "aria-live": "polite" });
    this.element = h(
      "div",
      { class: "field" },
      h("label", { for: inputId }, "短信验证码", h("span", { class: "req", "aria-hidden": "true" }, "*")),
      h("div", { class: "inline" }, this.input, this.button),
      this.statusEl,
    );
    this.timer = null;
  }

  countdown(seconds) {
    clearInterval(this.timer);
    let left = Math.max(1, Math.round(seconds));
    this.button.disabled = true;
    const tick = () => {
      this.button.textContent = `${left}秒后重新获取`;
      if (left-- <= 0) {
        clearInterval(this.timer);
        this.button.disabled = false;
        this.button.textContent = "重新获取";
      }
    };
    tick();
    this.timer = setInterval(tick, 1000);
  }

  async send() {
    const phone = this.getPhone();
    if (!phone) return;
    this.button.disabled = true;
    status(this.statusEl, "正在发送验证码…");
    try {
      const solved = this.captcha ? this.captcha.value() : {};
      const r = await post("/v1/sms-codes", { phone, purpose: this.purpose, ...this.extra(), ...solved });
      status(this.statusEl, `验证码已发送至 ${r.phone}，${Math.round(r.expires_in / 60)}分钟内有效`, "ok");
      this.countdown(r.resend_after || 60);
      this.input.focus();
    } catch (err) {
      this.button.disabled = false;
      status(this.statusEl, "");
      if (err instanceof ApiError && err.status === 429 && err.retryAfter) this.countdown(err.retryAfter);
      if (err instanceof ApiError && err.code === "CAPTCHA_REQUIRED" && !this.captcha) {
        this.captcha = new Captcha({ prefix: `${this.prefix}-resend` });
        this.element.before(this.captcha.element);
      }
      showErrors(this.form, err);
    } finally {
      if (this.captcha) this.captcha.refresh(); // single use, right or wrong
      this.afterSend();
    }
  }

  /** The citizen token for this phone and purpose; throws ApiError (shown by the caller). */
  async token() {
    const phone = this.getPhone();
    if (!phone) throw new ApiError(400, { error: { code: "VALIDATION_FAILED", message: "请填写手机号码", details: [] } });
    const r = await post("/v1/sms-codes/verify", { phone, purpose: this.purpose, code: this.input.value.trim() });
    return r.token;
  }
}

/** Client checks of the visible required fields of ``root``: [{path, message}] */
export function checkRequired(root) {
  const problems = [];
  for (const el of root.querySelectorAll("input, select, textarea")) {
    if (el.disabled || el.type === "hidden" || el.closest("[hidden]")) continue;
    const path = el.dataset.path || el.closest("[data-path]")?.dataset.path;
    if (!path) continue;
    const label = el.dataset.label || el.closest(".field")?.querySelector("label, legend")?.textContent.replace(/[*]/g, "").trim() || "";
    if (el.type === "radio") {
      if (!el.required || problems.some((p) => p.path === path)) continue;
      const group = root.querySelectorAll(`input[type=radio][name="${CSS.escape(el.name)}"]`);
      if (![...group].some((r) => r.checked)) problems.push({ path, message: `请选择${label}` });
      continue;
    }
    if (el.type === "checkbox") {
      if (el.required && !el.checked) problems.push({ path, message: el.dataset.requiredMessage || `请勾选${label}` });
      continue;
    }
    const value = el.value.trim();
    if (!value) {
      if (el.required) problems.push({ path, message: `${el.tagName === "SELECT" ? "请选择" : "请填写"}${label}` });
      continue;
    }
    if (el.pattern && !new RegExp(`^(?:${el.pattern})$`).test(value)) {
      problems.push({ path, message: el.dataset.patternMessage || `${label}格式不正确` });
    }
  }
  return problems;
}
