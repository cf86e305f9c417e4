/**
 * The user center as a new customer sees it, at 1440 px and at 390 px (SPEC §9.6, issue 13):
 * register (and log in with it), every page of the menu, buy a course with a coupon through the
 * sandbox cashier, review it, find it under 我的课程, the coupon under 已使用, the payment under
 * 我的消费记录; the course page says 已购买 / 待支付; the order list keeps tab and page in the
 * URL; closed orders say 应付; 订单恢复 says what it really added. Every page is checked for
 * sideways scrolling and photographed (test-artifacts/e2e/uc-<width>-*.png).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { apiFor, assertFits, BASE, launch, manageShell, PHONE, shot, WIDE } from "./lib.mjs";

const GIVE_COUPON = readFileSync(path.join(import.meta.dirname, "give_coupon.py"), "utf8");
const PASSWORD = "journey-2026";

/** A mobile number nobody has registered yet (the run's clock, the width). */
function freshMobile(width) {
  const digits = String(Date.now()).slice(-7) + String(width).padStart(4, "0").slice(-1);
  return `139${digits.padStart(8, "0")}`.slice(0, 11);
}

function journey(viewport) {
  const tag = `uc-${viewport.width}`;
  const phone = viewport.width < 768;

  describe(`the user center at ${viewport.width} px`, () => {
    let session;
    let page;
    let api;
    let mobile;
    let course; // the course bought with the coupon
    let paidOrder;

    const waitFor = async (check, message, timeout = 15000) => {
      const until = Date.now() + timeout;
      for (;;) {
        if (await check()) return;
        if (Date.now() > until) throw new Error(`timed out: ${message}`);
        await page.waitForTimeout(200);
      }
    };
    /** A list page of the user center finished a load (data-loaded counts loads). */
    const listLoaded = (selector) => page.locator(`${selector}[data-loaded*="|"]`).waitFor();
    const check = async (name) => {
      await assertFits(page, `${name} at ${viewport.width}px`);
      await shot(page, `${tag}-${name}`);
    };
    /** Open a user-center page the way a customer does: from the menu. */
    const openMenu = async (to) => {
      await page.locator(`[data-test="menu-${to}"]`).click();
      await page.waitForURL(`${BASE}${to}`);
    };

    before(async () => {
      session = await launch(viewport);
      page = session.page;
    });
    after(async () => {
      await session?.browser.close();
    });

    it("registers with a mobile number and is logged in", async () => {
      mobile = freshMobile(viewport.width);
      await page.goto(`${BASE}/login`);
      await page.locator("[data-test=to-register]").click();
      await page.waitForURL(`${BASE}/register`);
      assert.equal(await page.title(), "飞升在线教育-用户注册");
      // the form checks the API's rules first
      await page.fill("input[name=mobile]", "12345");
      await page.fill("input[name=password]", "short");
      await page.fill("input[name=re_password]", "different");
      await page.click("[data-test=register-submit]");
      await page.locator(".el-form-item__error", { hasText: "手机号格式不正确" }).waitFor();
      await page.locator(".el-form-item__error", { hasText: "密码长度为 8–18 位" }).waitFor();
      await page.locator(".el-form-item__error", { hasText: "两次输入的密码不一致" }).waitFor();
      await check("01-register-errors");
      await page.fill("input[name=mobile]", mobile);
      await page.fill("input[name=password]", PASSWORD);
      await page.fill("input[name=re_password]", PASSWORD);
      await page.click("[data-test=register-submit]");
      await page.waitForURL(`${BASE}/user`);
      await page.locator("[data-test=header-avatar]").waitFor();
      assert.equal((await page.locator("[data-test=user-name]").innerText()).trim(), `用户${mobile.slice(-4)}`);
      await check("02-user-info");
      api = await apiFor(page);
      assert.equal((await api.get("/user/info/")).data.mobile, mobile);
    });

    it("logs in with the new account; the old error message goes once the login succeeds", async () => {
      await page.evaluate(() => {
        localStorage.clear();
        sessionStorage.clear();
      });
      await page.goto(`${BASE}/login`);
      await page.fill("input[name=username]", mobile);
      await page.fill("input[name=password]", "not-the-password");
      await page.click("[data-test=login-submit]");
      await page.locator(".el-message--error", { hasText: "用户名或密码错误" }).waitFor();
      await check("03-login-error");
      await page.fill("input[name=password]", PASSWORD);
      await page.click("[data-test=login-submit]");
      await page.waitForURL(`${BASE}/user`);
      await page.locator(".el-message--success").waitFor();
      await page.locator(".el-message--error").waitFor({ state: "detached" });
      api = await apiFor(page);
    });

    it("collapses the header into a menu on a phone, keeps the full nav on a desktop", async () => {
      if (phone) {
        assert.equal(await page.locator("[data-test=header-nav]").isVisible(), false);
        await page.locator("[data-test=menu-toggle]").click();
        await page.locator("[data-test=mobile-menu]").waitFor();
        await check("04-header-menu");
        await page.locator("[data-test=mobile-menu] a", { hasText: "我的优惠券" }).click();
        await page.waitForURL(`${BASE}/user/coupon`);
        await page.locator("[data-test=mobile-menu]").waitFor({ state: "detached" });
      } else {
        assert.equal(await page.locator("[data-test=menu-toggle]").isVisible(), false);
        assert.deepEqual(await page.locator("[data-test=header-nav] a").allInnerTexts(), ["全部课程", "我的课程", "我的订单"]);
      }
      // the stats of the header band never cover the avatar
      await page.goto(`${BASE}/user`);
      await page.locator("[data-test=profile-view]").waitFor();
      const avatar = await page.locator(".user-pic").boundingBox();
      const stats = await page.locator(".study-info").boundingBox();
      const apart =
        stats.x >= avatar.x + avatar.width || stats.y >= avatar.y + avatar.height || stats.x + stats.width <= avatar.x;
      assert.ok(apart, `stats ${JSON.stringify(stats)} overlap the avatar ${JSON.stringify(avatar)}`);
    });

    it("shows every menu page of a new customer (empty lists, a zero balance)", async () => {
      await page.goto(`${BASE}/user`);
      await page.locator("[data-test=profile-view]").waitFor();
      assert.deepEqual(
        (await page.locator(".nav-menu li").allInnerTexts()).map((text) => text.trim()),
        ["个人信息", "我的课程", "我的订单", "我的余额", "我的优惠券", "我的消费记录"],
      );
      await page.click("[data-test=profile-edit]");
      await page.locator("[data-test=profile-form]").waitFor();
      await check("04b-profile-form");
      await page.goto(`${BASE}/user`);
      await page.locator("[data-test=profile-view]").waitFor();
      await openMenu("/user/course");
      await listLoaded("[data-test=my-courses]");
      await page.locator(".el-empty", { hasText: "还没有购买课程" }).waitFor();
      await check("05-courses-empty");
      await openMenu("/user/balance");
      await listLoaded("[data-test=balance-ledger]");
      assert.equal((await page.locator("[data-test=balance-money]").innerText()).trim(), "0.00");
      await check("06-balance");
      await openMenu("/user/bill");
      await listLoaded("[data-test=bill-list]");
      await page.locator(".el-empty", { hasText: "还没有消费记录" }).waitFor();
      await check("07-bill-empty");
      await openMenu("/user/order");
      await page.locator(".my-order[data-loaded*='|']").waitFor();
      await page.locator(".el-empty", { hasText: "暂无订单" }).waitFor();
      await check("08-orders-empty");
    });

    it("sees a coupon staff issued under 可用", async () => {
      // staff hand the customer a 满100减20 coupon (the coupon app's service, as the admin does)
      manageShell(GIVE_COUPON, { E2E_COUPON_USER: mobile });
      await page.goto(`${BASE}/user/coupon`);
      await listLoaded("[data-test=coupon-list]");
      const card = page.locator("[data-test=my-coupon]");
      await card.first().waitFor();
      assert.equal(await card.count(), 1);
      assert.match(await card.innerText(), /¥20[\s\S]*满100可用[\s\S]*E2E 满100减20[\s\S]*通用/);
      await check("09-coupons-usable");
      for (const [label, status] of [["已使用", "used"], ["已过期", "expired"]]) {
        await page.locator(".el-tabs__item", { hasText: label }).click();
        await page.waitForURL(`${BASE}/user/coupon?status=${status}`);
        await page.locator(".el-empty", { hasText: `没有${label}的优惠券` }).waitFor();
      }
      await check("10-coupons-expired-empty");
    });

    it("buys a course with the coupon through the sandbox cashier", async () => {
      const courses = (await api.get("/course/?size=50")).data.results;
      course = courses.find((item) => !item.discount?.price && Number(item.price) >= 100);
      assert.ok(course, "a course without an activity price the coupon applies to");
      await page.goto(`${BASE}/project`);
      await page.locator("[data-test=course-card]").first().waitFor();
      await check("11-course-list");
      await page.goto(`${BASE}/project/${course.id}`);
      await page.locator("[data-test=course-name]").waitFor();
      await check("11-course-before-buying");
      await page.click("[data-test=buy-now]");
      await page.waitForURL(`${BASE}/cart`);
      await page.locator(`[data-test=cart-line][data-course-id="${course.id}"]`).waitFor();
      await check("12-cart");
      await page.click("[data-test=checkout]");
      await page.waitForURL(`${BASE}/order`);
      await page.locator("[data-test=checkout-line]").waitFor();
      await page.locator("[data-test=coupon-option]:not(.is-disabled)").first().click();
      const expected = (Number(course.price) - 20).toFixed(2);
      await waitFor(async () => (await page.locator("[data-test=checkout-pay]").innerText()) === `¥${expected}`, `pay ¥${expected}`);
      await check("13-checkout");
      const popupComing = page.context().waitForEvent("page");
      await page.click("[data-test=submit-order]");
      const cashier = await popupComing;
      await cashier.waitForLoadState();
      await assertFits(cashier, `the sandbox cashier at ${viewport.width}px`);
      await cashier.locator("button, input[type=submit]").filter({ hasText: /支付|付款/ }).first().click();
      await cashier.waitForURL(/\/alipay\?/);
      await cashier.locator("[data-test=pay-result]", { hasText: "支付成功" }).waitFor();
      await assertFits(cashier, `the pay result at ${viewport.width}px`);
      await shot(cashier, `${tag}-14-pay-result`);
      await cashier.close();
      // the checkout page's poll sees the payment and goes to my orders
      await page.waitForURL(`${BASE}/user/order`, { timeout: 30000 });
      paidOrder = (await api.get("/order/list/?size=5")).data.results[0];
      assert.equal(paidOrder.order_status, 1);
      assert.equal(paidOrder.real_price, expected);
      assert.equal(paidOrder.coupon?.name, "E2E 满100减20");
    });

    it("reviews the course from the paid order's card", async () => {
      const card = page.locator(`.order-card[data-order-number="${paidOrder.order_number}"]`);
      await card.locator(".order-paid", { hasText: "已支付" }).waitFor();
      assert.equal((await card.locator("[data-test=amount-label]").innerText()).trim(), "订单实付");
      await card.locator("[data-test=request-refund]", { hasText: "申请退款" }).waitFor(); // within the refund window
      await check("15-orders-paid");
      await card.locator("[data-test=review-order]").click();
      const form = page.locator(`[data-test=review-form][data-course-id="${course.id}"]`);
      await form.waitFor();
      await form.locator(".el-rate__item").nth(3).click(); // four stars
      const text = `${viewport.width} 宽度下的评价：讲得清楚，例子实用。`;
      await form.locator("textarea").fill(text);
      await check("16-review-form");
      await form.locator("[data-test=review-submit]").click();
      await page.locator(".el-message--success", { hasText: "评价已提交" }).waitFor();
      await form.locator("[data-test=review-done]").waitFor();
      const reviews = (await api.get(`/course/${course.id}/reviews/`)).data.results;
      assert.ok(
        reviews.some((review) => review.content === text && review.score === 4),
        JSON.stringify(reviews),
      );
      await page.keyboard.press("Escape");
      await page.locator(".el-dialog", { hasText: "立即评价" }).waitFor({ state: "hidden" });
    });

    it("links every order card to 售后帮助", async () => {
      const card = page.locator(`.order-card[data-order-number="${paidOrder.order_number}"]`);
      await card.locator("[data-test=order-help]").click();
      await page.waitForURL(/\/user\/help\?order=\d+/);
      await page.locator("[data-test=help-order]", { hasText: paidOrder.order_number }).waitFor();
      await check("17-help");
    });

    it("says 已购买 · 开始学习 on the bought course's page, with the review", async () => {
      await page.goto(`${BASE}/project/${course.id}`);
      await page.locator("[data-test=course-owned]").waitFor();
      assert.equal(await page.locator("[data-test=buy-now]").count(), 0);
      assert.equal(await page.locator("[data-test=add-to-cart]").count(), 0);
      await page.locator("[data-test=course-review]").first().waitFor();
      await check("18-course-owned");
      await page.click("[data-test=start-learning]");
      await page.waitForURL(`${BASE}/user/course`);
    });

    it("finds the course under 我的课程, the coupon under 已使用, the payment in 我的消费记录", async () => {
      await listLoaded("[data-test=my-courses]");
      const mine = page.locator(`[data-test=my-course][data-course-id="${course.id}"]`);
      await mine.waitFor();
      await check("19-courses");
      await openMenu("/user/coupon");
      await listLoaded("[data-test=coupon-list]");
      await page.locator(".el-empty", { hasText: "没有可用的优惠券" }).waitFor();
      await page.locator(".el-tabs__item", { hasText: "已使用" }).click();
      await page.waitForURL(`${BASE}/user/coupon?status=used`);
      const used = page.locator("[data-test=my-coupon]");
      await used.first().waitFor();
      assert.match(await used.innerText(), /E2E 满100减20/);
      await check("20-coupons-used");
      await openMenu("/user/bill");
      await listLoaded("[data-test=bill-list]");
      const line = page.locator("[data-test=bill-line]");
      await line.first().waitFor();
      assert.equal(await line.count(), 1);
      assert.equal((await line.locator("[data-test=bill-kind]").innerText()).trim(), "订单支付");
      assert.equal((await line.locator("[data-test=bill-amount]").innerText()).trim(), `-¥${paidOrder.real_price}`);
      assert.equal((await line.locator("[data-test=bill-order]").innerText()).trim(), paidOrder.order_number);
      await check("21-bill");
    });

    it("says 待支付 with a link on the page of a course waiting in an unpaid order; no second add", async () => {
      const other = (await api.get("/course/?size=50")).data.results.find((item) => item.id !== course.id);
      await api.post("/cart/", { course_id: other.id });
      const created = await api.post("/order/", { pay_type: 0, user_coupon_id: -1, credit: 0 });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await page.goto(`${BASE}/project/${other.id}`);
      await page.locator("[data-test=course-unpaid]").waitFor();
      assert.equal(await page.locator("[data-test=add-to-cart]").count(), 0);
      await check("22-course-unpaid");
      // the catalogue's 加入购物车 is refused at once (409), and offers the way to that order
      const seen = session.problems.length;
      await page.goto(`${BASE}/project`);
      await page.locator(`[data-test=course-card][data-course-id="${other.id}"] [data-test=add-to-cart]`).click();
      const box = page.locator(".el-message-box", { hasText: created.data.order_number });
      await box.waitFor();
      await check("22b-add-refused");
      await box.getByRole("button", { name: "去支付订单" }).click();
      await page.waitForURL(new RegExp(`/user/order\\?order_number=${created.data.order_number}$`));
      const refused = session.problems.splice(seen);
      assert.ok(refused.length && refused.every((problem) => problem.includes("409")), refused.join("\n"));
      assert.equal((await api.get("/cart/")).data.length, 0, "nothing went into the cart");
      // the course page's link goes to the same filtered list
      await page.goto(`${BASE}/project/${other.id}`);
      await page.click("[data-test=unpaid-order-link]");
      await page.waitForURL(new RegExp(`/user/order\\?order_number=${created.data.order_number}$`));
      const card = page.locator(`.order-card[data-order-number="${created.data.order_number}"]`);
      await card.waitFor();
      assert.equal(await page.locator(".order-card").count(), 1);
      await card.locator("[data-test=countdown]").waitFor();
      await check("22c-order-unpaid");
      // cancelled: nothing was paid, the card says 应付
      await card.locator("[data-test=cancel-order]").click();
      await page.locator(".el-message-box").getByRole("button", { name: "确定取消" }).click();
      await waitFor(async () => (await card.getAttribute("data-status")) === "2", "the order shows 已取消");
      assert.equal((await card.locator("[data-test=amount-label]").innerText()).trim(), "订单应付");
      await check("23-order-cancelled");
      // 订单恢复 twice: the second time nothing new goes into the cart, and it says so
      await card.locator("[data-test=recover-order]").click();
      await page.locator(".el-message--success", { hasText: "已加回购物车 1 门课程" }).waitFor();
      await card.locator("[data-test=recover-order]").click();
      await page.locator(".el-message--warning", { hasText: "没有新的课程加回购物车" }).waitFor();
      await waitFor(async () => (await page.locator(".el-message").count()) === 1, "one message at a time");
      await api.delete(`/cart/?course_id=${other.id}`);
    });

    it("keeps the order list's tab and page in the URL across a reload", async () => {
      await page.goto(`${BASE}/user/order`);
      await page.locator(".my-order[data-loaded*='|']").waitFor();
      await page.locator(".status-tabs li a", { hasText: "已支付" }).click();
      await page.waitForURL(`${BASE}/user/order?status=1`);
      await page.locator(".my-order[data-loaded^='1|1|']").waitFor();
      await page.reload();
      await page.locator(".my-order[data-loaded^='1|1|']").waitFor();
      assert.match(await page.locator(".status-tabs li.action a").innerText(), /^已支付1$/);
      assert.equal(await page.locator(".order-card").count(), 1);
      await check("24-orders-tab-in-url");
      // a page past the end (a stale link): the list steps back to the last page there is
      const seen = session.problems.length;
      await page.goto(`${BASE}/user/order?status=1&page=3`);
      await page.waitForURL(`${BASE}/user/order?status=1`);
      await page.locator(".my-order[data-loaded^='1|1|']").waitFor();
      assert.equal(await page.locator(".order-card").count(), 1);
      const refused = session.problems.splice(seen);
      assert.ok(refused.every((problem) => problem.includes("404")), refused.join("\n"));
    });

    it("had no console errors, page errors or failed API calls", () => {
      // the wrong password, on purpose: its 401 and the browser's console line about it
      const expected = (problem) =>
        problem.includes("/user/login/") ||
        (problem.includes("status of 401") && problem.includes("/login"));
      assert.deepEqual(session.problems.filter((problem) => !expected(problem)), []);
    });
  });
}

journey(WIDE);
journey(PHONE);
