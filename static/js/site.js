// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Move focus to the error summary so that screen readers announce it.
  var summary = document.querySelector(".error-summary[tabindex]");
  if (summary) { summary.focus(); }
  // Buttons marked data-confirm ask before submitting (deleting, cancelling).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) ||
      event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
