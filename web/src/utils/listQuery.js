/**
 * A list page's tab, page and page size kept in the URL query (`?status=1&page=2&size=10`), so a
 * reload or a shared link shows the same list. Defaults are left out of the URL; anything that is
 * not a valid value reads as the default (a hand-edited `?page=abc` is page 1, not an error).
 */
export const PAGE_SIZES = Object.freeze([5, 10, 15, 20]);

function positiveInt(value) {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== "string" && typeof text !== "number") return null;
  if (!/^\d+$/.test(String(text))) return null;
  const number = Number(text);
  return number >= 1 ? number : null;
}

/**
 * `{tab, page, size}` from a route query. `tabs` lists the valid tab values (numbers or strings);
 * `tabKey` is the query key of the tab.
 */
export function readListQuery(query = {}, { tabs = [], defaultTab, tabKey = "status", sizes = PAGE_SIZES } = {}) {
  const rawTab = Array.isArray(query[tabKey]) ? query[tabKey][0] : query[tabKey];
  const tab = tabs.find((value) => String(value) === String(rawTab)) ?? defaultTab;
  const page = positiveInt(query.page) ?? 1;
  const sizeValue = positiveInt(query.size);
  const size = sizes.includes(sizeValue) ? sizeValue : sizes[0];
  return { tab, page, size };
}

/**
 * The query for `{tab, page, size}`, keeping the other keys of `current` (e.g. an order number
 * filter) and leaving defaults out. Changing the tab or the size starts again at page 1.
 */
export function writeListQuery(current = {}, changes = {}, { defaultTab, tabKey = "status", sizes = PAGE_SIZES } = {}) {
  const before = readListQuery(current, { tabs: [changes.tab, current[tabKey]].filter((v) => v !== undefined), defaultTab, tabKey, sizes });
  const tab = changes.tab !== undefined ? changes.tab : before.tab;
  const size = changes.size !== undefined ? changes.size : before.size;
  let page = changes.page !== undefined ? changes.page : before.page;
  if ((changes.tab !== undefined && String(changes.tab) !== String(before.tab)) || (changes.size !== undefined && changes.size !== before.size)) {
    page = changes.page ?? 1;
  }
  const query = { ...current };
  delete query[tabKey];
  delete query.page;
  delete query.size;
  if (tab !== undefined && String(tab) !== String(defaultTab)) query[tabKey] = String(tab);
  if (page > 1) query.page = String(page);
  if (size !== sizes[0]) query.size = String(size);
  return query;
}
