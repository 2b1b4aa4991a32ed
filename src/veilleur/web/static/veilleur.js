// Refresh the live part of the page every 15 s without reloading it, so a page left
// open on a wall screen or at night stays current. Nothing happens while the tab is
// hidden; a failed fetch leaves the page as it was and tries again next time.
//
// A person at work in a form of the live part holds the refresh: while a form field
// or button has the focus, a draft field ([data-draft]) holds text, or an action is
// on its way (form[aria-busy=true]). Swapping then would wipe what they typed or the
// answer they are reading. The refresh resumes by itself once they are done.
(function () {
  const PERIOD_MS = 15000;

  function holding(live) {
    const active = document.activeElement;
    if (active && active.closest("form") && live.contains(active)) return true;
    if (live.querySelector("form[aria-busy='true']")) return true;
    return Array.from(live.querySelectorAll("[data-draft]")).some(
      (field) => field.value.trim() !== ""
    );
  }

  async function refresh() {
    if (document.hidden) return;
    try {
      const answer = await fetch(window.location.href, { headers: { "X-Refresh": "1" } });
      if (!answer.ok) return;
      const page = new DOMParser().parseFromString(await answer.text(), "text/html");
      const fresh = page.querySelector("[data-live]");
      const clock = page.querySelector("[data-live-clock]");
      const live = document.querySelector("[data-live]");
      // Checked after the fetch: the person may have started typing meanwhile.
      if (!fresh || !live || holding(live)) return;
      live.innerHTML = fresh.innerHTML;
      if (clock) document.querySelector("[data-live-clock]").textContent = clock.textContent;
      document.dispatchEvent(new CustomEvent("veilleur:refreshed"));
    } catch (err) {
      // Network down or server restarting: keep what is shown.
    }
  }
  setInterval(refresh, PERIOD_MS);
})();
