// The sign-in sheet's Print button: shown only when scripts run (otherwise the page says
// to use the browser's Print command), it opens the browser's print dialog.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
