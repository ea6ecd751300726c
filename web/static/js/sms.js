// Phone verification: the graphic captcha (POST /v1/captchas) and the SMS code
// (POST /v1/sms-codes, POST /v1/sms-codes/verify → a citizen token for one phone and purpose).

import { ApiError, post } from "./api.js";
import { fieldId, h, showErrors, status } from "./ui.js";

export const PHONE_RE = /^1[3-9]\d{9}$/;

const KIND_KEY = "birthreg.captcha-kind";

export class Captcha {
  // Two ways to prove a person is asking, with the same protection (services/shared/captcha.py): a
  // 240×90 image with mild distortion, or — for anyone who cannot read it — a question in words that
  // a screen reader reads aloud ("十四 加 二 等于多少？"). The choice is remembered on this device.
  constructor({ path = "captcha_answer", prefix = "q" } = {}) {
    this.id = null;
    this.kind = localStorage.getItem(KIND_KEY) === "text" ? "text" : "image";
    const inputId = fieldId(path, prefix);
    this.image = h("img", { alt: "图形验证码图片，看不清可点击“换一张”或改用文字题", width: "240", height: "90", class: "captcha-image" });
    this.question = h("p", { class: "captcha-question", id: `${inputId}-question`, "aria-live": "polite" });
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
    this.switcher = h("button", { type: "button", class: "btn link", "data-action": "captcha-kind", onclick: () => this.toggle() });
    this.element = h(
      "div",
      { class: "field captcha-field", "data-path": "captcha_id" },
      (this.label = h("label", { for: inputId })),
      h("div", { class: "captcha" }, this.image, this.question),
      h(
        "div",
        { class: "captcha-tools" },
        this.input,
        h("button", { type: "button", class: "btn secondary", "data-action": "captcha-refresh", onclick: () => this.refresh() }, "换一张"),
        this.switcher,
      ),
    );
    this._show();
  }

  _show() {
    const text = this.kind === "text";
    this.image.hidden = text;
    this.question.hidden = !text;
    this.label.replaceChildren(text ? "文字验证题" : "图形验证码", h("span", { class: "req", "aria-hidden": "true" }, "*"));
    this.input.dataset.label = text ? "文字验证题" : "图形验证码";
    this.input.inputMode = text ? "numeric" : "text";
    if (text) this.input.setAttribute("aria-describedby", this.question.id);
    else this.input.removeAttribute("aria-describedby");
    this.switcher.textContent = text ? "改用图形验证码" : "看不清？改用文字题";
  }

  toggle() {
    this.kind = this.kind === "text" ? "image" : "text";
    localStorage.setItem(KIND_KEY, this.kind);
    this._show();
    this.refresh().then(() => this.input.focus());
  }

  async refresh() {
    this.input.value = "";
    try {
      const c = await post("/v1/captchas", { kind: this.kind });
      this.id = c.captcha_id;
      if (c.kind === "text") this.question.textContent = c.question;
      else this.image.src = c.image;
    } catch {
      this.id = null;
      this.image.removeAttribute("src");
      this.question.textContent = "";
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
  /**
   * ``request`` / ``exchange`` (optional): send the code and trade it for the token some other way
   * than by a phone typed here — a case found by 查询码 + 姓名 gets its code at the phone it was
   * registered with (POST /v1/registrations/{id}/sms-codes[/verify]).
   */
  constructor({ purpose, getPhone, form, extra, prefix = "s", afterSend, request, exchange }) {
    this.request = request || ((body) => post("/v1/sms-codes", { phone: this.getPhone(), purpose: this.purpose, ...body }));
    this.exchange = exchange || ((code) => post("/v1/sms-codes/verify", { phone: this.getPhone(), purpose: this.purpose, code }).then((r) => r.token));
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
      const r = await this.request({ ...this.extra(), ...solved });
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
    return this.exchange(this.input.value.trim());
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
