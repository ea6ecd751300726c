// The checks the browser can make on a step before the server sees the form: the ID number's check
// digit, sex and birth date from it, the legal marriage ages. Rules and messages come from the API
// (GET /v1/form-rules, chalicelib/domain/form_rules.py), so the page says what the server would say.

import { get } from "./api.js";
import { chinaToday } from "./ui.js";

let loaded = null;

export function formRules() {
  if (!loaded) loaded = get("/v1/form-rules").catch(() => null);
  return loaded;
}

const fmt = (template, values) => template.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");

function addYears(iso, years) {
  const [y, m, d] = iso.split("-").map(Number);
  // 29 February + n years → 1 March when that year has none (as domain/form.py add_years)
  const date = new Date(Date.UTC(y + years, m - 1, d));
  return date.toISOString().slice(0, 10);
}

/** Problems of one ID number: [code, ...] in the server's order (domain/idcard.py validate_id). */
export function idProblems(rules, value, today = chinaToday()) {
  const r = rules.id_number;
  if (!new RegExp(r.pattern).test(value)) return ["ID_FORMAT"];
  const problems = [];
  const born = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  const parsed = new Date(`${born}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== born || born < "1900-01-01") problems.push("ID_BIRTH_DATE_INVALID");
  else if (born > today) problems.push("ID_BIRTH_DATE_FUTURE");
  const total = [...value.slice(0, 17)].reduce((sum, d, i) => sum + Number(d) * r.weights[i], 0);
  if (r.check_chars[total % 11] !== value[17]) problems.push("ID_CHECKSUM");
  return problems;
}

export function birthOf(id) {
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
}

/** A spouse's step: [{path, message}] for the ID number (format, check digit, sex, legal age today). */
export function personProblems(rules, role, idNumber, today = chinaToday()) {
  if (!rules || !idNumber) return [];
  const path = `${role}.id_number`;
  const codes = idProblems(rules, idNumber, today);
  if (codes.length) return codes.map((c) => ({ path, code: c, message: rules.id_number.messages[c] }));
  const male = Number(idNumber[16]) % 2 === 1;
  if (male !== (role === "man")) {
    return [{ path, code: "ID_SEX_MISMATCH", message: fmt(rules.messages.ID_SEX_MISMATCH, { role: rules.roles[role], sex: rules.sexes[role] }) }];
  }
  if (today < addYears(birthOf(idNumber), rules.marriage_age[role])) {
    return [{ path, code: "UNDER_MARRIAGE_AGE", message: fmt(rules.messages.UNDER_MARRIAGE_AGE, { role: rules.roles[role] }) }];
  }
  return [];
}

/** The family step: the marriage date against today and both spouses' legal ages. */
export function marriageProblems(rules, body, today = chinaToday()) {
  const date = body.marriage?.date;
  if (!rules || !date) return [];
  if (date > today) return [{ path: "marriage.date", code: "FUTURE_DATE", message: rules.messages.FUTURE_DATE }];
  const young = ["woman", "man"].filter((role) => {
    const id = body[role]?.id_number || "";
    if (idProblems(rules, id, today).length) return false;
    const of_age = addYears(birthOf(id), rules.marriage_age[role]);
    return date < of_age && of_age <= today;
  });
  if (!young.length) return [];
  return [{ path: "marriage.date", code: "UNDER_MARRIAGE_AGE", message: fmt(rules.messages.MARRIED_UNDER_AGE, { roles: young.map((r) => rules.roles[r]).join("、") }) }];
}
