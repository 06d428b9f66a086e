// MathJax is served from this site (the django-static-mathjax package); nothing loads from elsewhere.
// Maths is read, not operated: no context menu and no explorer, so a formula is never a tab stop
// (MathJax 3 gives every formula tabindex=0 for its menu otherwise). Screen readers still get
// the hidden MathML that MathJax adds beside each formula.
window.MathJax = {
  tex: { inlineMath: [["$", "$"], ["\\(", "\\)"]], displayMath: [["$$", "$$"], ["\\[", "\\]"]], processEscapes: true },
  svg: { fontCache: "global" },
  options: {
    skipHtmlTags: ["script", "noscript", "style", "textarea", "pre", "code", "input"],
    enableMenu: false,
    menuOptions: { settings: { explorer: false, inTabOrder: false } },
  },
};
