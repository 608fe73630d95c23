/* The inbox list: select all rows, and no empty filters in the URL (htmx). */
(function () {
  "use strict";

  // Select-all checkbox in the inbox list (also after htmx swaps the list).
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.classList || !box.classList.contains("select-all")) return;
    var form = box.closest("form");
    form.querySelectorAll("input.row-select").forEach(function (row) { row.checked = box.checked; });
  });

  // Keep the inbox URL short: empty filters are not sent (nor pushed into the address bar).
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb !== "get") return;
    var params = event.detail.parameters;
    Object.keys(params).forEach(function (name) {
      if (params[name] === "") delete params[name];
    });
  });
})();
