// The regrade job page: poll the job's progress (JSON) with backoff, update the bar and the
// live status line, and when the job is done load the list of changed marks into the page.
(function () {
  "use strict";
  var section = document.getElementById("regrade-progress");
  if (!section || section.dataset.finished === "1") {
    return;
  }
  var bar = document.getElementById("regrade-bar");
  var status = document.getElementById("regrade-status");
  var waitNote = document.getElementById("regrade-reload");
  var url = section.dataset.progressUrl;
  var delayMs = 500;
  var MAX_DELAY_MS = 5000;
  var lastDone = -1;

  function describe(p) {
    var counts = p.done + " of " + p.total + " marked again, " + p.changed + " changed, " +
      p.failed + " could not be marked.";
    if (p.finished) {
      return "Done: " + counts;
    }
    return (p.status === "queued" ? "Queued" : "Running") + ": " + counts;
  }

  function showResults() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("regrade-results");
        var here = document.getElementById("regrade-results");
        if (fresh && here) {
          here.replaceWith(fresh);
        }
        if (waitNote) {
          waitNote.hidden = true;
        }
      })
      .catch(function () {
        status.textContent += " Reload the page to see the marks that changed.";
      });
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (p) {
        bar.max = p.total;
        bar.value = p.done;
        bar.textContent = p.percent + "%";
        status.textContent = describe(p);
        if (p.finished) {
          section.dataset.finished = "1";
          showResults();
          return;
        }
        // Back off while nothing moves; poll briskly again once it does.
        delayMs = p.done === lastDone ? Math.min(delayMs * 2, MAX_DELAY_MS) : 500;
        lastDone = p.done;
        window.setTimeout(poll, delayMs);
      })
      .catch(function () {
        delayMs = Math.min(delayMs * 2, MAX_DELAY_MS);
        window.setTimeout(poll, delayMs);
      });
  }

  window.setTimeout(poll, delayMs);
})();
