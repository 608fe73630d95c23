// Receipt: show the print button (it needs JavaScript) and print on click.
document.querySelectorAll(".js-print").forEach(function (button) {
  button.classList.remove("hidden");
  button.addEventListener("click", function () { window.print(); });
});
