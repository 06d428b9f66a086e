// The attempt page's exam clock and autosave.
// Clock: the time left is computed from the server's deadline, corrected for a client clock
// that is off (the server's time at render is in data-server-now); times are shown in the
// student's local time zone; seconds show in the last 5 minutes; a polite live region
// announces 10, 5 and 1 minutes and 30 seconds left. At time up the saved answers are flushed
// (the server still takes them during its grace period and then submits them itself), and the
// page reloads to show the closing message.
// Autosave: every answer form is saved to the server as it is typed (debounced), when a field
// loses focus and when the page is hidden (fetch keepalive); failures are retried with a
// visible warning. The server's list of parts it cannot read yet is shown beside each part.
(function () {
  "use strict";
  const DEBOUNCE_MS = 1200;
  const RETRY_MS = [2000, 5000, 10000, 20000, 30000];
  const ANNOUNCE_AT_S = [600, 300, 60, 30];
  const CLOSING_POLL_MS = 5000;

  function localTime(date, withSeconds) {
    const options = { hour: "2-digit", minute: "2-digit" };
    if (withSeconds) options.second = "2-digit";
    return date.toLocaleTimeString([], options);
  }

  // answers.js (window.TensorgradeAnswers) loads after this script; every deferred script has
  // run by DOMContentLoaded.
  document.addEventListener("DOMContentLoaded", start);

  function start() {
    // Times the server wrote in its own zone are shown again in the student's.
    document.querySelectorAll("time[data-local-time]").forEach((el) => {
      const when = new Date(el.getAttribute("datetime"));
      if (!isNaN(when.getTime())) el.textContent = localTime(when, false);
    });

    const status = document.getElementById("autosave-status");
    const forms = status
      ? Array.from(document.querySelectorAll("form.answer-form[data-question]")).filter((form) =>
          Array.from(form.querySelectorAll("[name^='answer_']")).some((c) => !c.disabled))
      : [];
    const states = new Map();

    function draftUrl(form) {
      return status.dataset.draftUrl.replace("__question__", encodeURIComponent(form.dataset.question));
    }

    function showSaved(when) {
      status.classList.remove("failing");
      status.removeAttribute("role");
      status.textContent = "Saved at " + localTime(when, true);
    }

    function showFailing(message) {
      status.classList.add("failing");
      status.setAttribute("role", "alert");
      status.textContent = message;
    }

    function showProblems(form, problems) {
      const state = states.get(form);
      state.problemLabels.forEach((label) => {
        if (label in problems) return;
        const line = form.querySelector('fieldset.part[data-label="' + CSS.escape(label) + '"] .format-error');
        if (line) line.textContent = "";
      });
      Object.entries(problems).forEach(([label, message]) => {
        const line = form.querySelector('fieldset.part[data-label="' + CSS.escape(label) + '"] .format-error');
        if (line) line.textContent = "Cannot be read yet: " + message;
      });
      state.problemLabels = Object.keys(problems);
    }

    async function save(form, keepalive) {
      const state = states.get(form);
      clearTimeout(state.timer);
      if (state.closed) return;
      if (state.saving) {
        state.again = true;
        return;
      }
      const answers = window.TensorgradeAnswers.collect(form);
      const body = JSON.stringify({ answers: answers });
      if (body === state.lastSaved) {
        state.dirty = false;
        return;
      }
      state.saving = true;
      state.dirty = false;
      try {
        const response = await fetch(draftUrl(form), {
          method: "PUT",
          keepalive: Boolean(keepalive),
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "X-CSRFToken": form.querySelector("input[name=csrfmiddlewaretoken]").value,
          },
          body: body,
        });
        const data = await response.json().catch(() => null);
        if (!response.ok) {
          const error = data && data.error ? data.error : null;
          if (error && error.code === "attempt_closed") {
            state.closed = true;
            showFailing(error.message);
            return;
          }
          throw new Error(error ? error.message : "the server answered HTTP " + response.status);
        }
        state.lastSaved = body;
        state.failures = 0;
        showProblems(form, data.format_problems || {});
        showSaved(new Date(data.saved_at));
      } catch (error) {
        state.dirty = true;
        state.failures += 1;
        const wait = RETRY_MS[Math.min(state.failures, RETRY_MS.length) - 1];
        showFailing("Your latest answers are NOT saved yet (" + error.message + "). Retrying in " +
          Math.round(wait / 1000) + " s; keep this page open.");
        state.timer = setTimeout(() => save(form), wait);
      } finally {
        state.saving = false;
        if (state.again) {
          state.again = false;
          save(form);
        }
      }
    }

    // Saves the form's answers now and resolves once no save of it is under way, so that a
    // submission made next never hides answers typed in parts it leaves out.
    async function flush(form) {
      const state = states.get(form);
      if (!state) return;
      const settled = async () => {
        for (let i = 0; i < 200 && state.saving; i += 1) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      await settled();
      await save(form);
      await settled();
    }
    window.TensorgradeAutosave = { flush: flush };

    function saveAll(keepalive) {
      forms.forEach((form) => {
        if (states.get(form).dirty) save(form, keepalive);
      });
    }

    forms.forEach((form) => {
      const state = {
        timer: null, dirty: false, saving: false, again: false, closed: false, failures: 0,
        problemLabels: [],
        lastSaved: JSON.stringify({ answers: window.TensorgradeAnswers.collect(form) }),
      };
      states.set(form, state);
      const changed = () => {
        state.dirty = true;
        clearTimeout(state.timer);
        state.timer = setTimeout(() => save(form), DEBOUNCE_MS);
      };
      form.addEventListener("input", changed);
      form.addEventListener("change", changed);
      form.addEventListener("focusout", () => { if (state.dirty) save(form); });
    });
    window.addEventListener("pagehide", () => saveAll(true));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") saveAll(true);
    });
    // A page shown again from the browser's back-forward cache may hold answers older than
    // those saved since (on another device): fill them in from the server.
    window.addEventListener("pageshow", (event) => {
      if (!event.persisted) return;
      forms.forEach(async (form) => {
        const response = await fetch(draftUrl(form), { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) return;
        const data = await response.json();
        window.TensorgradeAnswers.fill(form, data.answers);
        states.get(form).lastSaved = JSON.stringify({ answers: window.TensorgradeAnswers.collect(form) });
      });
    });

    // "Finish exam": a dialog instead of the confirmation page, with its summary fetched from
    // that page once the latest answers are saved.
    const finishLink = document.getElementById("exam-finish-open");
    const finishDialog = document.getElementById("exam-finish-dialog");
    if (finishLink && finishDialog && typeof finishDialog.showModal === "function") {
      finishLink.addEventListener("click", async (event) => {
        event.preventDefault();
        await Promise.all(forms.map((form) => flush(form)));
        try {
          const response = await fetch(finishLink.href, { credentials: "same-origin" });
          const page = new DOMParser().parseFromString(await response.text(), "text/html");
          const fresh = page.querySelector(".exam-summary");
          if (response.ok && fresh) finishDialog.querySelector(".exam-summary").replaceWith(fresh);
        } catch (error) {
          // The summary rendered with the page is shown instead.
        }
        finishDialog.showModal();
      });
      document.getElementById("exam-finish-cancel").addEventListener("click", () => finishDialog.close());
    }

    const clock = document.getElementById("exam-clock");
    if (!clock) return;
    if (clock.dataset.closed === "true") {
      // Closed by the timer but not submitted yet: look again shortly.
      if (clock.querySelector(".exam-closed") && /being submitted/.test(clock.textContent)) {
        setTimeout(() => window.location.reload(), CLOSING_POLL_MS);
      }
      return;
    }
    const deadline = Date.parse(clock.dataset.deadline);
    const skewMs = Date.parse(clock.dataset.serverNow) - Date.now();
    const graceMs = Number(clock.dataset.graceS) * 1000;
    const left = clock.querySelector(".exam-time-left");
    const announce = clock.querySelector(".exam-announce");
    const remainingS = () => (deadline - (Date.now() + skewMs)) / 1000;
    const announced = new Set(ANNOUNCE_AT_S.filter((mark) => remainingS() <= mark));

    function leftText(seconds) {
      if (seconds <= 300) {
        const minutes = Math.floor(seconds / 60);
        return "Time left: " + minutes + ":" + String(seconds % 60).padStart(2, "0");
      }
      const minutes = Math.ceil(seconds / 60);
      const hours = Math.floor(minutes / 60);
      return "Time left: " + (hours ? hours + " h " + String(minutes % 60).padStart(2, "0") + " min" : minutes + " min");
    }

    function spoken(mark) {
      const amount = mark >= 60 ? (mark / 60) + " minute" + (mark === 60 ? "" : "s") : mark + " seconds";
      return amount + " left in the exam. Your answers are saved as you type.";
    }

    function timeUp() {
      left.textContent = "Time is up: your saved answers are being submitted…";
      announce.textContent = "Time is up. Your saved answers are being submitted.";
      saveAll(false);
      setTimeout(() => window.location.reload(), graceMs + 2000);
    }

    function tick() {
      const seconds = remainingS();
      clock.classList.toggle("last-minutes", seconds <= 300);
      ANNOUNCE_AT_S.forEach((mark) => {
        if (seconds <= mark && !announced.has(mark)) {
          announced.add(mark);
          announce.textContent = spoken(mark);
        }
      });
      if (seconds <= 0) {
        timeUp();
        return;
      }
      left.textContent = leftText(Math.ceil(seconds));
      setTimeout(tick, seconds <= 300 ? 250 : 1000);
    }
    tick();
  }
})();
