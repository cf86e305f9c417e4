/**
 * Money after the order (issue 14), at 1440 and 390 px: a new customer sees 余额支付 refused while
 * the balance is short, tops the balance up through the sandbox cashier (the result page says
 * 充值成功, the balance and its ledger move), pays an order from the balance (我的消费记录 and the
 * ledger move), asks for a refund from the order card; staff approve it in the Django admin in the
 * browser; the customer then sees 已退款 (card, tab), the money back in the balance and the course
 * gone from 我的课程. Every page is checked for sideways scrolling and photographed
 * (test-artifacts/e2e/money-<width>-*.png).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { assertFits, BASE, launch, PHONE, shot, WIDE } from "./lib.mjs";

const PASSWORD = "money-2026";
const ADMIN = { username: "admin", password: "admin123456" }; // seed_demo's published admin
const TOP_UP = "300.00";

function freshMobile(width) {
  const digits = String(Date.now()).slice(-7) + String(width).slice(-1);
  return `137${digits.padStart(8, "0")}`.slice(0, 11);
}

const cents = (money) => Math.round(Number(money) * 100);
const yuan = (value) => (value / 100).toFixed(2);

function journey(viewport) {
  const tag = `money-${viewport.width}`;

  describe(`balance, top-up and refund at ${viewport.width} px`, () => {
    let session;
    let page;
    let mobile;
    let token;
    let course;
    let price; // the course's real price, in cents
    let order;

    const api = async (method, url, data) => {
      const response = await page.request.fetch(BASE + url, {
        method,
        headers: { Authorization: `jwt ${token}`, Accept: "application/json" },
        data,
      });
      return (await response.json()).data;
    };
    const waitFor = async (check, message, timeout = 20000) => {
      const until = Date.now() + timeout;
      for (;;) {
        if (await check()) return;
        if (Date.now() > until) throw new Error(`timed out: ${message}`);
        await page.waitForTimeout(200);
      }
    };
    const check = async (name, target = page) => {
      await assertFits(target, `${name} at ${viewport.width}px`);
      await shot(target, `${tag}-${name}`);
    };
    const balanceShown = async () => (await page.locator("[data-test=balance-money]").innerText()).trim();

    before(async () => {
      session = await launch(viewport);
      page = session.page;
    });
    after(async () => {
      await session?.browser.close();
    });

    it("registers and logs in a new customer", async () => {
      mobile = freshMobile(viewport.width);
      const answer = await page.request.post(`${BASE}/user/register/`, {
        data: { mobile, password: PASSWORD, re_password: PASSWORD },
      });
      assert.ok(answer.ok(), await answer.text());
      await page.goto(`${BASE}/login`);
      await page.fill("input[name=username]", mobile);
      await page.fill("input[name=password]", PASSWORD);
      await page.click("[data-test=login-submit]");
      await page.waitForURL(`${BASE}/user`);
      token = await page.evaluate(() => localStorage.getItem("fsapi.token") || sessionStorage.getItem("fsapi.token"));
      assert.ok(token);
    });

    it("offers 余额支付 at checkout, refused while the balance is short", async () => {
      const courses = (await api("GET", "/course/?size=50")).results;
      const real = (item) => cents(item.discount?.price || item.price);
      course = courses.filter((item) => real(item) <= cents(TOP_UP)).sort((a, b) => real(a) - real(b))[0];
      assert.ok(course, "a course the top-up pays for");
      price = real(course);
      await page.goto(`${BASE}/project/${course.id}`);
      await page.click("[data-test=buy-now]");
      await page.waitForURL(`${BASE}/cart`);
      await page.click("[data-test=checkout]");
      await page.waitForURL(`${BASE}/order`);
      await page.locator("[data-test=checkout-line]").waitFor();
      const choice = page.locator("[data-test=pay-balance]");
      await choice.locator("text=余额不足").waitFor();
      assert.match(await choice.innerText(), /余额支付[\s\S]*余额 ¥0\.00，余额不足/);
      assert.ok((await choice.getAttribute("class")).includes("is-disabled"), "a short balance cannot be chosen");
      await check("01-checkout-balance-short");
      await page.click("[data-test=go-recharge]");
      await page.waitForURL(`${BASE}/user/balance`);
    });

    it("tops the balance up through the sandbox cashier", async () => {
      await page.locator("[data-test=balance-ledger][data-loaded*='|']").waitFor();
      assert.equal(await balanceShown(), "0.00");
      const amount = page.locator("input[name=amount]");
      for (const [value, message] of [
        ["0.5", "充值金额最少 1.00 元"],
        ["12.345", "充值金额最多两位小数"],
        ["60000", "充值金额最多 50000.00 元"],
      ]) {
        await amount.fill(value);
        await page.click("[data-test=recharge-submit]");
        await page.locator(".el-form-item__error", { hasText: message }).waitFor();
      }
      await check("02-recharge-error");
      await amount.fill("300");
      const popupComing = page.context().waitForEvent("page");
      await page.click("[data-test=recharge-submit]");
      const cashier = await popupComing;
      await cashier.waitForLoadState();
      assert.match(await cashier.locator("body").innerText(), /300\.00/);
      await assertFits(cashier, `the sandbox cashier (top-up) at ${viewport.width}px`);
      await page.locator("[data-test=recharge-waiting]").waitFor();
      await cashier.locator("button, input[type=submit]").filter({ hasText: /支付|付款/ }).first().click();
      await cashier.waitForURL(/\/alipay\?/);
      await cashier.locator("[data-test=pay-result][data-kind=recharge]", { hasText: "充值成功" }).waitFor();
      assert.match(await cashier.locator("[data-test=pay-result]").innerText(), /¥300\.00 已存入余额/);
      await check("03-recharge-result", cashier);
      await cashier.close();
      // the balance page sees the money arrive (it asks until the balance moved)
      await page.locator(".el-message--success", { hasText: "充值成功" }).waitFor({ timeout: 30000 });
      await waitFor(async () => (await balanceShown()) === TOP_UP, `balance ${TOP_UP}`);
      const line = page.locator("[data-test=balance-line]").first();
      assert.match(await line.innerText(), /充值[\s\S]*\+¥300\.00[\s\S]*余额 ¥300\.00/);
      await page.locator("[data-test=recharge-waiting]").waitFor({ state: "detached" });
      await check("04-balance-topped-up");
      assert.equal((await api("GET", "/user/info/")).money, TOP_UP);
    });

    it("pays the order from the balance at once", async () => {
      await page.goto(`${BASE}/order`);
      await page.locator("[data-test=checkout-line]").waitFor();
      const choice = page.locator("[data-test=pay-balance]");
      await choice.locator("text=余额 ¥300.00").waitFor();
      await choice.click();
      await waitFor(async () => (await choice.getAttribute("class")).includes("is-checked"), "余额支付 chosen");
      await check("05-checkout-balance");
      await page.click("[data-test=submit-order]");
      await page.waitForURL(`${BASE}/user/order?status=1`);
      await page.locator(".el-message--success", { hasText: "余额支付成功" }).waitFor();
      order = (await api("GET", "/order/list/?size=5")).results[0];
      assert.equal(order.order_status, 1);
      assert.equal(order.pay_type, 2);
      assert.equal(order.real_price, yuan(price));
      const card = page.locator(`.order-card[data-order-number="${order.order_number}"]`);
      await card.locator(".order-paid", { hasText: "已支付" }).waitFor();
      await card.locator("[data-test=request-refund]").waitFor();
      await check("06-orders-paid-by-balance");
      assert.equal((await api("GET", "/user/info/")).money, yuan(cents(TOP_UP) - price));
    });

    it("shows the payment in the balance ledger and 我的消费记录", async () => {
      await page.goto(`${BASE}/user/balance`);
      await page.locator("[data-test=balance-ledger][data-loaded*='|']").waitFor();
      assert.equal(await balanceShown(), yuan(cents(TOP_UP) - price));
      assert.match(await page.locator("[data-test=balance-line]").first().innerText(), new RegExp(`消费[\\s\\S]*-¥${yuan(price)}`));
      await page.goto(`${BASE}/user/bill`);
      await page.locator("[data-test=bill-list][data-loaded*='|']").waitFor();
      const lines = page.locator("[data-test=bill-line]");
      await waitFor(async () => (await lines.count()) === 2, "two records");
      const texts = await lines.allInnerTexts();
      assert.match(texts[0], new RegExp(`订单支付[\\s\\S]*-¥${yuan(price)}[\\s\\S]*余额[\\s\\S]*${order.order_number}`));
      assert.match(texts[1], /余额充值[\s\S]*\+¥300\.00[\s\S]*支付宝/);
      await check("07-bill-after-balance-pay");
    });

    it("asks for a refund from the order card", async () => {
      await page.goto(`${BASE}/user/order`);
      await page.locator(".my-order[data-loaded*='|']").waitFor();
      const card = page.locator(`.order-card[data-order-number="${order.order_number}"]`);
      await card.locator("[data-test=request-refund]").click();
      const dialog = page.locator(".el-dialog", { hasText: "申请退款" });
      await dialog.locator("textarea").waitFor();
      await dialog.locator("[data-test=refund-submit]").click();
      await page.locator(".el-message--warning", { hasText: "请填写退款原因" }).waitFor();
      await dialog.locator("textarea").fill(`${viewport.width} px：买错了课程`);
      await check("08-refund-dialog");
      await dialog.locator("[data-test=refund-submit]").click();
      await page.locator(".el-message--success", { hasText: "退款申请已提交" }).waitFor();
      await dialog.waitFor({ state: "hidden" });
      await card.locator("[data-test=refund-state][data-refund-status='0']", { hasText: "退款待审核" }).waitFor();
      assert.equal(await card.locator("[data-test=request-refund]").count(), 0, "one open request per order");
      await check("09-refund-pending");
      // a reload asks the API again: the state is the server's
      await page.reload();
      await card.locator("[data-test=refund-state]", { hasText: "退款待审核" }).waitFor();
    });

    it("is approved by staff in the Django admin", async () => {
      const staff = await launch(WIDE);
      try {
        const admin = staff.page;
        await admin.goto(`${BASE}/admin/`);
        await admin.fill("#id_username", ADMIN.username);
        await admin.fill("#id_password", ADMIN.password);
        await admin.click("input[type=submit]");
        await admin.locator("#content", { hasText: "退款记录" }).waitFor();
        await admin.locator("a", { hasText: "退款记录" }).first().click();
        await admin.waitForURL(/\/admin\/payments\/refund\//);
        await admin.fill("#searchbar", order.order_number);
        await admin.press("#searchbar", "Enter");
        await admin.waitForURL(/\?q=/);
        const rows = admin.locator("#result_list tbody tr");
        await waitFor(async () => (await rows.count()) === 1, "one refund request of the order");
        assert.match(await rows.innerText(), /待审核/);
        await shot(admin, `${tag}-10-admin-refunds`);
        await rows.locator("th a, td a").first().click();
        await admin.locator("input[name=_approve]").waitFor();
        assert.match(await admin.locator("#content").innerText(), /买错了课程/);
        await shot(admin, `${tag}-11-admin-refund-request`);
        await admin.click("input[name=_approve]");
        await admin.locator(".messagelist .success", { hasText: "已批准" }).waitFor();
        await shot(admin, `${tag}-12-admin-approved`);
        const staffProblems = staff.problems.filter((problem) => !problem.includes("favicon"));
        assert.deepEqual(staffProblems, []);
      } finally {
        await staff.browser.close();
      }
    });

    it("then shows 已退款, the money back in the balance and the course gone from 我的课程", async () => {
      const card = page.locator(`.order-card[data-order-number="${order.order_number}"]`);
      // the refund is finished by the server (at once for the balance channel, else by the worker)
      await waitFor(
        async () => {
          await page.goto(`${BASE}/user/order`);
          await page.locator(".my-order[data-loaded*='|']").waitFor();
          return (await card.getAttribute("data-status")) === "4";
        },
        "the order shows 已退款",
        30000,
      );
      await card.locator("[data-test=order-refunded]", { hasText: "已退款" }).waitFor();
      assert.match(await card.locator("[data-test=refund-state]").innerText(), new RegExp(`退回 ¥${yuan(price)} 到余额`));
      assert.equal(await card.locator("[data-test=request-refund]").count(), 0);
      await page.locator(".status-tabs li a", { hasText: "已退款" }).click();
      await page.waitForURL(`${BASE}/user/order?status=4`);
      await page.locator(".my-order[data-loaded^='4|1|']").waitFor();
      assert.equal(await page.locator(".order-card").count(), 1);
      await check("13-orders-refunded");
      await page.goto(`${BASE}/user/course`);
      await page.locator("[data-test=my-courses][data-loaded*='|']").waitFor();
      await page.locator(".el-empty", { hasText: "还没有购买课程" }).waitFor();
      assert.equal(await page.locator(`[data-test=my-course][data-course-id="${course.id}"]`).count(), 0);
      await check("14-courses-after-refund");
      await page.goto(`${BASE}/user/balance`);
      await page.locator("[data-test=balance-ledger][data-loaded*='|']").waitFor();
      assert.equal(await balanceShown(), TOP_UP);
      assert.match(await page.locator("[data-test=balance-line]").first().innerText(), new RegExp(`退款[\\s\\S]*\\+¥${yuan(price)}`));
      await check("15-balance-refunded");
      await page.goto(`${BASE}/user/bill`);
      await page.locator("[data-test=bill-list][data-loaded*='|']").waitFor();
      const first = page.locator("[data-test=bill-line]").first();
      assert.equal((await first.locator("[data-test=bill-kind]").innerText()).trim(), "退款");
      assert.equal((await first.locator("[data-test=bill-amount]").innerText()).trim(), `+¥${yuan(price)}`);
      await check("16-bill-refund");
    });

    it("had no console errors, page errors or failed API calls", () => {
      assert.deepEqual(session.problems, []);
    });
  });
}

journey(WIDE);
journey(PHONE);
