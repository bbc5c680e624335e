// "Imprimer le badge": a button rather than an inline handler (the CSP forbids inline scripts).
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
})();
