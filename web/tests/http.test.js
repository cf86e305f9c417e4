import { AxiosError } from "axios";
import { beforeEach, describe, expect, it, vi } from "vitest";

import http, { ApiError, configureHttp, isEnvelope } from "../src/utils/http";

/** Answer every request with `status` and `body`, remembering the request's config. */
function serve(status, body) {
  const seen = [];
  http.defaults.adapter = async (config) => {
    seen.push(config);
    const response = { data: body, status, statusText: String(status), headers: {}, config };
    if (status >= 400) {
      throw new AxiosError(`status ${status}`, AxiosError.ERR_BAD_REQUEST, config, null, response);
    }
    return response;
  };
  return seen;
}

describe("the http module", () => {
  let notify;
  let onUnauthorized;
  let token;

  beforeEach(() => {
    notify = vi.fn();
    onUnauthorized = vi.fn();
    token = "";
    configureHttp({ token: () => token, notify, onUnauthorized });
  });

  it("sends the token as `Authorization: jwt <token>`", async () => {
    token = "abc.def.ghi";
    const seen = serve(200, { code: 200, message: "ok", data: [] });
    await http.get("/order/pay/status/");
    expect(seen[0].headers.Authorization).toBe("jwt abc.def.ghi");
  });

  it("sends no token when logged out or when the call is anonymous", async () => {
    const seen = serve(200, { token: "t" });
    await http.get("/course/");
    token = "abc.def.ghi";
    await http.post("/user/login/", {}, { anonymous: true });
    expect(seen[0].headers.Authorization).toBeUndefined();
    expect(seen[1].headers.Authorization).toBeUndefined();
  });

  it("unwraps the envelope to its data", async () => {
    serve(200, { code: 200, message: "ok", data: { count: 3, results: [1, 2, 3] } });
    expect(await http.get("/order/list/")).toEqual({ count: 3, results: [1, 2, 3] });
  });

  it("keeps the whole envelope when asked", async () => {
    serve(200, { code: 200, message: "下单成功", data: { id: 1 } });
    expect(await http.post("/order/", {}, { envelope: true })).toEqual({ code: 200, message: "下单成功", data: { id: 1 } });
  });

  it("passes the plain login answer through", async () => {
    serve(200, { token: "a.b.c", refresh: "r", cart_total: 2 });
    expect(await http.post("/user/login/", {})).toEqual({ token: "a.b.c", refresh: "r", cart_total: 2 });
  });

  it("shows the envelope's message on an error and rejects with an ApiError", async () => {
    serve(409, { code: 409, message: "订单当前状态不能取消", data: null });
    const error = await http.put("/order/1/").catch((err) => err);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 409, message: "订单当前状态不能取消", data: null });
    expect(notify).toHaveBeenCalledWith("订单当前状态不能取消");
  });

  it("keeps field errors in the error's data", async () => {
    serve(400, { code: 400, message: "参数错误", data: { credit: ["积分不足"] } });
    const error = await http.post("/order/", {}).catch((err) => err);
    expect(error.data).toEqual({ credit: ["积分不足"] });
  });

  it("stays quiet when the call is silent", async () => {
    serve(404, { code: 404, message: "资源不存在", data: null });
    await expect(http.get("/order/list/", { silent: true })).rejects.toBeInstanceOf(ApiError);
    expect(notify).not.toHaveBeenCalled();
  });

  it("logs out on a 401 to a request that carried a token", async () => {
    token = "expired.token.x";
    serve(401, { code: 401, message: "令牌无效或已过期", data: null });
    await expect(http.get("/user/info/")).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledWith("令牌无效或已过期");
    expect(notify).not.toHaveBeenCalled();
  });

  it("only shows the message for a 401 without a token (a wrong password)", async () => {
    serve(401, { code: 401, message: "用户名或密码错误", data: null });
    await expect(http.post("/user/login/", {})).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).not.toHaveBeenCalled();
    expect(notify).toHaveBeenCalledWith("用户名或密码错误");
  });

  it("explains a network failure", async () => {
    http.defaults.adapter = async (config) => {
      throw new AxiosError("Network Error", AxiosError.ERR_NETWORK, config, null, undefined);
    };
    await expect(http.get("/course/")).rejects.toMatchObject({ status: 0, message: "网络连接失败，请稍后再试" });
  });

  it("recognises an envelope only by its three keys", () => {
    expect(isEnvelope({ code: 200, message: "ok", data: null })).toBe(true);
    expect(isEnvelope({ token: "x" })).toBe(false);
    expect(isEnvelope([1])).toBe(false);
    expect(isEnvelope(null)).toBe(false);
  });
});
