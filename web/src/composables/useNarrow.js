/** True while the window is phone-sized (≤ 768 px, the CSS breakpoint of the app's pages): for
 * the few layouts CSS alone cannot switch (e.g. Element's pagination layout string). */
import { onBeforeUnmount, onMounted, ref } from "vue";

export const NARROW_QUERY = "(max-width: 768px)";

export function useNarrow() {
  const narrow = ref(typeof window !== "undefined" && window.matchMedia?.(NARROW_QUERY).matches);
  let list = null;
  const update = () => (narrow.value = Boolean(list?.matches));
  onMounted(() => {
    list = window.matchMedia?.(NARROW_QUERY);
    if (!list) return;
    update();
    list.addEventListener("change", update);
  });
  onBeforeUnmount(() => list?.removeEventListener("change", update));
  return narrow;
}
