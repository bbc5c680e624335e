// Check-in at the door: read badges with the phone's camera (jsQR), post each code once,
// announce the result. Without JavaScript or a camera, the manual form below still works.
(function () {
  "use strict";
  var root = document.querySelector("[data-checkin]");
  if (!root || typeof window.jsQR !== "function" || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia) { return; }

  var video = root.querySelector("[data-checkin-video]");
  var canvas = root.querySelector("[data-checkin-canvas]");
  var result = root.querySelector("[data-checkin-result]");
  var start = root.querySelector("[data-checkin-start]");
  var stop = root.querySelector("[data-checkin-stop]");
  var form = document.querySelector("[data-checkin-form]");
  var count = document.getElementById("checkin-count");
  var recent = document.querySelector("[data-checkin-recent]");
  var csrf = form ? form.querySelector("input[name=csrf_token]") : null;
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;
  var busy = false;
  var lastText = "";
  var lastAt = 0;

  function show(kind, message) {
    result.className = "checkin-result " + kind;
    result.textContent = message;
  }

  function send(text) {
    busy = true;
    var body = new FormData();
    body.append("code", text);
    if (csrf) { body.append("csrf_token", csrf.value); }
    fetch(root.getAttribute("data-url"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json();
    }).then(function (data) {
      var kind = data.ok ? "ok" : (data.code === "already_checked_in" ? "warn" : "error");
      var message = data.message;
      if (!data.ok && data.name) { message = data.name + " — " + message; }
      if (data.ok && data.organisation) { message += " (" + data.organisation + ")"; }
      if (data.ok && data.accessibility) { message += " · Besoins : " + data.accessibility; }
      show(kind, message);
      if (navigator.vibrate) { navigator.vibrate(data.ok ? 120 : [80, 60, 80]); }
      if (count && data.attendance) { count.textContent = data.attendance; }
      if (data.ok) {
        if (recent) {
          var item = document.createElement("li");
          item.textContent = new Date().toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" }) +
            " — " + data.name;
          recent.insertBefore(item, recent.firstChild);
        }
      }
    }).catch(function () {
      show("error", "Connexion perdue : réessayez, ou saisissez le code à la main.");
    }).then(function () { busy = false; });
  }

  function tick() {
    if (!stream) { return; }
    if (video.readyState === video.HAVE_ENOUGH_DATA && !busy) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      var now = Date.now();
      // The same badge held in front of the camera is sent once, not thirty times a second.
      if (code && code.data && (code.data !== lastText || now - lastAt > 4000)) {
        lastText = code.data;
        lastAt = now;
        send(code.data);
      }
    }
    window.requestAnimationFrame(tick);
  }

  function begin() {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        start.hidden = true;
        stop.hidden = false;
        return video.play();
      }).then(function () {
        show("warn", "Caméra active : présentez un badge.");
        window.requestAnimationFrame(tick);
      }).catch(function () {
        show("error", "La caméra n'est pas disponible : autorisez-la, ou saisissez le code à la main.");
      });
  }

  function end() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null;
    video.hidden = true;
    start.hidden = false;
    stop.hidden = true;
  }

  start.hidden = false;
  start.addEventListener("click", begin);
  stop.addEventListener("click", end);
})();
