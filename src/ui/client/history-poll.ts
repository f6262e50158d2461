const EVERY_MS = 3000;

/** Refreshes the history rows from the server every few seconds while the page is visible, so new runs appear. */
export function startHistoryPolling(container: HTMLElement): void {
  const url = container.dataset.poll!;
  const status = document.querySelector<HTMLElement>("[data-poll-status]");
  let last = container.innerHTML;
  const tick = async () => {
    if (document.visibilityState !== "visible") return;
    try {
      const response = await fetch(url, { headers: { accept: "text/html" }, credentials: "same-origin" });
      // Signed out meanwhile (a revoked token, say): the rows request was sent to the sign-in page, so go there too.
      if (response.redirected) return location.assign(response.url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const html = await response.text();
      if (html !== last) {
        container.innerHTML = html;
        last = html;
      }
      if (status) status.textContent = `Newest first; updated ${new Date().toLocaleTimeString()}.`;
    } catch (error) {
      if (status) status.textContent = `Could not refresh (${(error as Error).message}); retrying.`;
    }
  };
  setInterval(() => void tick(), EVERY_MS);
}
