// "Preparing your question…": a question whose variant is still being built in the background
// asks the API for it (GET data-variant-url) with growing pauses, starting at the server's
// Retry-After, and reloads the page once it is built (200) or failed (409 variant_failed), so
// the page then shows the question or why it could not be prepared. Without scripts, the
// block's refresh link does the same.
(function () {
  "use strict";
  const MAX_PAUSE_MS = 10000;
  const GIVE_UP_MS = 600000;

  function watch(block) {
    const started = Date.now();
    let pauseMs = Math.max(1, Number(block.dataset.retryAfterS) || 1) * 1000;

    function again(response) {
      const header = response && Number(response.headers.get("Retry-After"));
      const asked = header > 0 ? header * 1000 : 0;
      pauseMs = Math.min(MAX_PAUSE_MS, Math.max(asked, pauseMs * 1.5));
      if (Date.now() - started < GIVE_UP_MS) window.setTimeout(ask, pauseMs);
    }

    function ask() {
      fetch(block.dataset.variantUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status === 200) return window.location.reload();
          if (response.status === 409) {
            return response.json().then(function (body) {
              const code = body && body.error && body.error.code;
              if (code === "variant_preparing") return again(response);
              window.location.reload();
            });
          }
          again(response);
        })
        .catch(function () { again(null); });
    }

    window.setTimeout(ask, pauseMs);
  }

  document.querySelectorAll(".preparing[data-variant-url]").forEach(watch);
})();
