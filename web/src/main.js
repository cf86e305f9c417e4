import { createApp } from "vue";
import { createPinia } from "pinia";
import "element-plus/theme-chalk/base.css";

import App from "./App.vue";
import router from "./router";
import { useUserStore } from "./stores/user";
import { configureHttp } from "./utils/http";
import { toast } from "./utils/message";
import "./styles.css";

const app = createApp(App);
app.use(createPinia());

const store = useUserStore();
store.restore();

let redirecting = false;
configureHttp({
  notify: (message) => toast.error(message),
  token: () => store.token,
  onUnauthorized: (message) => {
    // several requests in flight get the same 401: the first logs out and tells, the rest are quiet
    const wasLoggedIn = Boolean(store.token);
    store.logout();
    if (redirecting || !wasLoggedIn) return;
    redirecting = true;
    toast.warning(message || "登录已失效，请重新登录");
    // a 401 can come back before the first navigation ends (the profile is asked for at once):
    // wait for it, so that "next" is the page the visitor opened, not the start location "/"
    router
      .isReady()
      .then(() => {
        const next = router.currentRoute.value.fullPath;
        // already on the login page (the guard may have sent the visitor there): keep its "next"
        if (next.startsWith("/login")) return undefined;
        return router.push({ name: "Login", query: { next } });
      })
      .finally(() => {
        redirecting = false;
      });
  },
});

app.use(router);
app.mount("#app");

// the token's profile is as old as the login: refresh avatar, nickname and credit once per visit
if (store.isLoggedIn) store.loadProfile().catch(() => {});
