/* Teranga — the rating tablet. Pairing with a device token (#token= or the form), one tap on
   a face, up to three optional yes/no questions, thanks, reset. Every answer is queued on the
   device (localStorage) with its client_id and the time of the tap, then sent; it stays
   queued while the link is down and is retried with backoff, so nothing is lost, and the
   server's idempotency on client_id means nothing counts twice. Texts come from the
   template, in French and Wolof. */
(() => {
  "use strict";
  const root = document.getElementById("tablet");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const site = root.dataset.site;
  const TOKEN_KEY = "teranga.tablet.token." + site;
  const QUEUE_KEY = "teranga.tablet.queue." + site;
  const TOKEN_SHAPE = /^tgd_[A-Za-z0-9_-]{43}$/;
  const MIN_INTERVAL = Math.max(0, Number(root.dataset.minInterval) || 0) * 1000;
  const FOLLOW_IDLE = 15000; // the questions give way to the thanks after this long untouched
  const HOLD = FOLLOW_IDLE + 5000; // an answer is not sent while its questions may still come
  const THANKS_SHOWN = 4000;
  const REQUEST_TIMEOUT = 10000;
  const BACKOFF_MAX = 20000;
  const QUEUE_MAX = 5000; // a month offline on a busy site; beyond, the oldest give way
  const QUESTIONS = ["wait_ok", "courteous", "resolved"];
  const defaultLang = root.dataset.lang === "wo" ? "wo" : "fr";

  // --- storage: the token and the queue survive a reload ----------------------------------
  const memory = {};
  const load = (key) => {
    try {
      const value = localStorage.getItem(key);
      return value === null ? memory[key] || null : value;
    } catch (e) {
      return memory[key] || null;
    }
  };
  const store = (key, value) => {
    memory[key] = value;
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch (e) {
      /* storage refused: kept in memory until the next reload */
    }
  };
  const tokenGet = () => load(TOKEN_KEY);
  const tokenSet = (value) => store(TOKEN_KEY, value || null);
  const queueGet = () => {
    try {
      const list = JSON.parse(load(QUEUE_KEY) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (e) {
      return [];
    }
  };
  const queueSet = (list) => {
    store(QUEUE_KEY, JSON.stringify(list.slice(-QUEUE_MAX)));
    showPending();
  };
  const queueEdit = (id, change) => {
    const list = queueGet();
    const item = list.find((i) => i.body.client_id === id);
    if (item) {
      change(item);
      queueSet(list);
    }
  };

  if (location.hash) {
    const fragment = new URLSearchParams(location.hash.slice(1));
    if (fragment.has("token")) {
      const given = (fragment.get("token") || "").trim();
      if (given) tokenSet(given);
      history.replaceState(null, "", location.pathname + location.search);
    }
  }

  // --- languages: both catalogues are in the page, so switching works offline -------------
  let lang = defaultLang;
  const text = (key, n) => {
    const el = document.querySelector(`#strings [data-lang="${lang}"] [data-msg="${key}"]`);
    const value = el ? el.textContent.trim() : "";
    return n === undefined ? value : value.replace("{n}", String(n));
  };
  const msg = (key) => {
    const el = document.querySelector(`#tablet-messages [data-msg="${key}"]`);
    return el ? el.textContent.trim() : "";
  };
  const setLang = (value) => {
    lang = value === "wo" ? "wo" : "fr";
    document.documentElement.lang = lang;
    for (const el of document.querySelectorAll("[data-t]")) el.textContent = text(el.dataset.t);
    for (const el of document.querySelectorAll("[data-t-label]")) {
      el.setAttribute("aria-label", text(el.dataset.tLabel));
    }
    for (const b of document.querySelectorAll(".t-langs button")) {
      b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
    }
    document.title = `${text("title")} · ${document.querySelector(".t-top h1").textContent.trim()}`;
    if (current === "follow") askQuestion();
    showPending();
  };

  const pendingBox = $("pending");
  function showPending() {
    // An answer held while its questions may still come is not waiting to be sent yet.
    const now = Date.now();
    const n = queueGet().filter((i) => !(i.hold > now)).length;
    pendingBox.dataset.count = String(n);
    pendingBox.textContent = n === 1 ? text("pending-one") : text("pending-many", n);
    pendingBox.hidden = n === 0;
  }

  // --- sending: one answer at a time, oldest first ----------------------------------------
  const uuid = () => {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };

  // Resolves {status} (0 when the network or the server failed); never rejects.
  const post = async (body) => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT);
    try {
      const response = await fetch(root.dataset.api, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: "Bearer " + (tokenGet() || "") },
        body: JSON.stringify(body),
        cache: "no-store",
        signal: abort.signal,
      });
      return { status: response.status >= 500 ? 0 : response.status };
    } catch (e) {
      return { status: 0 };
    } finally {
      clearTimeout(timer);
    }
  };

  let flushing = false;
  let paused = false; // the token was refused: wait for a new pairing
  let backoff = 0;
  let timer = null;
  const later = (ms) => {
    clearTimeout(timer);
    timer = setTimeout(flush, ms);
  };
  async function flush() {
    if (flushing || paused || !tokenGet()) return;
    flushing = true;
    clearTimeout(timer);
    timer = null;
    try {
      for (;;) {
        const item = queueGet().find((i) => i.hold <= Date.now());
        if (!item) break;
        const id = item.body.client_id;
        const { status } = await post(item.body);
        const sent = status >= 200 && status < 300;
        // A refusal for the answer itself (409 too soon or already counted, 422 bad input)
        // will never change: drop it rather than loop. 401/403: the token, not the answer.
        const refused = status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status);
        if (sent || refused) {
          queueSet(queueGet().filter((i) => i.body.client_id !== id));
          backoff = 0;
          continue;
        }
        if (status === 401 || status === 403) {
          paused = true;
          tokenSet(null);
          showPairing(msg("revoked"));
          break;
        }
        backoff = Math.min(backoff ? backoff * 2 : 2000, BACKOFF_MAX);
        later(backoff);
        return;
      }
    } finally {
      flushing = false;
      showPending();
    }
    // The next answer still held by its questions goes when they are over.
    const held = queueGet().map((i) => i.hold).filter((h) => h > Date.now());
    if (held.length && !paused) later(Math.min(...held) - Date.now() + 50);
  }
  window.addEventListener("online", () => {
    backoff = 0;
    flush();
  });

  // --- screens ----------------------------------------------------------------------------
  const screens = {
    pairing: $("pairing"),
    rate: $("screen-rate"),
    follow: $("screen-follow"),
    thanks: $("screen-thanks"),
  };
  let current = null;
  let lastTouch = Date.now();
  let lastPress = Number(load("teranga.tablet.last." + site)) || 0;
  let answer = null; // client_id of the answer whose questions are on screen
  let question = 0;
  let thanksUntil = 0;

  const show = (name) => {
    for (const [key, el] of Object.entries(screens)) if (el) el.hidden = key !== name;
    current = name;
    lastTouch = Date.now();
    const heading = screens[name] && screens[name].querySelector("h2");
    if (heading) heading.focus({ preventScroll: true });
  };
  const home = () => {
    answer = null;
    thanksUntil = 0;
    if (lang !== defaultLang) setLang(defaultLang);
    show("rate");
  };
  const showPairing = (message) => {
    const box = $("pair-message");
    box.textContent = message || "";
    box.hidden = !message;
    $("pair-token").value = "";
    show("pairing");
  };

  function askQuestion() {
    $("follow-step").textContent = text("step", question + 1);
    $("follow-title").textContent = text(QUESTIONS[question]);
  }

  const rate = (rating) => {
    const now = Date.now();
    if (now - lastPress < MIN_INTERVAL) return; // button mashing: ignored
    lastPress = now;
    store("teranga.tablet.last." + site, String(now));
    const body = {
      client_id: uuid(),
      site,
      channel: "tablet",
      rating,
      language: lang,
      answered_at: new Date(now).toISOString(),
    };
    // Queued at once: the tap counts even if nobody answers the questions.
    queueSet([...queueGet(), { body, hold: now + HOLD }]);
    answer = body.client_id;
    question = 0;
    askQuestion();
    show("follow");
  };
  const reply = (value) => {
    const field = QUESTIONS[question];
    queueEdit(answer, (i) => {
      i.body[field] = value;
      i.hold = Date.now() + HOLD;
    });
    question += 1;
    if (question < QUESTIONS.length) {
      askQuestion();
      show("follow");
    } else {
      finish();
    }
  };
  const finish = () => {
    if (answer) queueEdit(answer, (i) => (i.hold = 0));
    answer = null;
    thanksUntil = Date.now() + THANKS_SHOWN;
    show("thanks");
    flush();
  };

  // --- pairing ----------------------------------------------------------------------------
  const checkToken = async (token) => {
    try {
      const response = await fetch(root.dataset.apiMe, {
        headers: { Authorization: "Bearer " + token },
        cache: "no-store",
      });
      if (response.status === 401) return "unknown";
      if (!response.ok) return "offline";
      const me = await response.json();
      const mine = me.kind === "device" && me.device_kind === "tablet" && (me.sites || []).includes(site);
      return mine ? "ok" : "other";
    } catch (e) {
      return "offline";
    }
  };
  const pairForm = $("pair-form");
  if (pairForm) {
    pairForm.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const input = $("pair-token");
      const save = $("pair-save");
      const box = $("pair-message");
      const value = input.value.trim();
      const fail = (message) => {
        box.textContent = message;
        box.hidden = false;
        input.focus();
      };
      if (!TOKEN_SHAPE.test(value)) return fail(msg("token-shape"));
      save.disabled = true;
      const verdict = await checkToken(value); // "offline": saved anyway, checked when sending
      save.disabled = false;
      if (verdict === "unknown") return fail(msg("token-unknown"));
      if (verdict === "other") return fail(msg("token-other"));
      tokenSet(value);
      input.value = "";
      paused = false;
      home();
      flush();
    });
  }

  // --- touches and timers -----------------------------------------------------------------
  document.addEventListener("click", (ev) => {
    const button = ev.target.closest("button");
    if (!button) return;
    if (button.dataset.lang) setLang(button.dataset.lang);
    else if (button.dataset.rating && current === "rate") rate(Number(button.dataset.rating));
    else if (button.dataset.answer && current === "follow") reply(button.dataset.answer === "yes");
    else if (button.id === "follow-skip" && current === "follow") finish();
  });
  for (const type of ["pointerdown", "keydown", "touchstart"]) {
    document.addEventListener(type, () => (lastTouch = Date.now()), { capture: true, passive: true });
  }
  document.addEventListener("contextmenu", (ev) => ev.preventDefault());

  const loadDay = new Date().toDateString();
  const tick = () => {
    const now = Date.now();
    if (current === "follow" && now - lastTouch > FOLLOW_IDLE) finish();
    else if (current === "thanks" && now > thanksUntil) home();
    else if (current === "rate" && now - lastTouch > 60000 && new Date().toDateString() !== loadDay) {
      location.reload(); // a new day: pick up a new version of the page (or the kept one)
    }
  };

  // --- start ------------------------------------------------------------------------------
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.scope }).catch(() => {
      /* no offline copy (e.g. plain HTTP): the page still works online */
    });
  }
  showPending();
  if (root.dataset.status === "closed") {
    // Nothing to rate, but answers kept from before the closure still go.
    setInterval(flush, 60000);
    flush();
    return;
  }
  const stored = tokenGet();
  if (!stored) {
    showPairing("");
  } else if (!TOKEN_SHAPE.test(stored)) {
    tokenSet(null);
    showPairing(msg("token-shape"));
  } else {
    home();
    checkToken(stored).then((verdict) => {
      if (verdict === "ok" || verdict === "offline" || tokenGet() !== stored) return;
      if (current !== "rate") return;
      tokenSet(null);
      showPairing(msg(verdict === "unknown" ? "revoked" : "token-other"));
    });
  }
  setInterval(tick, 500);
  setInterval(flush, 30000); // a safety net beside the backoff and the "online" event
  flush();
})();
