/* Field-visit roll call on a phone. The page works with plain forms; this script makes a tap instant and
   keeps working without network: every mark is put in a queue kept on the phone (localStorage), shown at
   once, and sent in order whenever the server answers. The list is polled, so two guides see each
   other's marks. A badge photo is decoded by the browser's BarcodeDetector, else by the vendored jsQR. */
(function () {
  "use strict";

  var root = document.getElementById("roll-call");
  if (!root) { return; }

  var POLL_MS = 4000;
  var QUEUE_KEY = "portmeet-roll-call:" + location.pathname;
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : "";
  var rows = {};
  Array.prototype.forEach.call(root.querySelectorAll(".roll-row"), function (row) { rows[row.dataset.booking] = row; });
  var status = document.getElementById("roll-sync");
  var queue = loadQueue();
  var sending = false;
  var offline = false;
  var signedOut = false;
  var note = "";
  var clock = new Intl.DateTimeFormat(document.documentElement.lang || undefined,
                                      {hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: root.dataset.tz});

  function say(name, values) {
    var message = root.getAttribute("data-text-" + name) || "";
    Object.keys(values || {}).forEach(function (key) { message = message.split("{" + key + "}").join(values[key]); });
    return message;
  }

  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY)) || []; } catch (error) { return []; }
  }

  function saveQueue() {
    try { localStorage.setItem(QUEUE_KEY, JSON.stringify(queue)); } catch (error) { /* private mode: kept in memory */ }
  }

  /* What a row shows: the server's marks, then the marks still waiting in the queue, in order. */
  function marksOf(row) {
    var marks = {board: row.dataset.boarded || "", ashore: row.dataset.returned || "", pending: false};
    queue.forEach(function (item) {
      if (item.booking !== row.dataset.booking) { return; }
      marks.pending = true;
      if (item.op === "undo") { marks[item.step] = ""; } else if (!marks[item.step]) { marks[item.step] = String(item.at); }
    });
    return marks;
  }

  function render() {
    var counts = {booked: 0, on_board: 0, missing: 0, back: 0, still_out: 0};
    Object.keys(rows).forEach(function (id) {
      var row = rows[id];
      var marks = marksOf(row);
      var booked = row.dataset.status === "booked";
      row.classList.toggle("is-boarded", !!marks.board);
      row.classList.toggle("is-back", !!marks.ashore);
      row.classList.toggle("is-pending", marks.pending);
      row.querySelector(".time-board").textContent = marks.board ? say("boarded", {time: clock.format(+marks.board)}) : "";
      row.querySelector(".time-ashore").textContent = marks.ashore ? say("returned", {time: clock.format(+marks.ashore)}) : "";
      counts.booked += booked ? 1 : 0;
      counts.missing += booked && !marks.board ? 1 : 0;
      counts.on_board += marks.board ? 1 : 0;
      counts.back += marks.ashore ? 1 : 0;
      counts.still_out += marks.board && !marks.ashore ? 1 : 0;
    });
    Array.prototype.forEach.call(root.querySelectorAll("[data-count]"), function (element) {
      element.textContent = counts[element.dataset.count];
    });
    var words = [];
    if (queue.length) { words.push(say(queue.length === 1 ? "waiting-one" : "waiting-other", {n: queue.length})); }
    if (signedOut) { words.push(say("sign-in")); } else if (offline) { words.push(say("offline")); }
    if (note) { words.push(note); }
    status.textContent = words.join(" · ");
  }

  function applyServer(state) {
    var row = rows[String(state.id)];
    if (!row) { return; }
    row.dataset.boarded = state.boarded == null ? "" : String(state.boarded);
    row.dataset.returned = state.returned == null ? "" : String(state.returned);
  }

  function request(url, body) {
    return fetch(url, {
      method: body ? "POST" : "GET", body: body, credentials: "same-origin", cache: "no-store",
      headers: {"Accept": "application/json"}
    });
  }

  function isJson(response) {
    return (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
  }

  /* Send the queue, oldest first; stop at the first network failure (the rest waits on the phone). */
  function flush() {
    if (sending || !queue.length) { return Promise.resolve(); }
    sending = true;
    var item = queue[0];
    var body = new URLSearchParams({csrf_token: csrf, step: item.step, at: String(item.at), confirm: item.confirm || ""});
    return request(item.url, body).then(function (response) {
      if (response.redirected && response.url.indexOf("/login") !== -1) { signedOut = true; return false; }
      signedOut = false;
      offline = false;
      if (response.status >= 500) { offline = true; return false; }
      if (isJson(response)) {
        return response.json().then(function (answer) {
          applyServer(answer.booking);
          if (answer.outcome === "needs_confirmation") { note = say("scanned-waiting", {name: nameOf(item.booking)}); }
          return done(item);
        });
      }
      if (response.status === 400 && !item.retried) {  // an expired form token: take a fresh one, send again
        item.retried = true;
        return poll().then(function () { return true; });
      }
      note = say("refused", {name: nameOf(item.booking)});
      return done(item);
    }, function () {
      offline = true;
      return false;
    }).then(function (more) {
      sending = false;
      render();
      if (more) { return flush(); }
    });
  }

  function done(item) {
    queue = queue.filter(function (other) { return other.key !== item.key; });
    saveQueue();
    return true;
  }

  function nameOf(booking) {
    return rows[booking] ? rows[booking].dataset.name : "";
  }

  /* Everyone's marks from the server; a new or moved booking means a new list: reload it. */
  function poll() {
    return request(root.dataset.stateUrl).then(function (response) {
      if (response.redirected && response.url.indexOf("/login") !== -1) { signedOut = true; return; }
      if (!response.ok || !isJson(response)) { return; }
      return response.json().then(function (state) {
        offline = false;
        signedOut = false;
        csrf = state.csrf_token || csrf;
        var changed = state.bookings.length !== Object.keys(rows).length;
        state.bookings.forEach(function (booking) {
          var row = rows[String(booking.id)];
          if (!row || row.dataset.status !== booking.status) { changed = true; return; }
          applyServer(booking);
        });
        if (changed && !queue.length) { location.reload(); }
      });
    }, function () { offline = true; }).then(render);
  }

  function enqueue(form) {
    var row = form.closest(".roll-row");
    var step = form.elements.step.value;
    var item = {
      key: Date.now() + "-" + Math.random().toString(36).slice(2), url: form.action, booking: row.dataset.booking,
      step: step, op: /\/undo$/.test(form.action) ? "undo" : "mark", at: Date.now(),
      confirm: form.elements.confirm ? form.elements.confirm.value : ""
    };
    queue.push(item);
    saveQueue();
    note = "";
    var details = form.closest("details");
    if (details) { details.open = false; }
    render();
    var next = row.querySelector(item.op === "undo" ? ".do-" + step + " button, .do-" + step + " summary"
                                                    : ".undo-" + step + " button");
    if (next) { next.focus(); }
    flush();
  }

  root.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("roll-form")) { return; }
    event.preventDefault();
    enqueue(form);
  });

  /* The two passes switch in place, so both work offline from the one cached page. */
  Array.prototype.forEach.call(root.querySelectorAll("[data-step-link]"), function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var step = link.dataset.stepLink;
      root.dataset.step = step;
      Array.prototype.forEach.call(root.querySelectorAll("[data-step-link]"), function (other) {
        if (other === link) { other.setAttribute("aria-current", "page"); } else { other.removeAttribute("aria-current"); }
      });
      document.querySelector("#roll-scan input[name=step]").value = step;
      history.replaceState(null, "", link.href);
    });
  });

  /* --- badges: a photo of the QR code, decoded on the phone ------------------------------------ */

  var decoderLoaded = null;

  function loadDecoder() {
    if (!decoderLoaded) {
      decoderLoaded = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = root.dataset.decoderUrl;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return decoderLoaded;
  }

  function withJsQR(bitmap) {
    return loadDecoder().then(function () {
      var scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var context = canvas.getContext("2d", {willReadFrequently: true});
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(pixels.data, canvas.width, canvas.height);
      return found ? found.data : null;
    });
  }

  function decode(file) {
    return createImageBitmap(file).then(function (bitmap) {
      if (!("BarcodeDetector" in window)) { return withJsQR(bitmap); }
      return new window.BarcodeDetector({formats: ["qr_code"]}).detect(bitmap).then(function (codes) {
        return codes.length ? codes[0].rawValue : withJsQR(bitmap);
      }, function () { return withJsQR(bitmap); });
    });
  }

  function codeOf(scanned) {
    var text = (scanned || "").trim();
    if (text.indexOf("/") === -1) { return text; }
    var path = text.replace(/[?#].*$/, "").replace(/\/+$/, "");
    return decodeURIComponent(path.slice(path.lastIndexOf("/") + 1));
  }

  function scanned(text) {
    var code = codeOf(text);
    var step = root.dataset.step;
    var row = Object.keys(rows).map(function (id) { return rows[id]; })
      .filter(function (candidate) { return code && candidate.dataset.code === code; })[0];
    if (!row) {
      if (!offline && navigator.onLine) {  // the server says who it is, and offers to add them
        var form = document.getElementById("roll-scan");
        form.elements.code.value = text;
        form.submit();
        return;
      }
      note = say("not-listed");
      return render();
    }
    var name = row.dataset.name;
    if (step === "board" && row.dataset.status !== "booked" && !marksOf(row).board) {
      var details = row.querySelector("details");
      details.open = true;
      details.querySelector("button").focus();
      note = say("scanned-waiting", {name: name});
      return render();
    }
    var markForm = row.querySelector("form.do-" + step);
    if (markForm && !marksOf(row)[step]) { enqueue(markForm); }
    note = say(step === "board" ? "scanned-board" : "scanned-ashore", {name: name});
    row.scrollIntoView({block: "center"});
    render();
  }

  var camera = root.querySelector(".roll-camera");
  var photo = document.getElementById("badge-photo");
  if (camera && photo && window.createImageBitmap) {
    camera.hidden = false;
    photo.addEventListener("change", function () {
      var file = photo.files[0];
      if (!file) { return; }
      note = say("scanning");
      render();
      decode(file).then(function (text) {
        if (text) { scanned(text); } else { note = say("no-code"); render(); }
      }, function () { note = say("no-code"); render(); }).then(function () { photo.value = ""; });
    });
  }

  /* --- the page offline, polling and sending ----------------------------------------------------- */

  if ("serviceWorker" in navigator && root.dataset.workerUrl) {
    navigator.serviceWorker.register(root.dataset.workerUrl).then(function () {
      // This very page and what it loads, and the decoder for badges scanned with no network: the worker
      // stores only what goes through it, and this first visit did not.
      var urls = [location.pathname, root.dataset.decoderUrl];
      Array.prototype.forEach.call(document.querySelectorAll("link[rel=stylesheet], script[src]"), function (element) {
        urls.push(element.getAttribute("href") || element.getAttribute("src"));
      });
      return caches.open("portmeet-roll-call").then(function (cache) { return cache.addAll(urls); });
    }).then(function () {
      root.dataset.offlineReady = "y";
    }).catch(function () { /* no worker (e.g. not HTTPS): the page still works while online */ });
  }

  window.addEventListener("online", function () { flush().then(poll); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { flush().then(poll); } });
  setInterval(function () { flush().then(poll); }, POLL_MS);
  render();
  flush().then(poll);
}());
