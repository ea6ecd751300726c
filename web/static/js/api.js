// The HTTP API, same origin (the local stack serves pages and API on one port; CloudFront forwards
// /v1/* to API Gateway). Every error of the API has one shape:
//   {"error": {"code", "message", "details": [{"path", "code", "message"}]}}
// and becomes an ApiError carrying it.

const FALLBACK = {
  0: "网络连接失败，请检查网络后重试",
  401: "登录已失效，请重新登录",
  403: "没有权限执行此操作",
  404: "未找到相关信息",
  409: "当前状态不允许此操作",
  429: "操作过于频繁，请稍后再试",
  500: "系统繁忙，请稍后再试",
};

export class ApiError extends Error {
  constructor(status, body, headers) {
    const err = (body && body.error) || {};
    super(err.message || FALLBACK[status] || FALLBACK[status >= 500 ? 500 : 0]);
    this.status = status;
    this.code = err.code || (status ? `HTTP_${status}` : "NETWORK_ERROR");
    this.details = Array.isArray(err.details) ? err.details : [];
    const retry = headers && headers.get ? Number(headers.get("Retry-After")) : NaN;
    this.retryAfter = Number.isFinite(retry) && retry > 0 ? retry : null;
  }
}

export async function api(method, path, { body, headers = {} } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, cache: "no-store" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, null, null);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) throw new ApiError(response.status, data, response.headers);
  return data;
}

/** Send ``file`` with a presigned S3 POST (``grant``: {url, fields}). The object store answers
 * without CORS headers for the page: whoever issued the grant says afterwards how it went. */
export async function postPresigned(grant, file) {
  const data = new FormData();
  for (const [k, v] of Object.entries(grant.fields)) data.append(k, v);
  data.append("file", file);
  await fetch(grant.url, { method: "POST", body: data, mode: "no-cors" });
}

export const get = (path, opts) => api("GET", path, opts);
export const post = (path, body, opts = {}) => api("POST", path, { ...opts, body });
export const put = (path, body, opts = {}) => api("PUT", path, { ...opts, body });

/** Headers proving a citizen may act on a case: its query code, or a query token of its phone. */
export function credentialHeaders(credential) {
  if (!credential) return {};
  // "session": 查询码 + the token of the SMS code sent to the registered phone (001 附件1 一)
  if (credential.type === "session") return { "X-Query-Code": credential.code, "X-Citizen-Token": credential.token };
  return credential.type === "code" ? { "X-Query-Code": credential.value } : { "X-Citizen-Token": credential.value };
}

export function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
