/* Printed slips: the print button, and printing at once when the slip was just made. */
(function () {
  "use strict";

  // Printed slips: a print button, and print at once after the receipt is made.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  if (document.body && document.body.dataset.autoprint) {
    window.addEventListener("load", function () { window.print(); });
  }
})();
