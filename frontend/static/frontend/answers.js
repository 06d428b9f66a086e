// Reads and fills the answers of one question's form, whatever each part's control is: a text
// box, a textarea (a code editor keeps its textarea in sync), radio buttons (one value) or
// checkboxes (values joined as "a, c"). Every control of part <label> is named answer_<label>.
// Used by the page's submit, autosave and restore code: window.TensorgradeAnswers.
(function () {
  "use strict";
  const PREFIX = "answer_";

  function controls(form) {
    return Array.from(form.querySelectorAll("[name^='" + PREFIX + "']"));
  }

  // {label: answer text} for every part of the form; unanswered parts give "".
  function collect(form) {
    const answers = {};
    controls(form).forEach((control) => {
      const label = control.name.slice(PREFIX.length);
      if (!(label in answers)) answers[label] = "";
      if (control.type === "radio") {
        if (control.checked) answers[label] = control.value;
      } else if (control.type === "checkbox") {
        if (control.checked) answers[label] = answers[label] ? answers[label] + ", " + control.value : control.value;
      } else {
        answers[label] = control.value;
      }
    });
    return answers;
  }

  // Puts saved answers back into the controls; parts missing from `answers` are left alone.
  // Each changed control gets an "input" event, so an editor showing a textarea follows it.
  function fill(form, answers) {
    controls(form).forEach((control) => {
      const label = control.name.slice(PREFIX.length);
      if (!Object.prototype.hasOwnProperty.call(answers, label)) return;
      const value = answers[label] == null ? "" : String(answers[label]);
      if (control.type === "radio" || control.type === "checkbox") {
        const chosen = value.split(",").map((v) => v.trim().toLowerCase());
        const checked = chosen.includes(control.value.toLowerCase());
        if (control.checked === checked) return;
        control.checked = checked;
      } else {
        if (control.value === value) return;
        control.value = value;
      }
      control.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  window.TensorgradeAnswers = { collect: collect, fill: fill };
})();
