/** A review as the API takes it (SPEC §9.5): `score` an integer 1–5, `content` at most 500
 * characters. Checked here first so the form says what is wrong before a request. */
export const MAX_REVIEW_LENGTH = 500;

/** The first problem with `{score, content}`, or "" when the API would take it. */
export function checkReview({ score, content = "" } = {}) {
  if (!Number.isInteger(score) || score < 1 || score > 5) return "请选择 1–5 星的评分";
  if (String(content).trim().length > MAX_REVIEW_LENGTH) return `评价最多 ${MAX_REVIEW_LENGTH} 字`;
  return "";
}
