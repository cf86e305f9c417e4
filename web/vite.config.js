import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

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
  plugins: [vue()],
  server: {
    port: 5173,
    proxy: {
      [API_PREFIXES]: { target: api, changeOrigin: false, bypass: bypassNavigation },
    },
  },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        // Element Plus is large and changes less often than the app: its own cacheable chunk
        advancedChunks: {
          groups: [{ name: "element-plus", test: /node_modules[\\/](element-plus|@element-plus)/ }],
        },
      },
    },
  },
  test: {
    environment: "jsdom",
    include: ["tests/**/*.test.js"],
  },
});
