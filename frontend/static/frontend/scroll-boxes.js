// A table wider than the screen scrolls sideways inside its own box (site.css); while it does,
// it is a tab stop, so keyboard users can scroll it too (axe's scrollable-region-focusable).
// Tables that fit are not tab stops. Display maths gets the same from mathjax-config.js.
(function () {
  "use strict";
  const SELECTOR = "table.grid, .statement table, .solution table, .prompt table";

  function tabStopIfScrolling(box) {
    if (box.scrollWidth > box.clientWidth) box.setAttribute("tabindex", "0");
    else box.removeAttribute("tabindex");
  }

  const sizes =
    typeof ResizeObserver === "function"
      ? new ResizeObserver((entries) => entries.forEach((entry) => tabStopIfScrolling(entry.target)))
      : null;

  document.querySelectorAll(SELECTOR).forEach((table) => {
    tabStopIfScrolling(table);
    if (sizes) sizes.observe(table);
  });
})();
