// MathJax is served from this site (the django-static-mathjax package); nothing loads from elsewhere.
// Maths is read, not operated: no context menu and no explorer, so a formula is never a tab stop
// (MathJax 3 gives every formula tabindex=0 for its menu otherwise). Screen readers still get
// the hidden MathML that MathJax adds beside each formula.
//
// A display formula sits in a `.math-scroll` box of its own: wider than the screen, it scrolls
// sideways there, and only then is the box a tab stop, so keyboard users can scroll it (axe's
// scrollable-region-focusable); a formula that fits is never one.
(function () {
  const sizes =
    typeof ResizeObserver === "function"
      ? new ResizeObserver((entries) => entries.forEach((entry) => tabStopIfScrolling(entry.target)))
      : null;

  function tabStopIfScrolling(box) {
    if (box.scrollWidth > box.clientWidth) box.setAttribute("tabindex", "0");
    else box.removeAttribute("tabindex");
  }

  function boxDisplayMaths(doc) {
    for (const math of doc.math) {
      const node = math.typesetRoot;
      if (!math.display || !node || !node.parentNode) continue;
      if (node.parentNode.classList && node.parentNode.classList.contains("math-scroll")) continue;
      const box = document.createElement("span");
      box.className = "math-scroll";
      node.before(box);
      box.append(node);
      tabStopIfScrolling(box);
      if (sizes) sizes.observe(box);
    }
  }

  window.MathJax = {
    tex: { inlineMath: [["$", "$"], ["\\(", "\\)"]], displayMath: [["$$", "$$"], ["\\[", "\\]"]], processEscapes: true },
    svg: { fontCache: "global" },
    options: {
      skipHtmlTags: ["script", "noscript", "style", "textarea", "pre", "code", "input"],
      enableMenu: false,
      menuOptions: { settings: { explorer: false, inTabOrder: false } },
      renderActions: { scrollBox: [250, boxDisplayMaths, () => {}] },
    },
  };
})();
