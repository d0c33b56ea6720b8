/* The ticket followed on a phone: every N seconds, fetch the page again and replace the
   ticket's block (an aria-live region), until the ticket is no longer active. */
(() => {
  "use strict";
  const block = () => document.getElementById("ticket-follow");
  const every = Number(block()?.dataset.refresh || 0) * 1000;
  if (!every) return;
  const refresh = async () => {
    try {
      const response = await fetch(location.href, { cache: "no-store" });
      if (!response.ok) throw new Error(String(response.status));
      const fresh = new DOMParser()
        .parseFromString(await response.text(), "text/html")
        .getElementById("ticket-follow");
      if (fresh) {
        block().replaceWith(fresh);
        if (!fresh.dataset.refresh) return; // served or closed: nothing more to follow
      }
    } catch (e) {
      /* weak link: try again at the next tick */
    }
    setTimeout(refresh, every);
  };
  setTimeout(refresh, every);
})();
