// Submits each question's answers through the API and shows the mark when the worker is done,
// without a reload. "Submit answers" sends every part; a part's "Save and mark this part" sends
// that part alone (the server keeps the other parts' last saved answers, so their marks stay).
(function () {
  "use strict";
  const POLL_MS = 300;
  const QUICK_POLL_MS = 120000;
  const SLOW_POLL_MS = 15000;

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

    // Polls until the submission is marked or needs an instructor. Quickly at first; a
    // submission that waits (a long queue, or our failure retried later) is polled slowly for
    // as long as the page is open, showing that it is still waiting to be marked.
    // Only the latest request of this form updates the page: an older one finishing later
    // (two parts saved in quick succession) would show marks that were already replaced.
    let latestRequest = 0;

    async function poll(url, request) {
      const started = Date.now();
      statusLine.textContent = "Marking…";
      for (;;) {
        if (request !== latestRequest) return;
        let sub = null;
        try {
          const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
          if (response.status >= 400 && response.status < 500) {
            statusLine.textContent = "Could not fetch the result (HTTP " + response.status + "); reload the page to try again.";
            return;
          }
          if (response.ok) sub = await response.json();
        } catch (error) {
          sub = null;
        }
        const waited = Date.now() - started;
        if (request !== latestRequest) return;
        if (sub === null) {
          statusLine.textContent = "Could not reach the server to fetch the result; your answers are saved. Trying again…";
        } else if (!sub.awaiting_marking) {
          showResult(sub);
          return;
        } else if (sub.status === "error") {
          showResult(sub);
        } else if (waited > QUICK_POLL_MS) {
          statusLine.textContent = "Waiting to be marked (the queue is long); your answers are saved — this page updates by itself.";
        }
        await new Promise((resolve) => setTimeout(resolve, waited > QUICK_POLL_MS || (sub && sub.status === "error") ? SLOW_POLL_MS : POLL_MS));
      }
    }

    // Sends every part's answer (onePart null) or one part's alone, then shows the marks.
    async function submitAnswers(onePart) {
      const all = window.TensorgradeAnswers.collect(form);
      const answers = onePart === null ? all : { [onePart]: all[onePart] || "" };
      const request = ++latestRequest;
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
