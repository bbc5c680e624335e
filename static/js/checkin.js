// The door's scanner: read badges with the phone's camera (jsQR), send each code once, show
// the server's answer in the one result area with a sound and a vibration. Without
// JavaScript or a camera the forms of the page do the same through the server.
(function () {
  "use strict";
  var root = document.querySelector("[data-checkin]");
  var result = document.querySelector("[data-checkin-result]");
  if (!root || !result) { return; }
  var form = document.querySelector("[data-checkin-form]");
  var csrf = form ? form.querySelector("input[name=csrf_token]") : null;
  var count = document.getElementById("checkin-count");
  var recent = document.querySelector("[data-checkin-recent]");
  // The words come from the page (translated on the server).
  function say(name) { return root.getAttribute("data-msg-" + name) || ""; }

  // A code seen again within HOLD_MS of the last sighting is the same badge still held up:
  // it is not sent again, so a green answer never turns amber under the person's eyes.
  var HOLD_MS = 3000;
  var lastSeen = {};
  var busy = false;
  var audio = null;

  function beep(level) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var tones = level === "ok" ? [880] : (level === "warn" ? [520, 520] : [220, 180, 220]);
      tones.forEach(function (freq, i) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.frequency.value = freq;
        osc.type = level === "ok" ? "sine" : "square";
        gain.gain.value = 0.15;
        osc.connect(gain);
        gain.connect(audio.destination);
        var at = audio.currentTime + i * 0.18;
        osc.start(at);
        osc.stop(at + 0.14);
      });
    } catch (e) { /* no sound: the colour and the text still say it */ }
    if (navigator.vibrate) {
      navigator.vibrate(level === "ok" ? 150 : (level === "warn" ? [100, 80, 100] : [300, 100, 300]));
    }
  }

  function line(cls, text) {
    var p = document.createElement("p");
    p.className = cls;
    p.textContent = text;
    result.appendChild(p);
  }

  function show(data) {
    var level = data.level || (data.ok ? "ok" : "error");
    result.className = "checkin-result " + level;
    while (result.firstChild) { result.removeChild(result.firstChild); }
    line("result-title", data.message);
    if (data.name && level !== "ok") { line("result-name", data.name); }
    if (data.organisation) { line("result-org", data.organisation); }
    if (data.accessibility) { line("result-needs", say("needs") + " " + data.accessibility); }
    if (data.undo_url) {
      var undo = document.createElement("button");
      undo.type = "button";
      undo.className = "button secondary small";
      undo.textContent = say("undo");
      undo.addEventListener("click", function () { post(data.undo_url, null); });
      result.appendChild(undo);
    }
    if (count && data.attendance) { count.textContent = data.attendance; }
    if (data.ok && recent && data.time) {
      var item = document.createElement("li");
      item.textContent = data.time + " — " + data.name + (data.organisation ? " (" + data.organisation + ")" : "");
      recent.insertBefore(item, recent.firstChild);
    }
    beep(level);
  }

  function post(url, code) {
    busy = true;
    var body = new FormData();
    if (code !== null) { body.append("code", code); }
    if (csrf) { body.append("csrf_token", csrf.value); }
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json();
    }).then(show).catch(function () {
      show({ ok: false, level: "error", message: say("lost") });
    }).then(function () { busy = false; });
  }

  // The typed code goes through the same path when JavaScript runs: no page reload.
  if (form && window.fetch) {
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[name=code]");
      if (!input || !input.value.trim()) { return; }
      event.preventDefault();
      post(root.getAttribute("data-url"), input.value.trim()).then(function () {
        input.value = "";
        input.focus();
      });
    });
  }

  if (typeof window.jsQR !== "function" || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia) { return; }

  var video = root.querySelector("[data-checkin-video]");
  var canvas = root.querySelector("[data-checkin-canvas]");
  var start = root.querySelector("[data-checkin-start]");
  var stop = root.querySelector("[data-checkin-stop]");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;

  function seen(text) {
    var now = Date.now();
    var previous = lastSeen[text] || 0;
    lastSeen[text] = now;
    return now - previous > HOLD_MS;
  }

  function tick() {
    if (!stream) { return; }
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (code && code.data && !busy && seen(code.data)) {
        post(root.getAttribute("data-url"), code.data);
      }
    }
    window.setTimeout(function () { window.requestAnimationFrame(tick); }, 120);
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
        result.className = "checkin-result info";
        result.textContent = say("camera-on");
        window.requestAnimationFrame(tick);
      }).catch(function () {
        show({ ok: false, level: "error", message: say("no-camera") });
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
