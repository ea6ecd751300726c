// The review page's comparison (issue 15 item 5): what the couple wrote in the 登记表 next to what each
// registry says — public security (identity), civil affairs (marriage), the population registry
// (children, read by GET /v1/staff/tasks/{id} as "registry.population") — with every difference named
// in words and marked, so the reviewer sees e.g. which child the registry has that the form lacks.
// Proofs: accepted uploads are shown in the page (image / PDF) and open through their short-lived
// link ("view_url", 5 minutes).

import { LABELS } from "./form.js";
import { dataTable } from "./staff-ui.js";
import { formatTime, h } from "./ui.js";

const IDENTITY = {
  match: ["一致", "ok", []],
  name_mismatch: ["姓名与身份证号码不一致", "bad", ["name"]],
  not_found: ["公安信息中查无此身份证号码", "bad", ["id_number"]],
};
const MARRIAGE = {
  match: ["一致", "ok", []],
  not_found: ["民政信息中查无此结婚证", "bad", ["certificate_number"]],
  parties_mismatch: ["结婚证登记的当事人与男女双方不一致", "bad", ["certificate_number"]],
  date_mismatch: ["结婚登记日期与民政记录不一致", "bad", ["date"]],
  unverifiable: ["外省登记，民政信息无法核验", "warn", []],
};
const CHILD_FIELDS = { name: "姓名", birth_date: "出生日期", sex: "性别", id_number: "身份证号码" };
const ROW = {
  same: ["一致", "ok"],
  differs: ["不一致", "bad"],
  only_in_registry: ["登记表未填写该子女", "bad"],
  only_in_form: ["系统无该子女记录", "warn"],
};

const badge = (label, kind) => h("span", { class: `badge ${kind}` }, label);
// A differing value: marked, and said in words for screen readers and print.
const value = (text, differs) => (differs ? h("mark", { class: "diff" }, text, h("span", { class: "visually-hidden" }, "（不一致）")) : text);

const compareTable = (id, caption, head, rows) => dataTable(id, caption, head, rows, { className: "cards compare" });

function identityRows(form, check) {
  const people = Object.fromEntries((check?.identity?.people || []).map((p) => [p.role, p.status]));
  return ["woman", "man"].map((role) => {
    const p = form[role];
    const [label, kind, fields] = IDENTITY[people[role]] || ["待核验", "grey", []];
    return h(
      "tr",
      { class: kind === "bad" ? "diff" : "", "data-role": role },
      h("th", { scope: "row", "data-th": "" }, role === "woman" ? "女方" : "男方"),
      h("td", { "data-th": "登记表" }, value(p.name, fields.includes("name")), " ", value(p.id_number, fields.includes("id_number"))),
      h("td", { "data-th": "公安信息" }, kind === "ok" ? "姓名与身份证号码相符" : label),
      h("td", { "data-th": "比对" }, badge(label, kind)),
    );
  });
}

function marriageRows(form, check) {
  const [label, kind, fields] = MARRIAGE[check?.marriage?.detail || check?.marriage?.status] || ["待核验", "grey", []];
  return [
    h(
      "tr",
      { class: kind === "bad" ? "diff" : "" },
      h("th", { scope: "row", "data-th": "" }, "结婚登记"),
      h("td", { "data-th": "登记表" }, value(form.marriage.certificate_number, fields.includes("certificate_number")), " ", value(form.marriage.date, fields.includes("date"))),
      h("td", { "data-th": "民政信息" }, kind === "ok" ? "结婚证号、当事人与登记日期相符" : label),
      h("td", { "data-th": "比对" }, badge(label, kind)),
    ),
  ];
}

function child(c, differences) {
  if (!c) return null;
  const d = (f) => differences.includes(f);
  return [
    value(c.name, d("name")),
    "　",
    value(c.birth_date, d("birth_date")),
    "　",
    value(LABELS.sex[c.sex] || c.sex, d("sex")),
    c.id_number ? ["　", c.id_number] : null,
  ];
}

function childRows(form, population) {
  return population.rows.map((r, i) => {
    const [label, kind] = ROW[r.kind];
    const said = r.kind === "differs" ? `${label}：${r.differences.map((f) => CHILD_FIELDS[f] || f).join("、")}` : label;
    return h(
      "tr",
      { class: kind === "ok" ? "" : "diff", "data-kind": r.kind },
      h("th", { scope: "row", "data-th": "" }, `子女${i + 1}`),
      h("td", { "data-th": "登记表" }, r.form === null ? h("span", { class: "muted" }, "（未填写）") : child(form.children[r.form], r.differences)),
      h("td", { "data-th": "人口信息" }, r.registry === null ? h("span", { class: "muted" }, "（无记录）") : child(population.children[r.registry], r.differences)),
      h("td", { "data-th": "比对" }, badge(said, kind)),
    );
  });
}

/** The card "登记表与系统记录比对" of a task view ``r`` (GET /v1/staff/tasks/{id}). */
export function comparisonCard(r) {
  const c = r.case;
  const form = c.form;
  const population = r.registry?.population || { status: "unavailable", message: "人口信息比对结果不可用", rows: [], children: [] };
  const found = population.rows.filter((x) => x.kind !== "same");
  const summary = found.length
    ? `与人口信息系统比对：${found.length}处差异（${[...new Set(found.map((x) => ROW[x.kind][0]))].join("、")}）`
    : population.status === "found"
      ? "与人口信息系统记录的子女一致"
      : population.message;
  return h(
    "section",
    { class: "card", id: "compare-card" },
    h("h2", {}, "登记表与系统记录比对"),
    h("p", { class: "hint" }, "左列为登记对象填写的《登记表》，右列为各系统的记录；差异处已标出，请逐项核实（002 五(三)）。"),
    compareTable("compare-identity", "身份信息（公安）", ["", "登记表", "公安信息", "比对"], identityRows(form, c.check)),
    compareTable("compare-marriage", "婚姻信息（民政）", ["", "登记表", "民政信息", "比对"], marriageRows(form, c.check)),
    population.status === "unavailable"
      ? h("div", { class: "notice warn" }, h("p", {}, population.message))
      : [
          h("p", { class: found.length ? "notice bad" : "notice ok", id: "compare-summary" }, summary),
          compareTable("compare-children", "子女信息（人口信息系统）", ["", "登记表", "人口信息系统", "比对"], childRows(form, population)),
          population.masked ? h("p", { class: "hint" }, "您非本任务的办理机构，系统记录中的姓名和身份证号码已部分隐藏。") : null,
          population.status === "no_record" ? h("p", { class: "hint" }, "人口信息系统中没有这对夫妇的记录。") : null,
        ],
  );
}

const UPLOAD_STATUS = { pending: ["上传中", "grey"], accepted: ["已通过检查", "ok"], rejected: ["未通过检查", "bad"] };

/** The card "证明材料": what was asked, every upload, and a 查看 link for each accepted file. The links
 * last ``view_expires_in`` seconds; ``refresh()`` reloads the page's view when one is older.
 * ``documentLabel``: the label of a document code, from the task answer (domain/documents.py). */
/** An accepted proof shown in the page (issue 15 item 5) from its presigned GET link: an image
 * inline, a PDF in an <object> (the pages' CSP allows exactly the upload bucket in img-src and
 * object-src); a link that has expired meanwhile is fetched anew. */
function inlineProof(u, label, onExpired) {
  const title = `${label}：${u.filename || ""}`;
  if ((u.content_type || "").startsWith("image/")) {
    return h(
      "figure",
      { class: "proof-view" },
      h("img", { src: u.view_url, alt: title, loading: "lazy", onerror: onExpired }),
      h("figcaption", { class: "muted small" }, title),
    );
  }
  return h(
    "figure",
    { class: "proof-view" },
    h(
      "object",
      { data: u.view_url, type: u.content_type || "application/pdf", "aria-label": title, title },
      h("p", {}, "浏览器无法在页面内显示该文件，", h("a", { href: u.view_url, target: "_blank", rel: "noopener noreferrer" }, "请在新窗口打开"), "。"),
    ),
    h("figcaption", { class: "muted small" }, title),
  );
}

export function proofsCard(c, { loadedAt, refresh, documentLabel }) {
  const uploads = c.uploads || [];
  const expired = (u) => Date.now() - loadedAt >= (u.view_expires_in - 15) * 1000;
  const open = (e, u) => {
    if (!expired(u)) return;
    e.preventDefault(); // the short-lived link has expired: fetch fresh links first
    refresh();
  };
  return h(
    "section",
    { class: "card", id: "proofs-card" },
    h("h2", {}, "证明材料"),
    c.proofs_requested.length
      ? h("p", {}, `已要求补充：${c.proofs_requested.map(documentLabel).join("、")}`)
      : h("p", { class: "muted" }, "未要求补充材料"),
    uploads.length
      ? h(
          "ul",
          { class: "doc-list" },
          uploads.map((u) => {
            const [label, kind] = UPLOAD_STATUS[u.status] || [u.status, "grey"];
            return h(
              "li",
              { "data-upload": u.upload_id },
              h("strong", {}, documentLabel(u.document)),
              ` ${u.filename || ""} `,
              badge(label, kind),
              u.size ? ` ${Math.max(1, Math.round(u.size / 1024))} KB` : "",
              u.at ? ` ${formatTime(u.at)}` : "",
              u.message ? ` ${u.message}` : "",
              u.view_url
                ? h(
                    "a",
                    { class: "btn small secondary", href: u.view_url, target: "_blank", rel: "noopener noreferrer", onclick: (e) => open(e, u) },
                    `查看${documentLabel(u.document)}`,
                    h("span", { class: "visually-hidden" }, "（在新窗口打开，链接5分钟内有效）"),
                  )
                : null,
              u.view_url ? inlineProof(u, documentLabel(u.document), () => expired(u) && refresh()) : null,
            );
          }),
        )
      : h("p", { class: "muted" }, "暂无上传的材料"),
    uploads.some((u) => u.view_url) ? h("p", { class: "hint" }, "查看链接5分钟内有效，过期后点击将自动更新。") : null,
  );
}

/** What the case becomes after a decision, shown at once (the workflow continues in the background). */
export function decidedState(result, stageTitle) {
  if (result.decision === "reject") return { status: "rejected", label: "未予登记" };
  if (result.next === "proofs") return { status: "awaiting_proofs", label: "待补充证明材料（已通知申请人）" };
  if (result.decision === "onsite_verification") return { status: "onsite_verification", label: "需现场核实（已短信通知申请人）" };
  if (result.next === "review") return { status: "awaiting_review", label: `本环节已通过，转${stageTitle(result.next_stage)}` };
  return { status: "checking", label: "审核通过，正在办理发证" };
}
