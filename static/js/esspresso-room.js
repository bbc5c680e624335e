// The room screen's countdown; the page reloads itself (meta refresh) when the round changes.
(function () {
  "use strict";
  var box = document.querySelector(".room-countdown");
  var out = document.getElementById("countdown");
  if (!box || !out) { return; }
  var end = Date.now() + parseInt(box.getAttribute("data-seconds"), 10) * 1000;
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    var s = left % 60;
    out.textContent = Math.floor(left / 60) + ":" + (s < 10 ? "0" : "") + s;
    if (left === 0) { window.location.reload(); return; }
    window.setTimeout(tick, 1000);
  }
  tick();
})();
