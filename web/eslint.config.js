// ESLint on web/ (flat config): the recommended JS rules and eslint-plugin-vue's recommended
// rules for Vue 3. Formatting is left alone (no stylistic rules): this catches mistakes.
import js from "@eslint/js";
import pluginVue from "eslint-plugin-vue";
import globals from "globals";

export default [
  { ignores: ["dist/**", "node_modules/**"] },
  js.configs.recommended,
  ...pluginVue.configs["flat/recommended"],
  {
    files: ["**/*.{js,mjs,vue}"],
    languageOptions: {
      ecmaVersion: "latest",
      sourceType: "module",
      globals: { ...globals.browser },
    },
    rules: {
      // layout of attributes and tags is the formatter's business, not a lint error
      "vue/max-attributes-per-line": "off",
      "vue/singleline-html-element-content-newline": "off",
      "vue/multiline-html-element-content-newline": "off",
      "vue/html-self-closing": "off",
      "vue/html-indent": "off",
      "vue/html-closing-bracket-newline": "off",
      "vue/attributes-order": "off",
      "no-unused-vars": ["error", { argsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // route components keep the tutorial's page names (Login.vue, Cart.vue, user/Orders.vue…)
    files: ["src/views/**/*.vue"],
    rules: { "vue/multi-word-component-names": "off" },
  },
  {
    // node code: the e2e tests, the build config
    files: ["e2e/**/*.mjs", "vite.config.js", "eslint.config.js"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ["tests/**/*.js"],
    languageOptions: { globals: { ...globals.node } },
  },
];
