/* Teranga — ticket kiosk. Pairing with a device token, three screens (line, procedure,
   priority and SMS), issuing with safe retries (one client_id per attempt), the printed
   ticket. Every text shown comes from the template (translated there). */
(() => {
  "use strict";
  const root = document.getElementById("kiosk");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const site = root.dataset.site;
  const tz = root.dataset.tz || undefined;
  const TOKEN_KEY = "teranga.kiosk.token." + site;
  const TOKEN_SHAPE = /^tgd_[A-Za-z0-9_-]{43}$/;
  const RETRY_EVERY = 3000; // ms between two tries of the same request
  const RETRIES = 10; // automatic retries after the first try
  const REQUEST_TIMEOUT = 10000;
  const IDLE_LIMIT = 60000; // back to the first screen after this long without a touch
  const TICKET_SHOWN = 20000; // the ticket stays on screen this long

  // --- the token: the only state that survives a reload ---------------------------------
  let memoryToken = null;
  const tokenGet = () => {
    try {
      return localStorage.getItem(TOKEN_KEY) || memoryToken;
    } catch (e) {
      return memoryToken;
    }
  };
  const tokenSet = (value) => {
    memoryToken = value || null;
    try {
      if (value) localStorage.setItem(TOKEN_KEY, value);
      else localStorage.removeItem(TOKEN_KEY);
    } catch (e) {
      /* storage refused: keep it in memory until the next reload */
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

  // A closed centre issues nothing: look again every few minutes in case it reopens.
  if (root.dataset.status === "closed") {
    setTimeout(() => location.reload(), 5 * 60000);
    return;
  }

  const msg = (key, n) => {
    const el = document.querySelector(`#kiosk-messages [data-msg="${key}"]`);
    const text = el ? el.textContent.trim() : "";
    return n === undefined ? text : text.replace("{n}", String(n));
  };

  // --- time in the centre's time zone ----------------------------------------------------
  const clockParts = (date) => {
    try {
      const parts = new Intl.DateTimeFormat("en-GB", {
        timeZone: tz,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }).formatToParts(date);
      const get = (type) => (parts.find((p) => p.type === type) || {}).value;
      return { day: `${get("year")}-${get("month")}-${get("day")}`, h: +get("hour"), m: +get("minute") };
    } catch (e) {
      return { day: date.toDateString(), h: date.getHours(), m: date.getMinutes() };
    }
  };
  const hhmm = (date) => {
    const { h, m } = clockParts(date);
    return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
  };

  // --- screens ---------------------------------------------------------------------------
  const screens = {
    pairing: $("pairing"),
    lines: $("screen-lines"),
    procedures: $("screen-procedures"),
    details: $("screen-details"),
    ticket: $("ticket"),
  };
  const form = $("ticket-form");
  const consent = $("sms-consent");
  const phone = $("phone");
  const keypad = $("keypad");
  const takeButton = $("take-ticket");
  const retryButton = $("retry-ticket");
  const errorBox = $("kiosk-error");
  const offlineBox = $("connection-lost");
  const qr = $("ticket-qr");
  const countdown = $("ticket-countdown");
  let current = null;
  let lastTouch = Date.now();
  let chosen = null; // {code, name} of the procedure
  let attempt = null; // the ticket request being made: {body, name}, same client_id throughout
  let inFlight = false; // a request or its automatic retries are under way
  let ticketUntil = 0;
  const loadDay = clockParts(new Date()).day;

  const show = (name, focus = true) => {
    for (const [key, el] of Object.entries(screens)) el.hidden = key !== name;
    current = name;
    lastTouch = Date.now();
    window.scrollTo(0, 0);
    const heading = screens[name].querySelector("h2");
    if (focus && heading) heading.focus({ preventScroll: true });
  };
  const showError = (text) => {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  };

  const resetForm = () => {
    form.reset();
    syncPhone();
    showError("");
    offlineBox.hidden = true;
    retryButton.hidden = true;
    attempt = null;
    inFlight = false;
    takeButton.disabled = false;
  };
  const clearTicket = () => {
    for (const id of ["ticket-number", "ticket-procedure", "ticket-time", "ticket-position",
      "ticket-wait", "ticket-feedback", "ticket-countdown"]) $(id).textContent = "";
    qr.removeAttribute("src");
    $("ticket-link").setAttribute("href", "#");
    ticketUntil = 0;
  };
  const home = (focus = true) => {
    resetForm();
    clearTicket();
    chosen = null;
    show("lines", focus);
  };
  // The end of a visit: the next visitor starts in the kiosk's home language. After a visit
  // in another, switch back (the server keeps the choice in a cookie) and reload; offline,
  // stay as is and try again at the end of the next visit.
  const endVisit = () => {
    home();
    const homeLang = root.dataset.homeLang;
    if (!homeLang || document.documentElement.lang === homeLang) return;
    fetch(`${location.pathname}?lang=${homeLang}`, { credentials: "same-origin", cache: "no-store" })
      .then((response) => { if (response.ok && current === "lines") location.reload(); }, () => {});
  };
  const showPairing = (message) => {
    const box = $("pair-message");
    box.textContent = message || "";
    box.hidden = !message;
    $("pair-token").value = "";
    attempt = null;
    inFlight = false;
    clearTicket();
    show("pairing");
  };

  const openLine = (letter) => {
    let name = "";
    for (const list of document.querySelectorAll(".procedures")) {
      list.hidden = list.dataset.letter !== letter;
      if (!list.hidden) name = list.dataset.name;
    }
    $("procedures-letter").textContent = letter;
    $("procedures-name").textContent = name;
    show("procedures");
  };
  const openProcedure = (button) => {
    chosen = { code: button.dataset.code, name: button.querySelector(".procedure-name").textContent };
    resetForm();
    $("chosen-procedure").textContent = chosen.name;
    show("details");
  };

  function syncPhone() {
    const on = consent.checked;
    phone.disabled = !on;
    phone.required = on;
    keypad.hidden = !on;
    if (!on) phone.value = "";
  }
  // A refusal about the number no longer holds once the number or the box changes.
  consent.addEventListener("change", () => {
    syncPhone();
    showError("");
  });
  phone.addEventListener("input", () => {
    if (!inFlight) showError("");
  });

  // --- issuing ---------------------------------------------------------------------------
  const uuid = () => {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    const b = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(b);
    else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // One try. Resolves {ok, data} | {status, detail} | {network: true} (never rejects).
  const send = async (body) => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT);
    try {
      const response = await fetch(root.dataset.api, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: "Bearer " + (tokenGet() || "") },
        body,
        cache: "no-store",
        signal: abort.signal,
      });
      if (response.status >= 500) return { network: true };
      let data = null;
      try {
        data = await response.json();
      } catch (e) {
        /* not JSON: handled below */
      }
      if (response.ok) return data && data.number ? { ok: true, data } : { network: true };
      return { status: response.status, detail: data && typeof data.detail === "string" ? data.detail : "" };
    } catch (e) {
      return { network: true };
    } finally {
      clearTimeout(timer);
    }
  };

  const run = async (a) => {
    inFlight = true;
    takeButton.disabled = true;
    retryButton.hidden = true;
    showError("");
    for (let tries = 0; ; tries++) {
      const result = await send(a.body);
      if (attempt !== a) return; // abandoned (Back, timeout, pairing) meanwhile
      if (!result.network) {
        offlineBox.hidden = true;
        inFlight = false;
        attempt = null;
        if (result.ok) return showTicket(result.data, a.name);
        return refused(result.status, result.detail);
      }
      offlineBox.hidden = false;
      if (tries >= RETRIES) break;
      await sleep(RETRY_EVERY);
      if (attempt !== a) return;
    }
    // Still no answer: the attempt is kept, "Try again" sends it again with its client_id.
    inFlight = false;
    offlineBox.hidden = true;
    showError(msg("gave-up"));
    retryButton.hidden = false;
    retryButton.focus();
  };

  const refused = (status, detail) => {
    if (status === 401 || status === 403) {
      tokenSet(null);
      return showPairing(status === 401 ? msg("revoked") : detail || msg("revoked"));
    }
    takeButton.disabled = false;
    showError(detail || msg("error"));
  };

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (attempt || !chosen) return; // a request is under way: its retries reuse its client_id
    const sms = consent.checked;
    const number = sms ? phone.value.trim() : "";
    if (sms && !number) {
      showError(msg("phone-missing"));
      phone.focus();
      return;
    }
    attempt = {
      name: chosen.name,
      body: JSON.stringify({
        procedure: chosen.code,
        priority: (form.querySelector("input[name=priority]:checked") || {}).value || "none",
        phone: number,
        sms_consent: sms,
        client_id: uuid(),
        language: document.documentElement.lang,
      }),
    };
    run(attempt);
  });
  retryButton.addEventListener("click", () => {
    if (attempt && !inFlight) run(attempt);
  });

  // --- the ticket ------------------------------------------------------------------------
  const printWhenReady = () =>
    new Promise((resolve) => {
      let done = false;
      const go = () => {
        if (done) return;
        done = true;
        setTimeout(() => {
          try {
            window.print();
          } catch (e) {
            /* no printer: the ticket stays on screen */
          }
          resolve();
        }, 50);
      };
      qr.addEventListener("load", go, { once: true });
      qr.addEventListener("error", go, { once: true });
      setTimeout(go, 2500);
    });

  const showTicket = (data, name) => {
    const base = String(data.tracking_url || "");
    const tracking = base.endsWith("/") ? base : base + "/";
    $("ticket-number").textContent = data.number;
    $("ticket-procedure").textContent = name;
    const issued = new Date(data.issued_at);
    $("ticket-time").textContent = isNaN(issued) ? "" : hhmm(issued);
    $("ticket-position").textContent = String(data.position);
    $("ticket-wait").textContent =
      data.estimated_wait_minutes > 1
        ? msg("wait", data.estimated_wait_minutes)
        : msg(data.estimated_wait_minutes === 1 ? "wait-one" : "no-wait");
    $("ticket-feedback").textContent = data.feedback_code;
    $("ticket-link").setAttribute("href", tracking);
    let qrUrl = tracking + "qr.svg";
    try {
      const u = new URL(qrUrl, location.href);
      if (u.host === location.host) qrUrl = u.pathname; // same server: avoid scheme mismatches
    } catch (e) {
      /* keep it as given */
    }
    ticketUntil = 0;
    show("ticket");
    const printing = printWhenReady();
    qr.src = qrUrl;
    printing.then(() => {
      if (current === "ticket") ticketUntil = Date.now() + TICKET_SHOWN;
    });
  };
  $("print-ticket").addEventListener("click", () => {
    try {
      window.print();
    } catch (e) {
      /* ignore */
    }
  });
  $("ticket-done").addEventListener("click", () => endVisit());
  // The link is for phones and the printout: the kiosk itself must not leave this page.
  $("ticket-link").addEventListener("click", (ev) => ev.preventDefault());

  // --- pairing ---------------------------------------------------------------------------
  const checkToken = async (token) => {
    try {
      const response = await fetch(root.dataset.apiMe, {
        headers: { Authorization: "Bearer " + token },
        cache: "no-store",
      });
      if (response.status === 401) return "unknown";
      if (!response.ok) return "offline";
      const me = await response.json();
      const mine = me.kind === "device" && me.device_kind === "kiosk" && (me.sites || []).includes(site);
      return mine ? "ok" : "other";
    } catch (e) {
      return "offline";
    }
  };
  $("pair-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const input = $("pair-token");
    const save = $("pair-save");
    const box = $("pair-message");
    const value = input.value.trim();
    const fail = (text) => {
      box.textContent = text;
      box.hidden = false;
      input.focus();
    };
    if (!TOKEN_SHAPE.test(value)) return fail(msg("token-shape"));
    save.disabled = true;
    const verdict = await checkToken(value); // "offline": saved anyway, checked at first ticket
    save.disabled = false;
    if (verdict === "unknown") return fail(msg("token-unknown"));
    if (verdict === "other") return fail(msg("token-other"));
    tokenSet(value);
    input.value = "";
    home();
  });

  // --- touches, keypad, timers -----------------------------------------------------------
  document.addEventListener("click", (ev) => {
    const button = ev.target.closest("button");
    if (!button) return;
    if (button.classList.contains("line")) openLine(button.dataset.letter);
    else if (button.classList.contains("procedure")) openProcedure(button);
    else if (button.dataset.back) {
      attempt = null; // abandon any request under way
      inFlight = false;
      if (button.dataset.back === "lines") home();
      else show("procedures");
    } else if (button.dataset.key && !phone.disabled) {
      const key = button.dataset.key;
      if (key === "erase") phone.value = phone.value.slice(0, -1);
      else if (phone.value.length < 20) phone.value += key;
      phone.dispatchEvent(new Event("input"));
    }
  });
  for (const type of ["pointerdown", "keydown", "input", "touchstart"]) {
    document.addEventListener(type, () => (lastTouch = Date.now()), { capture: true, passive: true });
  }
  document.addEventListener("contextmenu", (ev) => ev.preventDefault());

  const closing = $("closing-soon");
  const tick = () => {
    const now = Date.now();
    if (current === "ticket") {
      if (ticketUntil) {
        const left = Math.ceil((ticketUntil - now) / 1000);
        if (left <= 0) endVisit();
        else countdown.textContent = msg("countdown", left);
      }
    } else if ((current === "procedures" || current === "details") && !inFlight && now - lastTouch > IDLE_LIMIT) {
      endVisit();
    } else if (current === "lines" && now - lastTouch > IDLE_LIMIT && clockParts(new Date()).day !== loadDay) {
      location.reload(); // a new day: fresh opening hours and procedures
    }
    if (closing) {
      const [h, m] = closing.dataset.closes.split(":").map(Number);
      const clock = clockParts(new Date());
      closing.hidden = clock.h * 60 + clock.m < h * 60 + m - 30;
    }
  };
  setInterval(tick, 1000);

  // --- start -----------------------------------------------------------------------------
  const stored = tokenGet();
  if (!stored) {
    showPairing("");
  } else if (!TOKEN_SHAPE.test(stored)) {
    tokenSet(null);
    showPairing(msg("token-shape"));
  } else {
    home(false);
    checkToken(stored).then((verdict) => {
      if (verdict === "ok" || verdict === "offline" || tokenGet() !== stored) return;
      if (inFlight || current === "ticket" || current === "pairing") return;
      tokenSet(null);
      showPairing(msg(verdict === "unknown" ? "revoked" : "token-other"));
    });
  }
  tick();
})();
