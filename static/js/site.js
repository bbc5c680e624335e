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

// The door's copies on this device (the scanner page keeps them: checkin.js, door-sw.js).
// Signing out, leaving the door or deleting one's account (forms marked data-door-forget)
// first drops what the scanner kept for offline use: the page copy (CacheStorage "door-…"),
// the door's service worker and, in localStorage, the list of people ("door-<event>-people")
// and the page's device token. Scans not yet uploaded are never dropped: they are sent first;
// if that fails (no network) the person is told, and may stay. Leaving anyway keeps each
// queue with its own token ("door-left-…": no names, only badge codes and times), sent from
// any page of the site once the network is back, then forgotten. The server sends no
// Clear-Site-Data: "storage" would wipe an unsent queue too, and "cache" leaves localStorage
// and the worker in place; besides, only this script knows what it kept.
(function () {
  "use strict";
  var body = document.body;
  var batchUrl = body.getAttribute("data-door-batch");
  var scope = body.getAttribute("data-door-scope");
  var store = null;
  try { store = window.localStorage; } catch (e) { /* storage blocked: nothing kept */ }
  var LIVE = /^door-(\d+)-(people|queue|token)$/;
  var LEFT = /^door-left-[0-9a-z]+$/;

  function read(key) {
    try { return JSON.parse(store.getItem(key)); } catch (e) { return null; }
  }
  function keys() {
    var out = [];
    for (var i = 0; store && i < store.length; i++) { out.push(store.key(i)); }
    return out;
  }
  // Every queue holding scans: the scanner's own (its event's token) and those left behind.
  function queues() {
    var out = [];
    keys().forEach(function (key) {
      var m = LIVE.exec(key || "");
      var left = LEFT.test(key || "") ? read(key) : null;
      if (m && m[2] === "queue") {
        var tokenKey = "door-" + m[1] + "-token";
        out.push({ items: read(key) || [], token: read(tokenKey), live: m[1],
                   save: function (rest) { store.setItem(key, JSON.stringify(rest)); } });
      } else if (left) {
        out.push({ items: left.scans || [], token: left.token, save: function (rest) {
          if (rest.length) { store.setItem(key, JSON.stringify({ token: left.token, scans: rest })); }
          else { store.removeItem(key); }
        } });
      }
    });
    return out.filter(function (q) { return q.items.length; });
  }
  function pending() {  // this person's scans, not those someone left before
    return queues().reduce(function (n, q) { return n + (q.live ? q.items.length : 0); }, 0);
  }
  // One queue up (the scanner's flush, without its list refresh); resolves when done either way.
  function upload(q, dropRefused) {
    if (!q.token || !batchUrl || !window.fetch || navigator.onLine === false) {
      return Promise.resolve();
    }
    var abort = window.AbortController ? new window.AbortController() : null;
    var timer = abort ? window.setTimeout(function () { abort.abort(); }, 8000) : null;
    return fetch(batchUrl, {
      method: "POST", body: JSON.stringify({ scans: q.items }), signal: abort && abort.signal,
      headers: { "Authorization": "Bearer " + q.token, "Content-Type": "application/json",
                 "Accept": "application/json" }
    }).then(function (r) {
      // A left queue whose device was revoked or whose door closed can never go up.
      if (r.status === 401 && dropRefused) { q.save([]); return; }
      if (!r.ok) { return; }
      return r.json().then(function (data) {
        var done = {};
        (data.results || []).forEach(function (res) { done[res.nonce] = true; });
        q.save(q.items.filter(function (i) { return !done[i.nonce]; }));
      });
    }).catch(function () { /* offline: kept */ }).then(function () {
      if (timer) { window.clearTimeout(timer); }
    });
  }
  function uploadAll(dropRefused) {
    return Promise.all(queues().map(function (q) { return upload(q, dropRefused); }));
  }
  // Drop every copy; a queue still holding scans is left behind with its token (see above).
  function forget() {
    document.dispatchEvent(new CustomEvent("door:forget"));  // checkin.js stops keeping
    queues().forEach(function (q) {
      if (q.live && q.token) {
        var id = "door-left-" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
        store.setItem(id, JSON.stringify({ token: q.token, scans: q.items }));
        store.removeItem("door-" + q.live + "-queue");
      }
    });
    keys().forEach(function (key) {
      var m = LIVE.exec(key || "");
      // A queue without a token cannot be left behind: it stays for the next scanner page.
      if (m && !(m[2] === "queue" && (read(key) || []).length)) { store.removeItem(key); }
    });
    var jobs = [];
    if (window.caches) {
      jobs.push(window.caches.keys().then(function (names) {
        return Promise.all(names.filter(function (n) { return n.indexOf("door-") === 0; })
          .map(function (n) { return window.caches.delete(n); }));
      }));
    }
    if (scope && navigator.serviceWorker && navigator.serviceWorker.getRegistrations) {
      jobs.push(navigator.serviceWorker.getRegistrations().then(function (regs) {
        return Promise.all(regs.filter(function (r) {
          return new URL(r.scope).pathname === scope;
        }).map(function (r) { return r.unregister(); }));
      }));
    }
    return Promise.all(jobs).catch(function () { return null; });
  }

  function warn(form, n) {
    var say = function (name) { return form.getAttribute("data-msg-door-" + name) || ""; };
    var old = document.querySelector("[data-door-warning]");
    if (old) { old.parentNode.removeChild(old); }
    var box = document.createElement("div");
    box.className = "notice door-warning";
    box.setAttribute("role", "alert");
    box.setAttribute("data-door-warning", "");
    box.tabIndex = -1;
    var main = document.getElementById("contenu") || body;
    if (main.contains(form)) { form.parentNode.insertBefore(box, form); }
    else { main.insertBefore(box, main.firstChild); }
    [say(n === 1 ? "one" : "many").replace("{n}", n), say("later")].forEach(function (text) {
      var p = document.createElement("p");
      p.textContent = text;
      box.appendChild(p);
    });
    var buttons = document.createElement("p");
    var stay = document.createElement("button");
    stay.type = "button";
    stay.className = "button";
    stay.textContent = say("stay");
    stay.addEventListener("click", function () {
      box.parentNode.removeChild(box);
      var again = form.querySelector("[type=submit]");
      if (again) { again.focus(); }
    });
    var go = document.createElement("button");
    go.type = "button";
    go.className = "button secondary";
    go.textContent = say("go");
    go.addEventListener("click", function () {
      go.disabled = true;
      forget().then(function () { form.submit(); });
    });
    buttons.appendChild(stay);
    buttons.appendChild(document.createTextNode(" "));
    buttons.appendChild(go);
    box.appendChild(buttons);
    box.focus();
  }

  var busy = false;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.hasAttribute || !form.hasAttribute("data-door-forget")) {
      return;
    }
    if (!keys().some(function (k) { return LIVE.test(k || "") || LEFT.test(k || ""); })) {
      // This device never held the door's list (the usual case): sign out at once, and drop
      // a page copy or a worker that may remain, as far as the time before unload allows.
      forget();
      return;
    }
    event.preventDefault();
    if (busy) { return; }
    busy = true;
    form.setAttribute("aria-busy", "true");
    uploadAll(false).then(function () {
      var n = pending();
      busy = false;
      form.removeAttribute("aria-busy");
      if (n) { warn(form, n); return; }
      forget().then(function () { form.submit(); });
    });
  });

  // Scans left behind go up from whichever page opens next, as soon as there is a network.
  if (store && keys().some(function (k) { return LEFT.test(k || ""); })) {
    uploadAll(true);
  }
  window.addEventListener("online", function () {
    if (store && keys().some(function (k) { return LEFT.test(k || ""); })) { uploadAll(true); }
  });
})();
