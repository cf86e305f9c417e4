/**
 * The submit of the login and registration forms: check the form, send it, keep the session the
 * API answered (both answer the same token object), greet, and go where the login guard came from
 * (`?next=`, see utils/nextPath.js). A refusal is shown by the http module.
 */
import { ref } from "vue";
import { useRoute, useRouter } from "vue-router";

import { useUserStore } from "../stores/user";
import { toast } from "../utils/message";
import { nextPath } from "../utils/nextPath";

/** `send()` posts the form and answers the token object; `remember()` keeps the session across
 * browser restarts; `welcome(user)` is the greeting. */
export function useAuthForm({ send, remember = () => true, welcome }) {
  const store = useUserStore();
  const route = useRoute();
  const router = useRouter();
  const formRef = ref();
  const loading = ref(false);

  async function submit() {
    if (!(await formRef.value.validate().catch(() => false))) return;
    loading.value = true;
    try {
      const answer = await send();
      store.login(answer, remember());
      toast.success(welcome(store.user));
      router.replace(nextPath(route.query.next));
    } catch {
      // the http module already showed the server's reason (wrong password, mobile taken…)
    } finally {
      loading.value = false;
    }
  }

  return { formRef, loading, submit };
}
