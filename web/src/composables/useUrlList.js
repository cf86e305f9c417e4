/**
 * A paginated list of the user center whose tab, page and size live in the URL query (see
 * utils/listQuery.js): it loads on mount and on every change of that query, answers the page's
 * `items`, `count` and the whole `data` (a list may carry more, e.g. the balance), and marks each
 * finished load in `loaded` ("tab|page|size|n") so tests can wait for it. `filters()` (optional)
 * answers more of the query to fetch by (e.g. an order number): a change of it loads again too.
 */
import { computed, onMounted, ref, watch } from "vue";
import { useRoute, useRouter } from "vue-router";

import { readListQuery, writeListQuery } from "../utils/listQuery";

export function useUrlList(fetchPage, { tabs = [], defaultTab, tabKey = "status", sizes, filters = () => ({}) } = {}) {
  const route = useRoute();
  const router = useRouter();
  const routeName = route.name;
  const options = { tabs, defaultTab, tabKey, ...(sizes ? { sizes } : {}) };
  const state = computed(() => readListQuery(route.query, options));
  const items = ref([]);
  const count = ref(0);
  const data = ref(null);
  const loading = ref(false);
  const failed = ref("");
  const loaded = ref("");

  let pending = null;
  function go(changes, { replace = false } = {}) {
    const query = writeListQuery(pending || route.query, changes, options);
    pending = query;
    return (replace ? router.replace : router.push)({ path: route.path, query }).finally(() => {
      if (pending === query) pending = null;
    });
  }

  let request = 0;
  let loads = 0;
  async function load() {
    const mine = ++request;
    const { tab, page, size } = state.value;
    loading.value = true;
    try {
      const answer = await fetchPage({ ...filters(), tab, page, size });
      if (mine !== request) return;
      data.value = answer;
      items.value = answer?.results || [];
      count.value = answer?.count || 0;
      failed.value = "";
    } catch (error) {
      if (mine !== request) return;
      if (error.status === 404 && page > 1) {
        go({ page: page - 1 }, { replace: true }); // past the end (the list shrank): the last page
        return;
      }
      items.value = [];
      count.value = 0;
      failed.value = error.message || "加载失败";
    } finally {
      if (mine === request) {
        loading.value = false;
        loaded.value = `${tab}|${page}|${size}|${++loads}`;
      }
    }
  }

  watch(
    () => (route.name === routeName ? JSON.stringify([state.value, filters()]) : null),
    (key, before) => key && key !== before && load(),
  );
  onMounted(load);

  return {
    tab: computed(() => state.value.tab),
    page: computed(() => state.value.page),
    size: computed(() => state.value.size),
    items,
    count,
    data,
    loading,
    failed,
    loaded,
    go,
    load,
  };
}
