// The code editor of code parts: CodeMirror 6 over each `<textarea data-editor="python">`.
//
// Progressive enhancement: the textarea stays the form field (answers.js reads and fills it,
// the no-JavaScript form posts it). The editor writes every change back to it and dispatches an
// `input` event on it (autosave listens for those); an `input` event someone else dispatches on
// the textarea (answers.js `fill`) is taken into the editor.
//
// Keys: Tab / Shift-Tab indent and dedent; Escape then Tab leaves the editor (CodeMirror's tab
// focus mode); Ctrl-Enter or Cmd-Enter clicks the part's "Run visible tests" button.
//
// Error lines: the page script dispatches `tensorgrade:error-lines` on the textarea with
// `detail.lines` = [{line, message}] (lines of the student's own code from a visible-test run or
// a marked submission); the textarea's `data-error-lines` attribute carries the same list for
// the submission shown when the page loads. Each line is highlighted with a gutter marker whose
// title is the message.
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import {
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { Annotation, EditorState, Prec, RangeSet, StateEffect, StateField } from "@codemirror/state";
import {
  Decoration,
  EditorView,
  GutterMarker,
  drawSelection,
  gutter,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";

const ERROR_EVENT = "tensorgrade:error-lines";
const fromTextarea = Annotation.define();
const setErrors = StateEffect.define();

class ErrorMarker extends GutterMarker {
  constructor(message) {
    super();
    this.message = message;
  }

  eq(other) {
    return other.message === this.message;
  }

  toDOM() {
    const mark = document.createElement("span");
    mark.className = "cm-error-marker";
    mark.textContent = "●";
    mark.title = this.message;
    return mark;
  }
}

const errorLineDecoration = Decoration.line({ class: "cm-error-line" });

// {lines: DecorationSet, markers: RangeSet<ErrorMarker>}, mapped through edits so a marker
// stays on the code it was about until the next result replaces it.
const errorField = StateField.define({
  create() {
    return { lines: Decoration.none, markers: RangeSet.empty };
  },
  update(value, tr) {
    for (const effect of tr.effects) {
      if (effect.is(setErrors)) return buildErrors(tr.state, effect.value);
    }
    if (!tr.docChanged) return value;
    return { lines: value.lines.map(tr.changes), markers: value.markers.map(tr.changes) };
  },
  provide: (field) => EditorView.decorations.from(field, (value) => value.lines),
});

function buildErrors(state, errors) {
  const byLine = new Map();
  for (const error of errors) {
    const number = Number(error && error.line);
    if (!Number.isInteger(number) || number < 1 || number > state.doc.lines) continue;
    const message = String(error.message || "Error on this line");
    byLine.set(number, byLine.has(number) ? byLine.get(number) + "\n" + message : message);
  }
  const numbers = [...byLine.keys()].sort((a, b) => a - b);
  const lines = [];
  const markers = [];
  for (const number of numbers) {
    const from = state.doc.line(number).from;
    lines.push(errorLineDecoration.range(from));
    markers.push(new ErrorMarker(byLine.get(number)).range(from));
  }
  return { lines: Decoration.set(lines), markers: RangeSet.of(markers) };
}

const errorGutter = gutter({
  class: "cm-error-gutter",
  markers: (view) => view.state.field(errorField).markers,
});

function readErrors(textarea) {
  try {
    const parsed = JSON.parse(textarea.dataset.errorLines || "[]");
    return Array.isArray(parsed) ? parsed : [];
  } catch (error) {
    return [];
  }
}

let counter = 0;

function enhance(textarea) {
  const box = textarea.closest("fieldset") || textarea.parentElement;
  const runButton = box.querySelector("button.run-tests");
  const resetButton = box.querySelector("button.reset-starter");
  const starter = textarea.dataset.starter || "";
  const readOnly = textarea.disabled || textarea.readOnly;
  counter += 1;
  const hintId = "code-editor-hint-" + counter;

  const hint = document.createElement("p");
  hint.className = "editor-hint";
  hint.id = hintId;
  hint.textContent = readOnly
    ? "This code can no longer be changed."
    : "Tab indents and Shift-Tab dedents; to leave the editor with the keyboard, press Escape, then Tab." +
      (runButton ? " Ctrl-Enter (Cmd-Enter on a Mac) runs the visible tests." : "");

  const wrapper = document.createElement("div");
  wrapper.className = "code-editor";
  textarea.before(hint, wrapper);
  textarea.hidden = true;

  // The editor is named as its textarea is: its aria-label, else its <label>'s text.
  const label =
    textarea.getAttribute("aria-label") ||
    (textarea.labels.length ? textarea.labels[0].textContent.trim() : "") ||
    "Code";
  // Ctrl/Cmd-Enter never inserts a line in a part that can run tests (even mid-run).
  const runTests = () => {
    if (!runButton) return false;
    if (!runButton.disabled) runButton.click();
    return true;
  };

  const view = new EditorView({
    parent: wrapper,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(),
        errorGutter,
        highlightActiveLineGutter(),
        history(),
        drawSelection(),
        indentUnit.of("    "),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        python(),
        errorField,
        Prec.highest(keymap.of([{ key: "Mod-Enter", run: runTests }])),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorState.readOnly.of(readOnly),
        EditorView.editable.of(!readOnly),
        // tabindex states what the editable content already is, a tab stop, so tools that
        // only count tabindex and native controls (axe) see the scroller's content as focusable.
        EditorView.contentAttributes.of({
          tabindex: "0",
          "aria-label": label,
          "aria-describedby": hintId,
        }),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged) return;
          if (update.transactions.some((tr) => tr.annotation(fromTextarea))) return;
          textarea.value = update.state.doc.toString();
          textarea.dispatchEvent(new Event("input", { bubbles: true }));
        }),
      ],
    }),
  });

  // Someone else changed the textarea (answers.js `fill`): show their text.
  textarea.addEventListener("input", () => {
    const text = textarea.value;
    if (text === view.state.doc.toString()) return;
    view.dispatch({
      changes: { from: 0, to: view.state.doc.length, insert: text },
      annotations: fromTextarea.of(true),
    });
  });

  textarea.addEventListener(ERROR_EVENT, (event) => {
    const lines = event.detail && Array.isArray(event.detail.lines) ? event.detail.lines : [];
    view.dispatch({ effects: setErrors.of(lines) });
  });
  view.dispatch({ effects: setErrors.of(readErrors(textarea)) });

  if (resetButton && !readOnly) {
    resetButton.hidden = false;
    resetButton.addEventListener("click", () => {
      const current = view.state.doc.toString();
      if (current === starter) {
        view.focus();
        return;
      }
      const sure = window.confirm(
        "Replace your code with the starter code? Your current code in this part will be lost."
      );
      if (!sure) return;
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: starter },
        effects: setErrors.of([]),
      });
      view.focus();
    });
  }
}

document.querySelectorAll('textarea[data-editor="python"]').forEach(enhance);
