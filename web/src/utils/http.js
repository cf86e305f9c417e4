/**
 * The one HTTP module. Every API call goes through `http`:
 * - same origin by default (Django serves the app), or VITE_API_BASE;
 * - sends `Authorization: jwt <token>` when logged in;
 * - resolves with the envelope's `data` (`{code, message, data}` → data), or the plain body for the
 *   two answers that are not enveloped (login, token refresh);
 * - rejects with an ApiError, after showing the server's `message` (unless `silent: true`);
 * - on 401 for a request that carried a token: logs out and goes to the login page.
 * Per-request options: `silent` (no ElMessage), `envelope` (resolve with the whole envelope),
 * `anonymous` (send no token, e.g. the login itself).
 */
import axios from "axios";
import { toast } from "./message";

export class ApiError extends Error {
  constructor(message, { status = 0, code = 0, data = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.data = data;
  }
}

const hooks = {
  token: () => "",
  onUnauthorized: () => {},
  notify: (message) => toast.error(message),
};

/** Wire the module to the app: where the token comes from, what a 401 does, how errors show. */
export function configureHttp(options) {
  Object.assign(hooks, options);
}

export function isEnvelope(body) {
  return (
    body !== null &&
    typeof body === "object" &&
    !Array.isArray(body) &&
    typeof body.code === "number" &&
    typeof body.message === "string" &&
    "data" in body
  );
}

/** A human message for a failed request: the envelope's `message`, else something sensible. */
export function errorMessage(error) {
  const body = error.response?.data;
  if (isEnvelope(body) && body.message) return body.message;
  if (body && typeof body === "object" && typeof body.detail === "string") return body.detail;
  if (error.code === "ECONNABORTED") return "请求超时，请稍后再试";
  if (!error.response) return "网络连接失败，请稍后再试";
  return `请求失败（${error.response.status}）`;
}

const http = axios.create({
  baseURL: import.meta.env.VITE_API_BASE || "",
  timeout: 20000,
  headers: { Accept: "application/json" },
});

http.interceptors.request.use((config) => {
  const token = hooks.token();
  if (token && !config.anonymous && !config.headers.Authorization) {
    config.headers.Authorization = `jwt ${token}`;
  }
  return config;
});

http.interceptors.response.use(
  (response) => {
    const body = response.data;
    if (isEnvelope(body)) {
      return response.config.envelope ? body : body.data;
    }
    return body;
  },
  (error) => {
    if (axios.isCancel(error)) return Promise.reject(error);
    const status = error.response?.status || 0;
    const body = error.response?.data;
    const message = errorMessage(error);
    const sentToken = Boolean(error.config?.headers?.Authorization);
    if (status === 401 && sentToken) {
      hooks.onUnauthorized(message);
    } else if (!error.config?.silent) {
      hooks.notify(message);
    }
    return Promise.reject(
      new ApiError(message, {
        status,
        code: isEnvelope(body) ? body.code : status,
        data: isEnvelope(body) ? body.data : (body ?? null),
      }),
    );
  },
);

export default http;
