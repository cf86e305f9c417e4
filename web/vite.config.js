import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";
import Components from "unplugin-vue-components/vite";
import { ElementPlusResolver } from "unplugin-vue-components/resolvers";

// `npm run dev` serves the app on 5173 and forwards API calls to Django (FSAPI_PORT, default 8000).
// `/user`, `/cart` and `/order` are both SPA routes and API prefixes: a browser navigation
// (Accept: text/html) stays in Vite, everything else goes to Django.
const api = `http://127.0.0.1:${process.env.FSAPI_PORT || 8000}`;
const API_PREFIXES = "^/(user|course|cart|coupon|order|payments|uploads|static|api|admin|healthz)";

function bypassNavigation(req) {
  if (req.method === "GET" && (req.headers.accept || "").includes("text/html") && !req.url.startsWith("/admin")) {
    return "/index.html";
  }
  return undefined;
}

export default defineConfig({
  plugins: [
    vue(),
    // Element Plus on demand: each <el-…> tag (and v-loading) in a template imports that component
    // and its CSS only, so a page's chunk carries what it uses. Services (ElMessage, ElMessageBox)
    // are imported by hand in utils/message.js, with their CSS.
    Components({ dts: false, dirs: [], resolvers: [ElementPlusResolver({ importStyle: "css", directives: true })] }),
  ],
  server: {
    port: 5173,
    proxy: {
      [API_PREFIXES]: { target: api, changeOrigin: false, bypass: bypassNavigation },
    },
  },
  build: {
    outDir: "dist",
    assetsDir: "assets",
  },
  test: {
    environment: "jsdom",
    include: ["tests/**/*.test.js"],
  },
});
