/** What the e2e tests share: the browser, a page that records console errors, screenshots that
 * also check for broken images, and a small API client for setting up orders. */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { deflateSync } from "node:zlib";

import { chromium } from "playwright-core";

export const BASE = (process.env.E2E_BASE_URL || "http://127.0.0.1:8002").replace(/\/$/, "");
export const ARTIFACTS = process.env.E2E_ARTIFACTS || path.resolve(import.meta.dirname, "../../test-artifacts/e2e");
export const DEMO = { username: "demo", password: "demo123456" };

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** The two widths every page is checked at: a desktop and a phone (iPhone 12-14's CSS width). */
export const WIDE = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

export async function launch(viewport = WIDE) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const context = await browser.newContext({ viewport, locale: "zh-CN" });
  context.setDefaultTimeout(15000);
  const problems = [];
  const watch = (page) => {
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console error on ${page.url()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
    page.on("response", (response) => {
      if (response.status() >= 400 && response.url().startsWith(BASE)) {
        problems.push(`HTTP ${response.status()} ${response.request().method()} ${response.url()}`);
      }
    });
  };
  context.on("page", watch);
  const page = await context.newPage();
  return { browser, context, page, problems };
}

/** Save a full-page screenshot after the page settled, and fail on any broken image. */
export async function shot(page, name) {
  await page.waitForLoadState("networkidle").catch(() => {});
  await page.waitForFunction(() => [...document.images].every((image) => image.complete), null, { timeout: 10000 });
  const broken = await page.evaluate(() =>
    [...document.images].filter((image) => image.naturalWidth === 0).map((image) => image.src || "(no src)"),
  );
  // transitions finished first: a picture shows the state the page settled in, not a fade
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true, animations: "disabled" });
  if (broken.length) throw new Error(`broken images on ${page.url()}: ${broken.join(", ")}`);
}

/** Fail when the page scrolls sideways (wider than the window): the 390 px rule of SPEC §9.6. */
export async function assertFits(page, what = page.url()) {
  const { scrollWidth, innerWidth, wide } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    // the widest elements, to say what sticks out
    wide: [...document.querySelectorAll("body *")]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${[...element.classList].join(".")} right=${Math.round(element.getBoundingClientRect().right)}`),
  }));
  if (scrollWidth > innerWidth) {
    throw new Error(`${what}: the page is ${scrollWidth}px wide in a ${innerWidth}px window (${wide.join("; ")})`);
  }
}

/** Run Python in the system under test (manage.py shell, same environment as run.sh gave the
 * server): for what staff do in the admin, e.g. issue a coupon to a new customer. */
export function manageShell(script, env = {}) {
  const root = path.resolve(import.meta.dirname, "../..");
  return execFileSync(path.join(root, ".venv/bin/python"), ["manage.py", "shell"], {
    cwd: root,
    input: script,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
}

/** The JSON API as the logged-in page's user (token from the page's storage). */
export async function apiFor(page) {
  const token = await page.evaluate(() => localStorage.getItem("fsapi.token") || sessionStorage.getItem("fsapi.token"));
  if (!token) throw new Error("not logged in");
  const call = async (method, url, data) => {
    const response = await page.request.fetch(BASE + url, {
      method,
      headers: { Authorization: `jwt ${token}`, Accept: "application/json" },
      data,
    });
    const body = await response.json().catch(() => null);
    return { status: response.status(), body, data: body?.data };
  };
  return {
    get: (url) => call("GET", url),
    post: (url, data) => call("POST", url, data ?? {}),
    delete: (url) => call("DELETE", url),
  };
}

/** A small solid-colour PNG (for the avatar upload), built here so the test ships no binary. */
export function pngBytes(size = 64, [red, green, blue] = [240, 20, 20]) {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (buffer) => {
    let c = 0xffffffff;
    for (const byte of buffer) c = table[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(size).fill([red, green, blue]).flat())]);
  const pixels = deflateSync(Buffer.concat(Array(size).fill(row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", pixels),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
