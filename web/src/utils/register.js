/** The registration rules of the API (SPEC §3): a mainland mobile number, a password of 8–18
 * characters, typed twice the same. The form checks them before a request. */
export const MOBILE_PATTERN = /^1[3-9]\d{9}$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 18;

export function checkMobile(mobile) {
  if (!mobile) return "请输入手机号";
  if (!MOBILE_PATTERN.test(mobile)) return "手机号格式不正确";
  return "";
}

export function checkPassword(password) {
  if (!password) return "请输入密码";
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) return `密码长度为 ${PASSWORD_MIN}–${PASSWORD_MAX} 位`;
  return "";
}

export function checkRePassword(password, rePassword) {
  if (!rePassword) return "请再次输入密码";
  if (password !== rePassword) return "两次输入的密码不一致";
  return "";
}

/** Element Plus form rules built from the checks above. */
export function registerRules(form) {
  const rule = (check) => ({
    trigger: "blur",
    validator: (_rule, value, callback) => {
      const problem = check(value);
      callback(problem ? new Error(problem) : undefined);
    },
  });
  return {
    mobile: [rule(checkMobile)],
    password: [rule(checkPassword)],
    re_password: [rule((value) => checkRePassword(form.password, value))],
  };
}
