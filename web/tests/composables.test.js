/* eslint-disable vue/one-component-per-file -- throwaway route stubs to mount the composables in */
import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("../src/utils/message", () => ({ toast: { success: vi.fn(), error: vi.fn() } }));

import { createApp, defineComponent, h, nextTick } from "vue";
import { createMemoryHistory, createRouter, RouterView, useRoute } from "vue-router";
import { createPinia, setActivePinia } from "pinia";

import { useAuthForm } from "../src/composables/useAuthForm";
import { useUrlList } from "../src/composables/useUrlList";
import { useUserStore } from "../src/stores/user";
import { toast } from "../src/utils/message";

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Mount `setup` as a route component at `path` (name "Here"), with a router and Pinia. */
async function mountAt(path, setup) {
  const Page = defineComponent({ setup: () => (setup(), () => h("div")) });
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: "/here", name: "Here", component: Page },
      { path: "/next", name: "Next", component: { render: () => h("p") } },
      { path: "/", component: { render: () => h("p") } },
    ],
  });
  const pinia = createPinia();
  setActivePinia(pinia);
  const app = createApp({ render: () => h(RouterView) });
  app.use(router).use(pinia);
  await router.push(path);
  await router.isReady();
  app.mount(document.createElement("div"));
  await flush();
  return { router, unmount: () => app.unmount() };
}

afterEach(() => vi.clearAllMocks());

describe("useUrlList with filters", () => {
  it("fetches by the filters as well as tab, page and size, and again when a filter changes", async () => {
    const fetchPage = vi.fn(async () => ({ results: [{ id: 1 }], count: 1 }));
    let list;
    const { router, unmount } = await mountAt("/here?status=1&page=2&number=42", () => {
      const route = useRoute();
      list = useUrlList(fetchPage, {
        tabs: [-1, 0, 1],
        defaultTab: -1,
        filters: () => (route.query.number ? { order_number: route.query.number } : {}),
      });
    });
    expect(fetchPage).toHaveBeenLastCalledWith({ tab: 1, page: 2, size: 5, order_number: "42" });
    expect(list.items.value).toEqual([{ id: 1 }]);
    await router.push("/here?status=1&page=2&number=43");
    await flush();
    expect(fetchPage).toHaveBeenCalledTimes(2);
    expect(fetchPage).toHaveBeenLastCalledWith({ tab: 1, page: 2, size: 5, order_number: "43" });
    await router.push("/here?status=1&page=2&number=43&other=x"); // not a filter: no load
    await flush();
    expect(fetchPage).toHaveBeenCalledTimes(2);
    unmount();
  });

  it("goes back a page when the page is past the end, and marks failures", async () => {
    const fetchPage = vi.fn(async ({ page }) => {
      if (page > 2) throw Object.assign(new Error("无效页面"), { status: 404 });
      if (page === 2) return { results: [{ id: 6 }], count: 6 };
      throw Object.assign(new Error("服务器错误"), { status: 500 });
    });
    let list;
    const { router, unmount } = await mountAt("/here?page=3", () => {
      list = useUrlList(fetchPage, { tabs: [-1], defaultTab: -1 });
    });
    await flush();
    expect(router.currentRoute.value.query.page).toBe("2");
    expect(list.items.value).toEqual([{ id: 6 }]);
    await router.push("/here");
    await flush();
    expect(list.failed.value).toBe("服务器错误");
    expect(list.items.value).toEqual([]);
    unmount();
  });
});

describe("useAuthForm", () => {
  function form(valid = true) {
    return { validate: vi.fn(() => (valid ? Promise.resolve(true) : Promise.reject(new Error("invalid")))) };
  }

  it("checks the form, keeps the session, greets and goes to ?next=", async () => {
    let auth;
    const send = vi.fn(async () => ({ token: "t" }));
    const { router, unmount } = await mountAt("/here?next=/next", () => {
      auth = useAuthForm({ send, remember: () => false, welcome: (user) => `欢迎回来，${user.username}` });
    });
    const store = useUserStore();
    const login = vi.spyOn(store, "login").mockImplementation(() => {});
    store.$patch({ user: { username: "demo" } });
    auth.formRef.value = form();
    await auth.submit();
    await flush();
    expect(send).toHaveBeenCalledTimes(1);
    expect(login).toHaveBeenCalledWith({ token: "t" }, false);
    expect(toast.success).toHaveBeenCalledWith("欢迎回来，demo");
    expect(router.currentRoute.value.path).toBe("/next");
    expect(auth.loading.value).toBe(false);
    unmount();
  });

  it("sends nothing when the form does not check out, and stays on a refusal", async () => {
    let auth;
    const send = vi.fn(async () => {
      throw Object.assign(new Error("密码错误"), { status: 400 });
    });
    const { router, unmount } = await mountAt("/here", () => {
      auth = useAuthForm({ send, welcome: () => "" });
    });
    auth.formRef.value = form(false);
    await auth.submit();
    expect(send).not.toHaveBeenCalled();
    auth.formRef.value = form();
    await auth.submit();
    await nextTick();
    expect(send).toHaveBeenCalledTimes(1);
    expect(toast.success).not.toHaveBeenCalled();
    expect(router.currentRoute.value.path).toBe("/here");
    expect(auth.loading.value).toBe(false);
    unmount();
  });
});
