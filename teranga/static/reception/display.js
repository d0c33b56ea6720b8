/* Teranga — wall display. Polls the public queue, shows the calls and the waiting per line,
   chimes and announces each new call. Every text shown comes from the template. */
(() => {
  "use strict";
  const root = document.getElementById("display");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const tz = root.dataset.tz || undefined;
  const POLL_EVERY = 3000;
  const REQUEST_TIMEOUT = 8000;
  const FRESH_FOR = 8000; // a new call stays highlighted this long
  const MAX_CALLS = 8;

  const msg = (key, values) => {
    const el = document.querySelector(`#display-messages [data-msg="${key}"]`);
    let text = el ? el.textContent.trim() : "";
    for (const [name, value] of Object.entries(values || {})) text = text.replace(`{${name}}`, value);
    return text;
  };
  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  // --- clock -----------------------------------------------------------------------------
  const clock = $("clock");
  const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  let format;
  try {
    format = new Intl.DateTimeFormat("en-GB", { ...options, timeZone: tz });
  } catch (e) {
    format = new Intl.DateTimeFormat("en-GB", options);
  }
  const tickClock = () => {
    const text = format.format(new Date());
    if (clock.textContent !== text) {
      clock.textContent = text;
      clock.setAttribute("datetime", text);
    }
  };
  tickClock();
  setInterval(tickClock, 1000);

  // --- sound: a two-tone chime, no audio file --------------------------------------------
  const soundButton = $("enable-sound");
  const AudioCtx = window.AudioContext || window.webkitAudioContext;
  let audio = null;
  const syncSound = () => {
    soundButton.hidden = !AudioCtx || (audio !== null && audio.state === "running");
  };
  const enableSound = () => {
    if (!AudioCtx) return;
    try {
      if (!audio) {
        audio = new AudioCtx();
        audio.addEventListener("statechange", syncSound);
      }
      if (audio.state === "suspended") audio.resume().then(syncSound, () => {});
    } catch (e) {
      /* no sound on this device */
    }
    syncSound();
  };
  soundButton.addEventListener("click", enableSound);
  for (const type of ["pointerdown", "keydown"]) document.addEventListener(type, enableSound, { passive: true });
  const chime = () => {
    if (!audio || audio.state !== "running") return;
    const start = audio.currentTime + 0.02;
    [[880, 0], [659.25, 0.45]].forEach(([frequency, delay]) => {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      const t = start + delay;
      osc.type = "sine";
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.5, t + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.6);
      osc.connect(gain).connect(audio.destination);
      osc.start(t);
      osc.stop(t + 0.65);
    });
  };
  // Works at once where autoplay is allowed (kiosk mode); otherwise the button stays shown.
  enableSound();

  // --- rendering -------------------------------------------------------------------------
  const offline = $("connection-lost");
  const region = $("announce");
  const latestBox = $("latest");
  const callsList = $("calls");
  const waitingList = $("waiting");
  const freshUntil = new Map(); // ticket number -> highlighted until (ms)
  let firstLoad = true;
  let newest = 0; // called_at of the most recent call seen (ms)
  let shownCalls = "";
  let shownWaiting = "";

  const isFresh = (call, now) => (freshUntil.get(call.number) || 0) > now;
  const counterOf = (call) => call.counter_name || call.counter;

  const renderCalls = (calls) => {
    const now = Date.now();
    for (const [number, until] of freshUntil) if (until <= now) freshUntil.delete(number);
    const signature = JSON.stringify(calls.map((c) => [c.number, counterOf(c), c.status, isFresh(c, now)]));
    if (signature === shownCalls) return;
    shownCalls = signature;
    const latest = calls[0];
    latestBox.classList.toggle("empty", !latest);
    latestBox.classList.toggle("fresh", !!latest && isFresh(latest, now));
    $("latest-number").textContent = latest ? latest.number : "";
    $("latest-counter").textContent = latest ? counterOf(latest) : "";
    latestBox.querySelector(".latest-arrow").hidden = !latest;
    $("latest-none").hidden = !!latest;
    callsList.replaceChildren(
      ...calls.slice(0, MAX_CALLS).map((call) => {
        const item = el("li", "call");
        item.classList.toggle("serving", call.status === "serving");
        item.classList.toggle("fresh", isFresh(call, now));
        item.append(el("span", "call-number", call.number), el("span", "call-counter", counterOf(call)));
        return item;
      }),
    );
  };

  const renderWaiting = (waiting) => {
    const perLine = new Map();
    let total = 0;
    for (const row of waiting) {
      const n = Number(row.waiting) || 0;
      perLine.set(row.line, (perLine.get(row.line) || 0) + n);
      total += n;
    }
    const letters = [...perLine.keys()].sort();
    const signature = JSON.stringify(letters.map((letter) => [letter, perLine.get(letter)]));
    if (signature === shownWaiting) return;
    shownWaiting = signature;
    waitingList.replaceChildren(
      ...letters.map((letter) => {
        const item = el("li", "wait-line");
        const badge = el("span", "wait-letter", letter);
        badge.setAttribute("aria-hidden", "true");
        item.append(badge, el("span", "sr", msg("waiting-line", { letter })), el("span", "wait-count", String(perLine.get(letter))));
        return item;
      }),
    );
    $("no-waiting").hidden = letters.length > 0;
    $("waiting-total").textContent = String(total);
  };

  const announce = (calls) => {
    const text = calls.map((c) => msg("announce", { number: c.number, counter: counterOf(c) })).join(" ");
    region.textContent = "";
    setTimeout(() => (region.textContent = text), 150); // a new text, even for a recall
  };

  const update = (data) => {
    const calls = data.calls;
    let latestSeen = newest;
    const fresh = [];
    for (const call of calls) {
      const at = Date.parse(call.called_at) || 0;
      if (at > newest) fresh.push(call);
      if (at > latestSeen) latestSeen = at;
    }
    if (!firstLoad && fresh.length) {
      const until = Date.now() + FRESH_FOR;
      for (const call of fresh) freshUntil.set(call.number, until);
      chime();
      announce(fresh.slice().reverse()); // oldest call first
    }
    newest = latestSeen;
    firstLoad = false;
    renderCalls(calls);
    renderWaiting(data.waiting);
  };

  // --- polling ---------------------------------------------------------------------------
  const poll = async () => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT);
    try {
      const response = await fetch(root.dataset.api, {
        cache: "no-store",
        headers: { Accept: "application/json" },
        signal: abort.signal,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const data = await response.json();
      if (!data || !Array.isArray(data.calls) || !Array.isArray(data.waiting)) throw new Error("bad answer");
      offline.hidden = true;
      update(data);
    } catch (e) {
      offline.hidden = false; // keep showing the last data
    } finally {
      clearTimeout(timer);
      setTimeout(poll, POLL_EVERY);
    }
  };
  poll();
})();
