import { createApp } from "vue";
import { createPinia } from "pinia";
import ElementPlus, { ElMessage } from "element-plus";
import zhCn from "element-plus/es/locale/lang/zh-cn";
import "element-plus/dist/index.css";

import App from "./App.vue";
import router from "./router";
import { useUserStore } from "./stores/user";
import { configureHttp } from "./utils/http";
import "./styles.css";

const app = createApp(App);
app.use(createPinia());

const store = useUserStore();
store.restore();

let redirecting = false;
configureHttp({
  token: () => store.token,
  onUnauthorized: (message) => {
    store.logout();
    if (redirecting) return;
    redirecting = true;
    ElMessage({ type: "warning", message: message || "登录已失效，请重新登录", grouping: true });
    const next = router.currentRoute.value.fullPath;
    router.push({ name: "Login", query: next.startsWith("/login") ? {} : { next } }).finally(() => {
      redirecting = false;
    });
  },
});

app.use(router);
app.use(ElementPlus, { locale: zhCn });
app.mount("#app");

// the token's profile is as old as the login: refresh avatar, nickname and credit once per visit
if (store.isLoggedIn) store.loadProfile().catch(() => {});
