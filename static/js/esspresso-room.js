// The room screen counts down to the end of the round and reloads itself then, and at least
// every minute (a walk-in added, a meeting moved), so nobody has to touch the TV. No meta
// refresh: a page that reloads under the reader's eyes is for this unattended screen only.
(function () {
  "use strict";
  var started = Date.now();
  var every = parseInt(document.body.getAttribute("data-refresh") || "60", 10) * 1000;
  var box = document.querySelector(".room-countdown");
  var out = document.getElementById("countdown");
  var end = box ? Date.now() + parseInt(box.getAttribute("data-seconds"), 10) * 1000 : null;
  function tick() {
    if (out && end !== null) {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var s = left % 60;
      out.textContent = Math.floor(left / 60) + ":" + (s < 10 ? "0" : "") + s;
      if (left === 0) { window.location.reload(); return; }
    }
    if (Date.now() - started >= every) { window.location.reload(); return; }
    window.setTimeout(tick, 1000);
  }
  tick();
})();
