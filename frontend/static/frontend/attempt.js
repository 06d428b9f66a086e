// Submits each question's answers through the API and shows the mark when the worker is done,
// without a reload. "Submit answers" sends every part; a part's "Save and mark this part" sends
// that part alone (the server keeps the other parts' last saved answers, so their marks stay).
//
// The mark is waited for with long polls (`?wait=` on the submission's URL, docs/lms.md): the
// server answers as soon as the submission is marked or its state changes, else after the
// wait, and the page asks again at once. Failures to reach the server are retried with
// backoff (1 s, 2 s, 4 s… up to 30 s) for as long as the page is open: a submission is never
// given up on while the mark will still come by itself.
(function () {
  "use strict";
  const WAIT_S = 25;
  // While other forms queue for a turn, a wait is short, so every form is looked at often.
  const SHORT_WAIT_S = 5;
  // A browser opens about six connections to a site: long polls use at most three of them,
  // so saving and submitting never queue behind them.
  const MAX_WAITING = 3;
  const FIRST_BACKOFF_MS = 1000;
  const MAX_BACKOFF_MS = 30000;
  // A server that answers an unchanged submission at once (too busy to hold the request) is
  // asked again after a pause: 1 s, then 2 s, then 4 s while that goes on.
  const MIN_ROUND_MS = 1000;
  const MAX_ROUND_PAUSE_MS = 4000;
  const LONG_WAIT_MS = 15000;
  const LONG_WAIT_TEXT = "Marking is taking longer than usual; your answers are safe — they will be marked. This page updates by itself.";

  let waiting = 0;
  const queued = [];

  async function waitTurn() {
    if (waiting < MAX_WAITING) {
      waiting += 1;
      return;
    }
    await new Promise((resolve) => queued.push(resolve));
  }

  function endTurn() {
    const next = queued.shift();
    if (next) next();
    else waiting -= 1;
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  // The submission's URL asking the server to wait up to `seconds` for the mark.
  function waitingUrl(url, seconds) {
    const full = new URL(url, window.location.href);
    full.searchParams.set("wait", String(seconds));
    return full.toString();
  }

  // One long poll: {sub} on success, {stop: message} for an answer that retrying cannot mend
  // (4xx), {retry: message} when it failed on the way or on the server's side.
  async function fetchOnce(url, signal) {
    await waitTurn();
    try {
      const seconds = queued.length ? SHORT_WAIT_S : WAIT_S;
      const response = await fetch(waitingUrl(url, seconds), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: signal,
      });
      if (response.ok) return { sub: await response.json() };
      if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
        return { stop: "Could not fetch the result (HTTP " + response.status + "); reload the page to try again." };
      }
      return { retry: "The server could not give the result just now (HTTP " + response.status + "); your answers are saved." };
    } catch (error) {
      return { retry: "Could not reach the server to fetch the result; your answers are saved." };
    } finally {
      endTurn();
    }
  }

  function setUp(form) {
    const statusLine = form.querySelector(".status-line");
    const solution = form.parentElement.querySelector(".solution");
    const revealForm = form.parentElement.querySelector(".reveal-form");

    function partBox(label) {
      return form.querySelector('fieldset.part[data-label="' + CSS.escape(label) + '"]');
    }

    // Hands the lines of a code part's own source where it failed ([{line, message}]) to the
    // code editor (frontend/assets/src/editor.js), which highlights them.
    function showErrorLines(box, lines) {
      const code = box && box.querySelector("textarea[data-editor]");
      if (code) code.dispatchEvent(new CustomEvent("tensorgrade:error-lines", { detail: { lines: lines || [] } }));
    }

    // The part as the paper names it ("(b)(ii)"), read from its legend.
    function partName(label) {
      const box = partBox(label);
      const legend = box && box.querySelector(":scope > legend");
      return legend && legend.firstChild ? legend.firstChild.textContent.trim() : label;
    }

    // Clears the messages of the parts being submitted (every part when `labels` is null).
    function clearMessages(labels) {
      form.querySelectorAll("fieldset.part").forEach((box) => {
        if (labels && !labels.includes(box.dataset.label)) return;
        box.querySelectorAll(".format-error, .feedback").forEach((el) => { el.textContent = ""; });
      });
    }

    function showFormatErrors(parts) {
      Object.entries(parts || {}).forEach(([label, message]) => {
        const box = partBox(label);
        if (box) box.querySelector(".format-error").textContent = message;
      });
    }

    function showAllErrorLines(byLabel) {
      Object.entries(byLabel || {}).forEach(([label, lines]) => showErrorLines(partBox(label), lines));
    }

    function showResult(sub) {
      if (sub.status === "error") {
        statusLine.textContent = sub.error_message;
        return;
      }
      if (!sub.results_visible) {
        statusLine.textContent = "Saved. Marks and solutions appear when you finish.";
        return;
      }
      statusLine.textContent = "Score: " + sub.score + " / " + sub.max_score;
      Object.entries(sub.feedback).forEach(([label, fb]) => {
        const box = partBox(label);
        if (!box) return;
        const line = box.querySelector(".feedback");
        line.textContent = "";
        const badge = document.createElement("span");
        badge.className = "status " + fb.status;
        badge.textContent = fb.status.replace(/_/g, " ");
        line.append(badge, " " + fb.score + "/" + fb.max_score + " — " + fb.feedback);
        showErrorLines(box, fb.error_lines);
      });
      if (revealForm) revealForm.hidden = sub.solution_status !== "on_request";
      if (sub.solution_html) {
        const body = solution.querySelector(".body");
        body.innerHTML = sub.solution_html;
        solution.hidden = false;
        if (window.MathJax && MathJax.typesetPromise) MathJax.typesetPromise([body]);
      }
    }

    // Waits until the submission is marked or needs an instructor, for as long as the page is
    // open, saying so when it takes longer than usual or waits for a retry of our failure.
    // Only the latest request of this form updates the page: an older one finishing later
    // (two parts saved in quick succession) would show marks that were already replaced, and
    // its long poll is cancelled.
    let latestRequest = 0;
    let pollAbort = null;

    async function poll(url, request) {
      const started = Date.now();
      const abort = new AbortController();
      pollAbort = abort;
      let backoffMs = FIRST_BACKOFF_MS;
      let previous = null;
      let roundPauseMs = MIN_ROUND_MS;
      statusLine.textContent = "Marking…";
      while (request === latestRequest) {
        const asked = Date.now();
        const outcome = await fetchOnce(url, abort.signal);
        if (request !== latestRequest) return;
        if (outcome.stop) {
          statusLine.textContent = outcome.stop;
          return;
        }
        if (outcome.retry) {
          statusLine.textContent = outcome.retry + " Trying again in " + Math.round(backoffMs / 1000) + " s…";
          await sleep(backoffMs);
          backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
          continue;
        }
        backoffMs = FIRST_BACKOFF_MS;
        const sub = outcome.sub;
        if (!sub.awaiting_marking) {
          showResult(sub);
          return;
        }
        if (sub.status === "error") showResult(sub);
        else if (Date.now() - started > LONG_WAIT_MS) statusLine.textContent = LONG_WAIT_TEXT;
        else statusLine.textContent = "Marking…";
        const state = sub.status + " " + sub.next_retry_at;
        if (state === previous && Date.now() - asked < MIN_ROUND_MS) {
          await sleep(roundPauseMs);
          roundPauseMs = Math.min(roundPauseMs * 2, MAX_ROUND_PAUSE_MS);
        } else {
          roundPauseMs = MIN_ROUND_MS;
        }
        previous = state;
      }
    }

    // Sends every part's answer (onePart null) or one part's alone, then shows the marks.
    async function submitAnswers(onePart) {
      const all = window.TensorgradeAnswers.collect(form);
      const answers = onePart === null ? all : { [onePart]: all[onePart] || "" };
      const request = ++latestRequest;
      if (pollAbort) pollAbort.abort();
      clearMessages(onePart === null ? null : [onePart]);
      statusLine.textContent = onePart === null ? "Submitting…" : "Saving part " + partName(onePart) + "…";
      const buttons = Array.from(form.querySelectorAll("button[type=submit], button.save-part"));
      buttons.forEach((button) => { button.disabled = true; });
      // In an exam every part typed is saved as a draft first: the parts this submission
      // leaves out then keep what was typed in them (see exam.js).
      if (window.TensorgradeAutosave) await window.TensorgradeAutosave.flush(form);
      let response;
      try {
        response = await fetch(form.dataset.apiUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "X-CSRFToken": form.querySelector("input[name=csrfmiddlewaretoken]").value,
          },
          body: JSON.stringify({ question: form.dataset.question, answers: answers }),
        });
      } catch (error) {
        statusLine.textContent = "The connection failed before the server answered. Reload the page to see whether your answers arrived, then submit again if they did not.";
        return;
      } finally {
        buttons.forEach((button) => { button.disabled = false; });
      }
      const body = await response.json().catch(() => ({}));
      if (response.status === 202) {
        solution.hidden = true;
        await poll(body.status_url, request);
        return;
      }
      const error = body.error || { message: "The server answered HTTP " + response.status + "; try again." };
      statusLine.textContent = error.message;
      showFormatErrors(error.details && error.details.parts);
      showAllErrorLines(error.details && error.details.error_lines);
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submitAnswers(null);
    });

    form.querySelectorAll("button.save-part").forEach((button) => {
      button.addEventListener("click", () => submitAnswers(button.dataset.part));
    });

    form.querySelectorAll("button.run-tests").forEach((button) => {
      button.addEventListener("click", async () => {
        const box = partBox(button.dataset.part);
        const output = box.querySelector(".test-results");
        output.hidden = false;
        output.textContent = "Running the visible tests…";
        button.disabled = true;
        try {
          const response = await fetch(button.dataset.url, {
            method: "POST",
            credentials: "same-origin",
            headers: {
              "Content-Type": "application/json",
              Accept: "application/json",
              "X-CSRFToken": form.querySelector("input[name=csrfmiddlewaretoken]").value,
            },
            body: JSON.stringify({
              question: form.dataset.question,
              part: button.dataset.part,
              source: box.querySelector("textarea").value,
            }),
          });
          const body = await response.json().catch(() => ({}));
          if (response.ok) {
            output.textContent = body.feedback;
            showErrorLines(box, body.error_lines);
          } else {
            output.textContent = (body.error && body.error.message) || "HTTP " + response.status + "; try again.";
            showErrorLines(box, ((body.error && body.error.details && body.error.details.error_lines) || {})[button.dataset.part]);
          }
        } catch (error) {
          output.textContent = "The connection failed before the tests finished; check your connection and run them again.";
        } finally {
          button.disabled = false;
        }
      });
    });

    if (form.dataset.pendingUrl) poll(form.dataset.pendingUrl, latestRequest);
  }

  document.querySelectorAll("form.answer-form").forEach(setUp);
})();
