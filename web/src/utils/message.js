/**
 * The app's one way to show a message: a new message replaces the one on screen (an old error
 * must not stay up after the action that fixed it, e.g. a failed then a successful login), and a
 * confirm box. Element Plus's services are imported here, with their CSS, because on-demand
 * imports only cover the components used in templates.
 */
import { ElMessage, ElMessageBox } from "element-plus";
// the CSS the two services need (what element-plus/es/components/*/style/css would import)
import "element-plus/theme-chalk/el-badge.css";
import "element-plus/theme-chalk/el-message.css";
import "element-plus/theme-chalk/el-input.css";
import "element-plus/theme-chalk/el-button.css";
import "element-plus/theme-chalk/el-overlay.css";
import "element-plus/theme-chalk/el-message-box.css";

function show(type, message, options = {}) {
  ElMessage.closeAll();
  return ElMessage({ type, message, showClose: type === "error", ...options });
}

export const toast = {
  success: (message, options) => show("success", message, options),
  error: (message, options) => show("error", message, options),
  warning: (message, options) => show("warning", message, options),
  info: (message, options) => show("info", message, options),
  closeAll: () => ElMessage.closeAll(),
};

/** Ask before a change that cannot be undone; resolves true when confirmed. */
export async function confirmAction(message, title, confirmButtonText, cancelButtonText = "再想想") {
  try {
    await ElMessageBox.confirm(message, title, { type: "warning", confirmButtonText, cancelButtonText });
    return true;
  } catch {
    return false;
  }
}

export function alertHtml(html, title, confirmButtonText) {
  return ElMessageBox.alert(html, title, { dangerouslyUseHTMLString: true, confirmButtonText }).catch(() => {});
}
