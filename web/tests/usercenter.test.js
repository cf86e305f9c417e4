import { describe, expect, it, vi } from "vitest";

import { amountLabel, isClosed, ORDER_STATUS, ORDER_STATUS_LABELS, recoverMessage, wasPaid } from "../src/constants/order";
import { USER_MENU } from "../src/constants/menu";
import { channelLabel, RECORD_TABS, recordKindLabel } from "../src/constants/records";
import { conditionText, couponValue, COUPON_TABS, scopeText } from "../src/utils/coupon";
import { PAGE_SIZES, readListQuery, writeListQuery } from "../src/utils/listQuery";
import { signClass, signed } from "../src/utils/money";
import { nextPath } from "../src/utils/nextPath";
import { checkMobile, checkPassword, checkRePassword, registerRules } from "../src/utils/register";
import { checkReview } from "../src/utils/review";

const ORDERS = { tabs: [-1, 0, 1, 2, 3, 4], defaultTab: -1, tabKey: "status" };

describe("order statuses", () => {
  it("name all five statuses of SPEC §2, 4 已退款 included", () => {
    expect(ORDER_STATUS_LABELS).toEqual({ 0: "未支付", 1: "已支付", 2: "已取消", 3: "已超时", 4: "已退款" });
    expect(ORDER_STATUS.REFUNDED).toBe(4);
  });

  it("say 应付 for a cancelled or timed-out order, 实付 for the others", () => {
    expect(amountLabel(ORDER_STATUS.CANCELLED)).toBe("应付");
    expect(amountLabel(ORDER_STATUS.TIMED_OUT)).toBe("应付");
    expect(amountLabel(ORDER_STATUS.PAID)).toBe("实付");
    expect(amountLabel(ORDER_STATUS.UNPAID)).toBe("实付");
    expect(amountLabel(ORDER_STATUS.REFUNDED)).toBe("实付");
    expect([0, 1, 2, 3, 4].filter(isClosed)).toEqual([2, 3]);
    expect([0, 1, 2, 3, 4].filter(wasPaid)).toEqual([1, 4]);
  });
});

describe("the 订单恢复 message", () => {
  it("counts only the courses that were not in the cart already", () => {
    expect(recoverMessage({ added: [1, 2], skipped: [] }, [])).toEqual({ type: "success", text: "已加回购物车 2 门课程" });
    expect(recoverMessage({ added: [1, 2], skipped: [] }, [2])).toEqual({
      type: "success",
      text: "已加回购物车 1 门课程，1 门已在购物车中",
    });
  });

  it("says nothing new was added when recovering twice", () => {
    const second = recoverMessage({ added: [1, 2], skipped: [] }, [1, 2]);
    expect(second.type).toBe("warning");
    expect(second.text).toBe("没有新的课程加回购物车：2 门已在购物车中");
  });

  it("names the skipped courses, and says when nothing could be added", () => {
    expect(recoverMessage({ added: [1], skipped: [3] }, []).text).toBe(
      "已加回购物车 1 门课程，1 门无法加入（已购买、已下架或购物车已满）",
    );
    expect(recoverMessage({ added: [], skipped: [3, 4] }, [])).toEqual({
      type: "warning",
      text: "没有新的课程加回购物车：2 门无法加入（已购买、已下架或购物车已满）",
    });
    expect(recoverMessage({ added: [], skipped: [] }).text).toBe("没有课程可以加回购物车");
  });
});

describe("a list's tab, page and size in the URL", () => {
  it("reads defaults for a missing or invalid query", () => {
    expect(readListQuery({}, ORDERS)).toEqual({ tab: -1, page: 1, size: 5 });
    expect(readListQuery({ status: "9", page: "abc", size: "7" }, ORDERS)).toEqual({ tab: -1, page: 1, size: 5 });
    expect(readListQuery({ status: "0", page: "0", size: "-3" }, ORDERS)).toEqual({ tab: 0, page: 1, size: 5 });
  });

  it("reads what a reload brings back", () => {
    expect(readListQuery({ status: "3", page: "2", size: "10" }, ORDERS)).toEqual({ tab: 3, page: 2, size: 10 });
    expect(readListQuery({ status: ["1", "2"], page: ["4"] }, ORDERS)).toEqual({ tab: 1, page: 4, size: 5 });
    expect(readListQuery({ status: "used" }, { tabs: ["usable", "used", "expired"], defaultTab: "usable" }).tab).toBe("used");
  });

  it("writes only what differs from the defaults and keeps other keys", () => {
    expect(writeListQuery({}, { page: 2 }, ORDERS)).toEqual({ page: "2" });
    expect(writeListQuery({ page: "2" }, { page: 1 }, ORDERS)).toEqual({});
    expect(writeListQuery({ order_number: "2026" }, { tab: 1 }, ORDERS)).toEqual({ order_number: "2026", status: "1" });
    expect(writeListQuery({ status: "1" }, { tab: -1 }, ORDERS)).toEqual({});
  });

  it("starts again at page 1 on a new tab or page size", () => {
    expect(writeListQuery({ status: "1", page: "3" }, { tab: 2 }, ORDERS)).toEqual({ status: "2" });
    expect(writeListQuery({ page: "3" }, { size: 10 }, ORDERS)).toEqual({ size: "10" });
    expect(writeListQuery({ page: "3", size: "10" }, { size: 10 }, ORDERS)).toEqual({ page: "3", size: "10" });
    expect(writeListQuery({ status: "1", page: "3" }, { tab: 1 }, ORDERS)).toEqual({ status: "1", page: "3" });
  });

  it("offers the page sizes of the tutorial", () => {
    expect(PAGE_SIZES).toEqual([5, 10, 15, 20]);
  });
});

describe("registration rules (as the API's)", () => {
  it("accepts a mainland mobile number only", () => {
    expect(checkMobile("13812345678")).toBe("");
    expect(checkMobile("19912345678")).toBe("");
    expect(checkMobile("12812345678")).toBe("手机号格式不正确");
    expect(checkMobile("1381234567")).toBe("手机号格式不正确");
    expect(checkMobile("138123456789")).toBe("手机号格式不正确");
    expect(checkMobile("")).toBe("请输入手机号");
  });

  it("wants a password of 8–18 characters, typed twice the same", () => {
    expect(checkPassword("1234567")).toBe("密码长度为 8–18 位");
    expect(checkPassword("12345678")).toBe("");
    expect(checkPassword("a".repeat(18))).toBe("");
    expect(checkPassword("a".repeat(19))).toBe("密码长度为 8–18 位");
    expect(checkRePassword("abcdefgh", "abcdefgi")).toBe("两次输入的密码不一致");
    expect(checkRePassword("abcdefgh", "abcdefgh")).toBe("");
  });

  it("builds Element form rules that compare with the password typed", async () => {
    const form = { mobile: "", password: "abcdefgh", re_password: "" };
    const rules = registerRules(form);
    const run = (rule, value) => new Promise((resolve) => rule.validator(null, value, (error) => resolve(error?.message || "")));
    expect(await run(rules.re_password[0], "abcdefgh")).toBe("");
    form.password = "changed-it";
    expect(await run(rules.re_password[0], "abcdefgh")).toBe("两次输入的密码不一致");
    expect(await run(rules.mobile[0], "23812345678")).toBe("手机号格式不正确");
  });
});

describe("reviews", () => {
  it("want a score of 1–5 and at most 500 characters", () => {
    expect(checkReview({ score: 5, content: "很好" })).toBe("");
    expect(checkReview({ score: 0, content: "" })).toBe("请选择 1–5 星的评分");
    expect(checkReview({ score: 3.5 })).toBe("请选择 1–5 星的评分");
    expect(checkReview({ score: 4, content: "好".repeat(501) })).toBe("评价最多 500 字");
    expect(checkReview({ score: 4, content: "好".repeat(500) })).toBe("");
  });
});

describe("coupon cards", () => {
  it("show the value, the condition and the scope", () => {
    expect(couponValue({ sale: "-20" })).toBe("¥20");
    expect(couponValue({ sale: "*0.85" })).toBe("8.5折");
    expect(conditionText({ condition: "100.00" })).toBe("满100可用");
    expect(conditionText({ condition: "0" })).toBe("无门槛");
    expect(scopeText([])).toBe("通用（全部课程）");
    expect(scopeText(["Python 入门", "Django 进阶"])).toBe("Python 入门、Django 进阶");
    expect(COUPON_TABS.map((tab) => tab.label)).toEqual(["可用", "已使用", "已过期"]);
  });
});

describe("ledgers", () => {
  it("sign amounts and name kinds and channels", () => {
    expect(signed("-358.00")).toBe("-¥358.00");
    expect(signed("20.5")).toBe("+¥20.50");
    expect(signed("0.00")).toBe("¥0.00");
    expect([signClass("-1.00"), signClass("1.00"), signClass("0")]).toEqual(["minus", "plus", ""]);
    expect(recordKindLabel("payment")).toBe("订单支付");
    expect(recordKindLabel("something-new")).toBe("something-new");
    expect(channelLabel("alipay")).toBe("支付宝");
    expect(channelLabel("balance")).toBe("余额");
    expect(recordKindLabel("adjust")).toBe("余额调整");
  });

  it("filter 我的消费记录 by kind in the URL, all by default", () => {
    const options = { tabs: RECORD_TABS.map((tab) => tab.value), defaultTab: "", tabKey: "kind" };
    expect(readListQuery({}, options).tab).toBe("");
    expect(readListQuery({ kind: "refund" }, options).tab).toBe("refund");
    expect(readListQuery({ kind: "nonsense" }, options).tab).toBe("");
    expect(writeListQuery({ kind: "refund", page: "2" }, { tab: "" }, options)).toEqual({});
  });
});

describe("the user center menu", () => {
  it("has the tutorial's six entries", () => {
    expect(USER_MENU.map((item) => item.to)).toEqual(["/user", "/user/course", "/user/order", "/user/balance", "/user/coupon", "/user/bill"]);
  });
});

describe("after a login or a registration", () => {
  it("goes only to a path of this app", () => {
    expect(nextPath("/user/order?status=1")).toBe("/user/order?status=1");
    expect(nextPath("//evil.example")).toBe("/user");
    expect(nextPath("/\\evil.example")).toBe("/user");
    expect(nextPath("https://evil.example")).toBe("/user");
    expect(nextPath(undefined)).toBe("/user");
  });
});

describe("messages", () => {
  it("replace the one on screen", async () => {
    vi.resetModules();
    const shown = [];
    const closeAll = vi.fn(() => shown.splice(0));
    const ElMessage = Object.assign(vi.fn((options) => shown.push(options)), { closeAll });
    vi.doMock("element-plus", () => ({ ElMessage, ElMessageBox: {} }));
    const { toast } = await import("../src/utils/message");
    toast.error("用户名或密码错误");
    toast.success("欢迎回来");
    expect(closeAll).toHaveBeenCalledTimes(2);
    expect(shown).toEqual([expect.objectContaining({ type: "success", message: "欢迎回来" })]);
    vi.doUnmock("element-plus");
  });
});
