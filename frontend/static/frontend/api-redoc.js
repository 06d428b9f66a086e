"use strict";
// Starts Redoc on the page's container with the schema URL the page names. Search is off:
// Redoc runs it in a worker built from a blob: URL, which the site's Content-Security-Policy
// (scripts and workers only from this site) refuses; Swagger UI at /api/v1/docs/ filters by tag.
const container = document.getElementById("redoc-container");
Redoc.init(container.dataset.schemaUrl, { disableSearch: true }, container);
