/**
 * The web app in headless Chromium against the whole running system (see run.sh): log in as the
 * demo user, profile, catalogue, cart and checkout, my orders (tabs, counts, page sizes), cancel
 * with credit and coupon given back, pay through the local sandbox cashier, recover, delete,
 * log out. One browser session, steps in order; a screenshot of every page goes to ARTIFACTS.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { apiFor, BASE, DEMO, launch, pngBytes, shot } from "./lib.mjs";

const LOGIN_FOR_ORDERS = /\/login\?next=(%2F|\/)user(%2F|\/)order$/;

let session;
let page;

const texts = (selector) => page.locator(selector).allInnerTexts();
const number = async (selector) => Number((await page.locator(selector).innerText()).trim());
const card = (orderNumber) => page.locator(`.order-card[data-order-number="${orderNumber}"]`);

async function waitFor(check, message, timeout = 15000) {
  const until = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out: ${message}`);
    await page.waitForTimeout(200);
  }
}

/** The orders list shows `status|page|size` (and a load counter): wait until it shows what was asked. */
const STATUS = { 全部: -1, 未支付: 0, 已支付: 1, 已取消: 2, 已超时: 3 };
async function listShows({ status, page: pageNumber, size }) {
  const loaded = page.locator(".my-order");
  await waitFor(async () => {
    const [shownStatus, shownPage, shownSize] = ((await loaded.getAttribute("data-loaded")) || "").split("|");
    return (
      (status === undefined || Number(shownStatus) === status) &&
      (pageNumber === undefined || Number(shownPage) === pageNumber) &&
      (size === undefined || Number(shownSize) === size)
    );
  }, `the list shows ${JSON.stringify({ status, page: pageNumber, size })}`);
}

async function reloadCount() {
  return Number(((await page.locator(".my-order").getAttribute("data-loaded")) || "0|0|0|0").split("|")[3]);
}

/** Run `action` and wait for the list to finish the load it causes. */
async function afterReload(action) {
  const before = await reloadCount();
  await action();
  await waitFor(async () => (await reloadCount()) > before, "the list reloaded");
}

async function openTab(label) {
  const active = (await page.locator(".status-tabs li.action a").innerText()).startsWith(label);
  if (!active) await afterReload(() => page.locator(".status-tabs li a", { hasText: label }).click());
  await listShows({ status: STATUS[label], page: 1 });
}

async function chooseSize(size) {
  await afterReload(async () => {
    await page.locator(".el-pagination__sizes .el-select").click();
    await page.locator(".el-select-dropdown__item:visible", { hasText: new RegExp(`^${size}条/页$`) }).click();
  });
  await listShows({ size, page: 1 });
}

async function goToPage(number) {
  const current = Number(await page.locator(".el-pager li.is-active").innerText());
  if (current !== number) await afterReload(() => page.locator(".el-pager li", { hasText: new RegExp(`^${number}$`) }).click());
  await listShows({ page: number });
}

const activePage = async () => Number(await page.locator(".el-pager li.is-active").innerText());
const cardCount = () => page.locator(".order-card").count();

describe("the web app", () => {
  before(async () => {
    session = await launch();
    page = session.page;
  });

  after(async () => {
    await session?.browser.close();
  });

  it("sends a logged-out visitor of a private page to the login page", async () => {
    await page.goto(`${BASE}/user/order`);
    await page.waitForURL(LOGIN_FOR_ORDERS);
    assert.equal(await page.title(), "飞升在线教育-用户登录");
    await shot(page, "01-login");
  });

  it("shows the server's message for a wrong password", async () => {
    await page.fill("input[name=username]", DEMO.username);
    await page.fill("input[name=password]", "not-the-password");
    await page.click("[data-test=login-submit]");
    await page.locator(".el-message--error", { hasText: "用户名或密码错误" }).waitFor();
    assert.match(page.url(), /\/login/);
  });

  it("logs the demo user in and goes back to the page asked for", async () => {
    await page.fill("input[name=password]", DEMO.password);
    await page.click("[data-test=login-submit]");
    await page.waitForURL(`${BASE}/user/order`);
    await page.locator("[data-test=header-avatar]").waitFor();
    assert.equal(await page.title(), "飞升在线教育-我的订单");
    const remembered = await page.evaluate(() => Boolean(localStorage.getItem("fsapi.token")));
    assert.ok(remembered, "remember me keeps the token in localStorage");
  });

  it("shows the profile in the user header band and the info page", async () => {
    await page.goto(`${BASE}/user`);
    assert.equal(await page.title(), "飞升在线教育-个人信息");
    await page.locator("[data-test=profile-view]").waitFor();
    assert.equal((await page.locator("[data-test=user-name]").innerText()).trim(), "墨落");
    assert.equal((await page.locator("[data-test=profile-position]").innerText()).trim(), "CG影视动画师");
    assert.ok((await number("[data-test=user-credit]")) >= 0);
    await shot(page, "02-user-info");
  });

  it("edits the profile and uploads an avatar", async () => {
    await page.click("[data-test=profile-edit]");
    await page.locator("[data-test=profile-form]").waitFor();
    await page.fill("input[name=city]", "杭州");
    await page.fill("input[name=position]", "全栈工程师");
    await page.fill("textarea[name=signature]", "学以致用，步步飞升");
    await page.locator(".el-radio", { hasText: "女" }).click();
    await page.setInputFiles(".avatar-uploader input[type=file]", {
      name: "avatar.png",
      mimeType: "image/png",
      buffer: pngBytes(),
    });
    await page.locator(".el-message--success", { hasText: "头像已更新" }).waitFor();
    await shot(page, "03-profile-edit");
    await page.click("[data-test=profile-save]");
    await page.locator("[data-test=profile-view]").waitFor();
    assert.equal((await page.locator("[data-test=profile-city]").innerText()).trim(), "杭州");
    assert.equal((await page.locator("[data-test=profile-gender]").innerText()).trim(), "女");
    // survives a reload: the header avatar is the uploaded one, the page shows the saved fields
    await page.reload();
    await page.locator("[data-test=profile-view]").waitFor();
    await waitFor(
      async () => (await page.locator("[data-test=header-avatar] img").getAttribute("src"))?.includes("/uploads/"),
      "the header shows the uploaded avatar",
    );
    assert.equal((await page.locator("[data-test=profile-position]").innerText()).trim(), "全栈工程师");
    assert.match(await page.locator(".user-desc").innerText(), /学以致用/);
    await shot(page, "04-user-info-edited");
  });

  it("lists the courses and shows one", async () => {
    await page.goto(`${BASE}/project`);
    assert.equal(await page.title(), "飞升在线教育-课程列表");
    await page.locator("[data-test=course-card]").first().waitFor();
    assert.ok((await page.locator("[data-test=course-card]").count()) >= 5);
    await shot(page, "05-course-list");
    await page.locator("[data-test=course-card] .name").first().click();
    await page.waitForURL(/\/project\/\d+$/);
    await page.locator("[data-test=course-name]").waitFor();
    await shot(page, "06-course-detail");
  });

  describe("orders", () => {
    let api;
    let checkoutOrder; // made through the cart and checkout pages, with a coupon and credit
    let usedCredit = 0;
    let usedCoupon = false;
    const apiOrders = []; // made through the API, unpaid: more pages, and one to pay
    const counts = {}; // orders per tab, from the API: {-1: all, 0: unpaid, …}

    /** Every order of the demo user, newest first, as the API lists them. */
    const allOrders = async () => (await api.get("/order/list/?size=50")).data.results;
    /** The page (of `size`) of the 全部 tab that shows the order. */
    const pageOf = async (orderNumber, size = 5) =>
      Math.floor((await allOrders()).findIndex((order) => order.order_number === orderNumber) / size) + 1;

    async function countOrders() {
      for (const status of [-1, 0, 1, 2, 3]) counts[status] = (await api.get(`/order/list/?status=${status}&size=1`)).data.count;
    }

    async function emptyCart() {
      for (const line of (await api.get("/cart/")).data) await api.delete(`/cart/?course_id=${line.id}`);
    }

    /** Courses the demo may order now: not owned (paid) and in no unpaid order. */
    async function orderableCourses() {
      const blocked = new Set(
        (await allOrders())
          .filter((order) => order.order_status === 0 || order.order_status === 1)
          .flatMap((order) => order.order_courses.map((line) => line.course_id)),
      );
      return (await api.get("/course/?size=50")).data.results.filter((course) => !blocked.has(course.id));
    }

    /** A course a coupon of the demo's applies to (activity prices and coupons do not stack). */
    async function courseWithCoupon(courses) {
      for (const course of courses.filter((item) => !item.discount?.price)) {
        await emptyCart();
        await api.post("/cart/", { course_id: course.id });
        const usable = (await api.get("/coupon/enable/")).data?.coupon_list || [];
        await emptyCart();
        if (usable.length) return course;
      }
      return courses.find((item) => !item.discount?.price) || courses[0];
    }

    async function goToOrderPage(orderNumber) {
      await page.goto(`${BASE}/user/order`);
      await listShows({ status: -1, page: 1, size: 5 });
      const wanted = await pageOf(orderNumber);
      if (wanted !== 1) await goToPage(wanted);
      const target = card(orderNumber);
      await target.waitFor();
      return target;
    }

    it("orders a course through the cart and checkout pages", async () => {
      api = await apiFor(page);
      const course = await courseWithCoupon(await orderableCourses());
      assert.ok(course, "a course the demo can order");
      await page.goto(`${BASE}/project/${course.id}`);
      await page.click("[data-test=buy-now]");
      await page.waitForURL(`${BASE}/cart`);
      const line = page.locator(`[data-test=cart-line][data-course-id="${course.id}"]`);
      await line.waitFor();
      await shot(page, "07-cart");
      // untick and tick again: the total, the checkout button and the server's cart follow
      await line.locator("[data-test=line-select]").click();
      await waitFor(async () => (await page.locator("[data-test=cart-total]").innerText()) === "¥0.00", "total 0");
      assert.equal(await page.locator("[data-test=checkout]").isDisabled(), true);
      await waitFor(async () => (await api.get("/cart/")).data[0].selected === false, "the line is unticked on the server");
      await page.locator("[data-test=select-all]").click();
      await waitFor(async () => (await api.get("/cart/")).data[0].selected === true, "the line is ticked on the server");
      assert.equal(await page.locator("[data-test=checkout]").isDisabled(), false);
      await page.click("[data-test=checkout]");
      await page.waitForURL(`${BASE}/order`);
      await page.locator("[data-test=checkout-line]").first().waitFor();
      await page.locator("[data-test=has-credit]").waitFor();
      const coupon = page.locator("[data-test=coupon-option]:not(.is-disabled)").first();
      if (await coupon.count()) {
        await coupon.click();
        usedCoupon = true;
      }
      assert.ok(usedCoupon, "a coupon to choose on the checkout page");
      usedCredit = Math.min(50, course.credit);
      await page.fill("[data-test=credit-input] input", String(usedCredit));
      await page.locator("[data-test=credit-input] input").press("Tab");
      await shot(page, "08-checkout");
      // the order is created, the cashier opens in a new window, the page waits for the payment
      const popupComing = page.context().waitForEvent("page");
      await page.click("[data-test=submit-order]");
      const cashier = await popupComing;
      await cashier.waitForLoadState();
      await shot(cashier, "09-cashier");
      await cashier.close();
      await page.locator(".el-dialog", { hasText: "等待支付结果" }).getByText("稍后支付，查看订单").click();
      await page.waitForURL(`${BASE}/user/order`);
      checkoutOrder = (await allOrders())[0];
      assert.equal(checkoutOrder.order_status, 0);
      assert.equal(checkoutOrder.order_courses[0].course_id, course.id);
      assert.equal(checkoutOrder.credit, usedCredit);
      assert.equal(Boolean(checkoutOrder.coupon?.id), usedCoupon);
    });

    it("has more orders made through the API", async () => {
      for (const course of await orderableCourses()) {
        await emptyCart();
        if ((await api.post("/cart/", { course_id: course.id })).status !== 200) continue;
        const created = await api.post("/order/", { pay_type: 0, user_coupon_id: -1, credit: 0 });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        apiOrders.push(created.data);
      }
      await countOrders();
      assert.ok(apiOrders.length >= 1, "at least one more unpaid order");
      assert.ok(counts[-1] > 5, `more orders than one page holds (${counts[-1]})`);
    });

    it("lists my orders: tabs from the API, the count on the active tab, five per page", async () => {
      await page.goto(`${BASE}/user/order`);
      await listShows({ status: -1, page: 1, size: 5 });
      // the tabs are the API's statuses (已退款 too, once the server answers it)
      const labels = (await api.get("/order/pay/status/")).data.map(([, label]) => label);
      assert.deepEqual(labels.slice(0, 4), ["未支付", "已支付", "已取消", "已超时"]);
      assert.deepEqual(await texts(".status-tabs li a"), [`全部${counts[-1]}`, ...labels]);
      assert.equal(await cardCount(), 5);
      assert.match(await page.locator(".el-pagination__total").innerText(), new RegExp(`${counts[-1]}`));
      const newest = apiOrders.at(-1).order_number;
      assert.equal(await page.locator(".order-card").first().getAttribute("data-order-number"), newest);
      assert.match(await card(newest).locator("[data-test=countdown]").innerText(), /剩余 1[45]:\d\d 自动关闭/);
      await shot(page, "10-orders-all");
    });

    it("shows the discount lines of the order that used a coupon and credit", async () => {
      const target = await goToOrderPage(checkoutOrder.order_number);
      const lines = await target.locator("[data-test=discount-line]").allInnerTexts();
      if (usedCoupon) assert.ok(lines.some((line) => line.includes("优惠券折扣")), lines.join("|"));
      assert.ok(lines.some((line) => line.includes("积分折扣")), lines.join("|"));
      assert.match(await target.innerText(), /使用积分/);
      await shot(page, "11-orders-discounts");
    });

    it("keeps the page in the URL across a reload", async () => {
      await goToPage(2);
      assert.match(page.url(), /\/user\/order\?page=2$/);
      await page.reload();
      await listShows({ status: -1, page: 2, size: 5 });
      assert.equal(await activePage(), 2);
    });

    it("changes the page size, back to page 1", async () => {
      await goToPage(2);
      await chooseSize(10);
      assert.equal(await activePage(), 1);
      assert.equal(await cardCount(), Math.min(counts[-1], 10));
      await shot(page, "12-orders-size-10");
      await chooseSize(5);
      assert.equal(await cardCount(), 5);
    });

    it("switches status tabs, back to page 1, with the count on the active tab", async () => {
      await goToPage(2);
      const tabs = [["未支付", 0], ["已支付", 1], ["已取消", 2], ["已超时", 3]];
      for (const [index, [label, status]] of tabs.entries()) {
        await openTab(label);
        assert.equal(await activePage(), 1);
        assert.equal(await number("[data-test=tab-count]"), counts[status]);
        assert.equal(await cardCount(), Math.min(counts[status], 5));
        const statuses = await page.locator(".order-card").evaluateAll((cards) => cards.map((c) => c.dataset.status));
        assert.ok(statuses.every((value) => Number(value) === status), `${label} shows only its orders`);
        await shot(page, `${13 + index}-orders-tab-${status}`);
      }
      await openTab("全部");
    });

    it("cancels an unpaid order and gives back its credit and coupon", async () => {
      const target = await goToOrderPage(checkoutOrder.order_number);
      await page.locator("[data-test=user-coupons]", { hasText: /\d/ }).waitFor();
      const creditBefore = await number("[data-test=user-credit]");
      const couponsBefore = await number("[data-test=user-coupons]");
      await target.locator("[data-test=cancel-order]").click();
      await page.locator(".el-message-box").getByRole("button", { name: "确定取消" }).click();
      await page.locator(".el-message--success", { hasText: "订单已取消" }).waitFor();
      await waitFor(async () => (await target.getAttribute("data-status")) === "2", "the order shows 已取消");
      await waitFor(async () => (await number("[data-test=user-credit]")) === creditBefore + usedCredit, `credit back (+${usedCredit})`);
      if (usedCoupon) {
        await waitFor(async () => (await number("[data-test=user-coupons]")) === couponsBefore + 1, "coupon back");
      }
      assert.equal(await target.locator("[data-test=pay-now]").count(), 0);
      assert.equal(await target.locator("[data-test=recover-order]").count(), 1);
      await shot(page, "17-order-cancelled");
    });

    it("pays an order through the local sandbox cashier", async () => {
      const target = await goToOrderPage(apiOrders.at(-1).order_number);
      const popupComing = page.context().waitForEvent("page");
      await target.locator("[data-test=pay-now]").click();
      const cashier = await popupComing;
      await cashier.waitForLoadState();
      await shot(cashier, "18-sandbox-cashier");
      await cashier.locator("button, input[type=submit]").filter({ hasText: /支付|付款/ }).first().click();
      await cashier.waitForURL(/\/alipay\?/);
      await cashier.locator("[data-test=pay-result]", { hasText: "支付成功" }).waitFor();
      await shot(cashier, "19-alipay-return");
      await cashier.close();
      // the orders page polls every 5 s and shows the order paid
      await waitFor(async () => (await target.getAttribute("data-status")) === "1", "the order shows 已支付", 20000);
      await target.locator(".order-paid", { hasText: "已支付" }).waitFor();
      await shot(page, "20-order-paid");
      await openTab("已支付");
      assert.equal(await number("[data-test=tab-count]"), counts[1] + 1);
      await openTab("全部");
    });

    it("puts a cancelled order's courses back in the cart", async () => {
      await emptyCart();
      const target = await goToOrderPage(checkoutOrder.order_number);
      await target.locator("[data-test=recover-order]").click();
      await page.locator(".el-message--success", { hasText: "已加回购物车" }).waitFor();
      await waitFor(async () => (await page.evaluate(() => Number(localStorage.getItem("fsapi.cart_total")))) === 1, "cart total 1");
      assert.equal((await page.locator("[data-test=header-cart] .el-badge__content").innerText()).trim(), "1");
      const cart = (await api.get("/cart/")).data;
      assert.deepEqual(cart.map((line) => line.id), [checkoutOrder.order_courses[0].course_id]);
    });

    it("removes a line from the cart page", async () => {
      await page.goto(`${BASE}/cart`);
      const line = page.locator("[data-test=cart-line]");
      await line.first().waitFor();
      await line.first().locator("[data-test=line-remove]").click();
      await page.locator(".el-message--success", { hasText: "已从购物车删除" }).waitFor();
      await line.first().waitFor({ state: "detached" });
      await page.locator("[data-test=header-cart] .el-badge__content").waitFor({ state: "hidden" });
      assert.deepEqual((await api.get("/cart/")).data, []);
    });

    it("deletes a cancelled order", async () => {
      const target = await goToOrderPage(checkoutOrder.order_number);
      await target.locator("[data-test=delete-order]").click();
      await page.locator(".el-message-box").getByRole("button", { name: "确定删除" }).click();
      await page.locator(".el-message--success", { hasText: "订单已删除" }).waitFor();
      await target.waitFor({ state: "detached" });
      await waitFor(async () => (await number("[data-test=tab-count]")) === counts[-1] - 1, "全部 counts one order less");
      assert.equal((await allOrders()).some((order) => order.id === checkoutOrder.id), false);
      await shot(page, "21-order-deleted");
    });
  });

  it("logs out from the avatar menu, and private pages need a login again", async () => {
    await page.goto(`${BASE}/user`);
    await page.locator("[data-test=header-avatar]").hover();
    await page.locator(".el-dropdown-menu__item:visible", { hasText: "注销登录" }).click();
    await page.waitForURL(/\/login/);
    assert.equal(await page.evaluate(() => localStorage.getItem("fsapi.token")), null);
    await page.goto(`${BASE}/user/order`);
    await page.waitForURL(LOGIN_FOR_ORDERS);
    await shot(page, "22-logged-out");
  });

  it("logs out and asks for a login when the server refuses the saved token (401)", async () => {
    await page.goto(`${BASE}/login`);
    await page.fill("input[name=username]", DEMO.username);
    await page.fill("input[name=password]", DEMO.password);
    await page.click("[data-test=login-submit]");
    await page.locator("[data-test=header-avatar]").waitFor();
    // same payload, broken signature: the client still believes it, the server does not
    await page.evaluate(() => {
      const token = localStorage.getItem("fsapi.token");
      localStorage.setItem("fsapi.token", token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA"));
    });
    const seen = session.problems.length;
    await page.goto(`${BASE}/user/order`);
    await page.waitForURL(LOGIN_FOR_ORDERS);
    assert.equal(await page.evaluate(() => localStorage.getItem("fsapi.token")), null);
    await page.locator(".el-message--warning").waitFor();
    // the refused calls are this step's point, not problems
    const refused = session.problems.splice(seen);
    assert.ok(refused.length && refused.every((problem) => problem.includes("401")), refused.join("\n"));
  });

  it("had no console errors, page errors or failed API calls", () => {
    // the wrong password, on purpose: its 401 and the browser's console line about it
    const expected = (problem) =>
      problem.includes("/user/login/") ||
      (problem.includes("the server responded with a status of 401") && problem.includes("/login"));
    const unexpected = session.problems.filter((problem) => !expected(problem));
    assert.deepEqual(unexpected, []);
  });
});
