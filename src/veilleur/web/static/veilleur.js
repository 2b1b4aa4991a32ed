// Refresh the live part of the page every 15 s without reloading it, so a page left
// open on a wall screen or at night stays current. Nothing happens while the tab is
// hidden; a failed fetch leaves the page as it was and tries again next time.
(function () {
  const PERIOD_MS = 15000;
  async function refresh() {
    if (document.hidden) return;
    try {
      const answer = await fetch(window.location.href, { headers: { "X-Refresh": "1" } });
      if (!answer.ok) return;
      const page = new DOMParser().parseFromString(await answer.text(), "text/html");
      const fresh = page.querySelector("[data-live]");
      const clock = page.querySelector("[data-live-clock]");
      if (fresh) document.querySelector("[data-live]").innerHTML = fresh.innerHTML;
      if (clock) document.querySelector("[data-live-clock]").textContent = clock.textContent;
    } catch (err) {
      // Network down or server restarting: keep what is shown.
    }
  }
  setInterval(refresh, PERIOD_MS);
})();
