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

  // --- offline: the event's list and a queue of scans kept in localStorage --------------------
  // The page asks once for a device token (its own, revocable by staff), keeps the confirmed
  // people (name, organisation, code) and, when the network is gone, answers from that list
  // and queues each scan with a nonce and its time; the queue goes up when the network returns.
  var eventId = root.getAttribute("data-event");
  var KEY = "door-" + eventId + "-";
  var status = document.querySelector("[data-offline-status]");
  function load(name, fallback) {
    try { return JSON.parse(window.localStorage.getItem(KEY + name)) || fallback; } catch (e) { return fallback; }
  }
  // Signing out or leaving the door (site.js) drops what this page kept: from then on it
  // keeps nothing more, so an answer arriving late cannot write the list back.
  var gone = false;
  document.addEventListener("door:forget", function () { gone = true; });
  function keep(name, value) {
    if (gone) { return; }
    try { window.localStorage.setItem(KEY + name, JSON.stringify(value)); } catch (e) { /* full */ }
  }
  function normalize(text) {
    var last = String(text).trim().split("/").pop() || "";
    return last.replace(/[\s-]/g, "").toUpperCase();
  }
  function nonce() {
    var a = new Uint8Array(16);
    window.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function showStatus() {
    if (!status) { return; }
    status.hidden = false;
    var n = load("queue", []).length;
    status.querySelector("[data-offline-state]").textContent = navigator.onLine ? say("online") : say("offline");
    status.querySelector("[data-offline-pending]").textContent =
      n === 0 ? say("pending-none") : (n === 1 ? say("pending-one") : say("pending-many").replace("{n}", n));
    status.setAttribute("data-pending", String(n));
  }
  function showConflicts(list) {
    var ul = status && status.querySelector("[data-offline-conflicts]");
    if (!ul || !list) { return; }
    while (ul.firstChild) { ul.removeChild(ul.firstChild); }
    list.forEach(function (c) {
      var li = document.createElement("li");
      li.textContent = say("conflict").replace("{name}", c.name).replace("{kept}", c.kept_device)
        .replace("{kept_time}", c.kept_time).replace("{other}", c.other_device)
        .replace("{other_time}", c.other_time);
      ul.appendChild(li);
    });
  }
  function api(url, options) {
    var token = load("token", null);
    options = options || {};
    options.headers = { "Authorization": "Bearer " + token, "Content-Type": "application/json",
      "Accept": "application/json" };
    return fetch(url, options).then(function (r) {
      if (r.status === 401) { keep("token", null); throw new Error("token"); }
      return r.json();
    });
  }
  function refreshList() {
    return api(root.getAttribute("data-list-url")).then(function (data) {
      var people = {};
      data.people.forEach(function (p) { people[p.code] = p; });
      var local = load("people", {});
      Object.keys(local).forEach(function (code) {
        if (people[code] && local[code].queued) { people[code].queued = true; }
      });
      keep("people", people);
      showStatus();
    });
  }
  function ensureDevice() {
    if (load("token", null)) { return Promise.resolve(); }
    var body = new FormData();
    if (csrf) { body.append("csrf_token", csrf.value); }
    return fetch(root.getAttribute("data-device-url"), {
      method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (data.token) { keep("token", data.token); }
    });
  }
  function queue(code, once, at) {
    var normal = normalize(code);
    var items = load("queue", []);
    items.push({ code: code, nonce: once || nonce(), scanned_at: at || new Date().toISOString() });
    keep("queue", items);
    var people = load("people", {});
    var person = people[normal];
    if (!person) {
      show({ ok: false, level: "warn", message: say("queued-unknown") });
    } else if (person.checked_in || person.queued) {
      show({ ok: false, level: "warn", message: say("queued-again") + " " + person.name,
             organisation: person.organisation });
    } else {
      person.queued = true;
      keep("people", people);
      show({ ok: true, level: "ok", message: say("queued") + " " + person.name,
             organisation: person.organisation });
    }
    showStatus();
  }
  var sending = false;
  function flush() {
    var items = load("queue", []);
    if (gone || sending || !items.length || !navigator.onLine || !load("token", null)) { return; }
    sending = true;
    api(root.getAttribute("data-batch-url"), { method: "POST", body: JSON.stringify({ scans: items }) })
      .then(function (data) {
        var done = {};
        (data.results || []).forEach(function (r) { done[r.nonce] = true; });
        keep("queue", load("queue", []).filter(function (i) { return !done[i.nonce]; }));
        showConflicts(data.conflicts);
        return refreshList();
      }).catch(function () { /* still offline: the next try sends it */ })
      .then(function () { sending = false; showStatus(); });
  }
  if (window.fetch && window.localStorage && eventId) {
    ensureDevice().then(refreshList).then(function () {
      return api(root.getAttribute("data-conflicts-url")).then(function (d) { showConflicts(d.conflicts); });
    }).catch(function () { showStatus(); }).then(flush);
    window.addEventListener("online", function () { showStatus(); flush(); });
    window.addEventListener("offline", showStatus);
    window.setInterval(flush, 5000);
  }

  // --- opening offline: a service worker (door-sw.js, scope /accueil/) keeps this page and
  // its files. On the first visit the page was loaded before the worker existed, so the page
  // keeps itself and its files in the worker's cache (same name as in door-sw.js).
  var swUrl = root.getAttribute("data-sw-url");
  if (swUrl && "serviceWorker" in navigator && window.caches) {
    var controlled = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.register(swUrl, { scope: root.getAttribute("data-sw-scope") })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function () {
        if (controlled || gone) { return null; }  // this load went through the worker: kept
        var urls = [window.location.pathname];
        Array.prototype.forEach.call(
          document.querySelectorAll("script[src], link[rel=stylesheet][href], img[src]"),
          function (el) {
            var u = new URL(el.src || el.href, window.location.href);
            if (u.origin === window.location.origin && u.pathname.indexOf("/static/") === 0 &&
                urls.indexOf(u.href) < 0) { urls.push(u.href); }
          });
        return window.caches.open("door-v1").then(function (cache) { return cache.addAll(urls); });
      })
      .then(function () { root.setAttribute("data-offline-ready", "1"); })
      .catch(function () { /* no offline opening: the page still works online */ });
  }

  // Leaving the door on this device (the form marked data-door-forget): site.js sends the
  // scans still queued, drops the copies kept here and asks before leaving any behind.

  function post(url, code) {
    if (code !== null && window.localStorage && eventId && navigator.onLine === false) {
      queue(code);
      return Promise.resolve();
    }
    busy = true;
    var body = new FormData();
    var headers = { "Accept": "application/json" };
    // An online scan carries a nonce too (with the page's device token, which names the
    // device): if the answer is lost on the way back, the same scan queued and uploaded again
    // is answered as a retry on the server, never as a second entry.
    var token = code !== null && window.localStorage && eventId ? load("token", null) : null;
    var once = token ? nonce() : null;
    var at = new Date().toISOString();
    if (code !== null) { body.append("code", code); }
    if (once) { body.append("nonce", once); headers["Authorization"] = "Bearer " + token; }
    if (csrf) { body.append("csrf_token", csrf.value); }
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin", headers: headers
    }).then(function (response) {
      return response.json();
    }).then(function (data) {
      if (data.ok && data.badge && eventId) {
        var people = load("people", {});
        if (people[data.badge]) { people[data.badge].checked_in = true; keep("people", people); }
      }
      show(data);
    }).catch(function () {
      if (code !== null && window.localStorage && eventId) { queue(code, once, at); return; }
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
