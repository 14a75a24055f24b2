/*! De Gouden Poort chat widget. Embed:
 *  <script src="https://…/static/gouden-poort-widget.js" data-region="zeeland" defer></script>
 * An initiative's own entry adds data-initiatief="beroepentuin-goes" (its code in the region's pack).
 * Optional attributes: data-open="true" (open at load), data-storage="local" (keep the
 * conversation across browser sessions; default: until the tab is closed), data-config="<url>".
 * Talks only to the web app that serves this script (POST /chat/session, /chat/message); the web app
 * passes messages on to the bot. Renders all text as text, never HTML.
 */
(function () {
  "use strict";
  if (window.__goudenPoortWidget) { return; }
  window.__goudenPoortWidget = true;

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll('script[src*="gouden-poort-widget"]');
    return all[all.length - 1];
  })();
  var scriptUrl = new URL(script.src, location.href);
  var BASE = new URL(".", scriptUrl).href;           // …/static/
  var ORIGIN = scriptUrl.origin;
  var REGION = cleanRegion(script.getAttribute("data-region"));
  var INITIATIVE = (function (value) {                // data-initiatief: a pack's code, nothing personal
    value = (value || "").trim().toLowerCase();
    return /^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/.test(value) ? value : "";
  })(script.getAttribute("data-initiatief"));
  var CONFIG_URL = script.getAttribute("data-config") || ORIGIN + "/widget-config.json";
  var STORE = script.getAttribute("data-storage") === "local" ? "localStorage" : "sessionStorage";
  var STORE_KEY = "gouden-poort-chat-v1";
  var MAX_KEPT = 200;
  var MAX_CHARS = 2000;

  var T = {
    launcher: "Chat met de Gouden Poort",
    panel: "Chat met de Gouden Poort",
    brand: "Gouden Poort",
    titleRest: " chat",
    ai: "AI-chatbot",
    aiLong: "Je praat met een AI-chatbot, niet met een mens.",
    aiMore: " (uitleg)",
    privacy: "Privacy",
    privacyLong: "Privacy: wat we bewaren (opent in nieuw tabblad)",
    human: "Praat met een mens",
    close: "Chat sluiten",
    log: "Gesprek",
    input: "Typ je bericht",
    placeholder: "Typ je bericht…",
    send: "Stuur",
    you: "Jij: ",
    bot: "Chatbot: ",
    typing: "De chatbot schrijft een antwoord…",
    replies: "Kies een antwoord",
    chose: "Je koos: ",
    newTab: " (opent in nieuw tabblad)",
    copy: "Kopieer ",
    copied: "Gekopieerd: ",
    copyFailed: "Kopiëren lukt niet. Schrijf je referentie op: ",
    down: "De chat is even niet bereikbaar. We proberen het steeds opnieuw. " +
          "Wat je typt, bewaren we en we sturen het zodra de chat weer werkt.",
    retry: "Nu opnieuw proberen",
    pending: "Nog niet verstuurd",
    tooLong: "Je bericht is te lang. Maak het korter dan 2000 tekens.",
    slow: "Even rustig aan. We sturen je bericht zo opnieuw.",
    forgetHere: "Wis dit gesprek ook hier",
    forgotHere: "Het gesprek is nu ook uit deze browser gewist.",
    goneHere: "Dit gesprek is op de server gewist. Daarom is het ook uit deze browser gehaald."
  };

  function cleanRegion(value) {
    value = (value || "").trim().toLowerCase();
    return /^[a-z0-9][a-z0-9-]{0,39}$/.test(value) ? value : "";
  }

  function newId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // ---- state (kept in session/local storage so a reload keeps the conversation) ----
  function storage() {
    try { return window[STORE]; } catch (e) { return null; }
  }
  function load() {
    try {
      var s = JSON.parse(storage().getItem(STORE_KEY) || "null");
      if (s && s.v === 2 && Array.isArray(s.msgs)) { return s; }
      if (s && s.v === 1 && Array.isArray(s.msgs)) {           // before session tokens: keep the transcript
        return { v: 2, token: null, open: s.open, greeted: s.greeted, msgs: s.msgs };
      }
    } catch (e) { /* private mode or broken JSON: start fresh */ }
    return { v: 2, token: null, open: null, msgs: [] };
  }
  var state = load();
  function save() {
    var keep = state.msgs.filter(function (m, i) { return m.pending || i >= state.msgs.length - MAX_KEPT; });
    state.msgs = keep;
    try { storage().setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* storage full/blocked */ }
  }

  // ---- DOM (inside a shadow root so the host site's CSS cannot break it) ----
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) { node.textContent = text; }
    return node;
  }

  var host = el("div", { id: "gouden-poort-chat", "data-region": REGION });
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  root.appendChild(el("link", { rel: "stylesheet", href: BASE + "widget.css" }));

  var launcher = el("button", { type: "button", "class": "gpw-launcher", "aria-expanded": "false",
                                "aria-controls": "gpw-panel" });
  var icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  icon.setAttribute("viewBox", "0 0 24 24"); icon.setAttribute("aria-hidden", "true");
  icon.setAttribute("focusable", "false"); icon.setAttribute("class", "gpw-launcher__icon");
  var bubble = document.createElementNS("http://www.w3.org/2000/svg", "path");
  bubble.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  icon.appendChild(bubble);
  launcher.appendChild(icon);
  launcher.appendChild(el("span", {}, T.launcher));
  launcher.appendChild(el("span", { "class": "gpw-badge" }, T.ai));

  var panel = el("section", { id: "gpw-panel", "class": "gpw-panel", "aria-label": T.panel });
  panel.hidden = true;
  // Header. On a narrow screen (the panel fills it) one compact row: title, an "AI-chatbot" chip that
  // opens the full AI notice, "Praat met een mens" and close. On larger screens the notice is always shown.
  var head = el("header", { "class": "gpw-head" });
  var title = el("h2", { "class": "gpw-title" }, T.brand);
  title.appendChild(el("span", { "class": "gpw-title__rest" }, T.titleRest));    // hidden on a narrow screen
  head.appendChild(title);
  var aiChip = el("button", { type: "button", "class": "gpw-chip", "aria-expanded": "false", "aria-controls": "gpw-ai" });
  aiChip.appendChild(document.createTextNode(T.ai));
  aiChip.appendChild(el("span", { "class": "gpw-sr" }, T.aiMore));
  head.appendChild(aiChip);
  var humanBtn = el("button", { type: "button", "class": "gpw-human" });
  var humanWords = T.human.split(" ");                  // "Praat met" / "een mens": two lines on a phone
  humanBtn.appendChild(el("span", { "class": "gpw-human__line" }, humanWords.slice(0, 2).join(" ")));
  humanBtn.appendChild(document.createTextNode(" "));
  humanBtn.appendChild(el("span", { "class": "gpw-human__line" }, humanWords.slice(2).join(" ")));
  head.appendChild(humanBtn);
  var closeBtn = el("button", { type: "button", "class": "gpw-close", "aria-label": T.close, title: T.close });
  closeBtn.appendChild(el("span", { "aria-hidden": "true" }, "×"));
  head.appendChild(closeBtn);
  var aiLine = el("p", { id: "gpw-ai", "class": "gpw-ai" });
  aiLine.appendChild(el("span", { "class": "gpw-badge" }, T.ai));
  aiLine.appendChild(document.createTextNode(" " + T.aiLong + " "));
  var privacyLink = el("a", { "class": "gpw-privacy", href: ORIGIN + "/privacy", target: "_blank", rel: "noopener noreferrer",
                              "aria-label": T.privacyLong }, T.privacy);
  aiLine.appendChild(privacyLink);
  head.appendChild(aiLine);
  aiChip.addEventListener("click", function () {
    var open = aiChip.getAttribute("aria-expanded") !== "true";
    aiChip.setAttribute("aria-expanded", open ? "true" : "false");
    head.classList.toggle("gpw-head--more", open);
  });
  panel.appendChild(head);

  var statusBox = el("div", { "class": "gpw-status" });
  var statusText = el("p", { "class": "gpw-status__text", role: "status", "aria-live": "polite" });
  var retryBtn = el("button", { type: "button", "class": "gpw-retry" }, T.retry);
  retryBtn.hidden = true;
  statusBox.appendChild(statusText);
  statusBox.appendChild(retryBtn);
  panel.appendChild(statusBox);

  var log = el("div", { "class": "gpw-log", role: "log", "aria-live": "polite", "aria-label": T.log, tabindex: "0" });
  panel.appendChild(log);
  var typing = el("div", { "class": "gpw-typing" });
  typing.appendChild(el("span", { "class": "gpw-dots", "aria-hidden": "true" }, "•••"));
  typing.appendChild(el("span", { "class": "gpw-sr" }, T.typing));
  typing.hidden = true;
  panel.appendChild(typing);

  var form = el("form", { "class": "gpw-form" });
  form.appendChild(el("label", { "for": "gpw-input", "class": "gpw-sr" }, T.input));
  var input = el("input", { id: "gpw-input", type: "text", name: "message", autocomplete: "off",
                            maxlength: String(MAX_CHARS), placeholder: T.placeholder, enterkeyhint: "send" });
  form.appendChild(input);
  form.appendChild(el("button", { type: "submit", "class": "gpw-send" }, T.send));
  panel.appendChild(form);

  root.appendChild(launcher);
  root.appendChild(panel);

  // ---- rendering: always textContent, never as HTML ----
  // http(s) addresses in the bot's text become links; a reference number (GP-XXXXXX) gets a copy button.
  var URL_RE = /\bhttps?:\/\/[^\s<>"'`()\[\]{}]*[^\s<>"'`()\[\]{}.,;:!?]/gi;
  var REF_RE = /\bGP-[A-Z0-9]{6}\b/g;

  function safeUrl(text) {
    try {
      var url = new URL(text);
      if ((url.protocol === "http:" || url.protocol === "https:") && !url.username && !url.password) { return url.href; }
    } catch (e) { /* not an address: stays text */ }
    return null;
  }

  function linkTo(href, text) {
    var a = el("a", { "class": "gpw-link", href: href, target: "_blank", rel: "noopener noreferrer" });
    // break long addresses after a slash or before a dot, not in the middle of a word
    text.replace(/\/(?!\/)/g, "/\u0000").replace(/[.?&=#]/g, "\u0000$&").split("\u0000").filter(Boolean).forEach(function (part, i) {
      if (i) { a.appendChild(el("wbr")); }
      a.appendChild(el("span", { "class": "gpw-link__part" }, part));
    });
    a.appendChild(el("span", { "class": "gpw-sr" }, T.newTab));
    return a;
  }

  function botText(box, text) {
    var found = [];
    text.replace(URL_RE, function (match, at) { found.push({ at: at, text: match, kind: "url" }); return match; });
    text.replace(REF_RE, function (match, at) {
      if (!found.some(function (f) { return at >= f.at && at < f.at + f.text.length; })) {
        found.push({ at: at, text: match, kind: "ref" });
      }
      return match;
    });
    found.sort(function (a, b) { return a.at - b.at; });
    var pos = 0;
    var refs = [];
    found.forEach(function (f) {
      box.appendChild(document.createTextNode(text.slice(pos, f.at)));
      var href = f.kind === "url" ? safeUrl(f.text) : null;
      if (href) {
        box.appendChild(linkTo(href, f.text));
      } else if (f.kind === "ref") {
        box.appendChild(el("span", { "class": "gpw-ref" }, f.text));
        if (refs.indexOf(f.text) < 0) { refs.push(f.text); }
      } else {
        box.appendChild(document.createTextNode(f.text));
      }
      pos = f.at + f.text.length;
    });
    box.appendChild(document.createTextNode(text.slice(pos)));
    return refs;
  }

  // Without the clipboard API (an http page, an older browser): select the number and copy that.
  function copySelected(node) {
    try {
      var range = document.createRange();
      range.selectNodeContents(node);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var ok = document.execCommand("copy");
      selection.removeAllRanges();
      return ok;
    } catch (e) {
      return false;
    }
  }

  function copyButton(ref, row) {
    var btn = el("button", { type: "button", "class": "gpw-copy" }, T.copy + ref);
    btn.addEventListener("click", function () {
      var done = function () {
        setStatus(T.copied + ref, false);
        setTimeout(function () { if (statusText.textContent === T.copied + ref) { setStatus("", false); } }, 4000);
      };
      var fallback = function () {
        var shown = row.querySelector(".gpw-ref");
        if (shown && copySelected(shown)) { done(); } else { setStatus(T.copyFailed + ref, false); }
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(ref).then(done, fallback);
      } else {
        fallback();
      }
    });
    return btn;
  }

  function pendingState(row) {
    if (!row.querySelector(".gpw-msg__state")) { row.appendChild(el("span", { "class": "gpw-msg__state" }, T.pending)); }
  }

  function renderMessage(m) {
    if (m.hidden) { return; }
    var row;
    if (m.choice) {                                  // an answer chosen with a button: a small line
      row = el("p", { "class": "gpw-choice", "data-id": m.id, tabindex: "-1" }, T.chose + m.text);
    } else {
      row = el("div", { "class": "gpw-msg gpw-msg--" + m.who, "data-id": m.id });
      row.appendChild(el("span", { "class": "gpw-sr" }, m.who === "user" ? T.you : T.bot));
      var box = el("span", { "class": "gpw-msg__text" });
      if (m.who === "bot") {
        row.appendChild(box);
        botText(box, m.text).forEach(function (ref) { row.appendChild(copyButton(ref, row)); });
      } else {
        box.textContent = m.text;
        row.appendChild(box);
      }
    }
    if (m.who === "user" && m.pending) {
      row.classList.add("gpw-msg--pending");
      if (!ready || down) { pendingState(row); }
    }
    log.appendChild(row);
    if (m.buttons && m.buttons.length && !m.used) {  // answered sets are gone: "Je koos: ..." says what was chosen
      var group = el("div", { "class": "gpw-replies", role: "group", "aria-label": T.replies, "data-for": m.id });
      m.buttons.forEach(function (b) {
        var btn = el("button", { type: "button", "class": "gpw-reply" }, b.title);
        btn.addEventListener("click", function (e) {
          var chosen = send(b.payload, b.title, false, true);
          afterTap(e, chosen);
        });
        group.appendChild(btn);
      });
      log.appendChild(group);
    }
  }

  // Focus after a tap. On a touch screen focus stays off the text field (that would open the keyboard
  // over the next question); a keyboard or mouse user goes on typing in the text field as before.
  var pointer = "";
  panel.addEventListener("pointerdown", function (e) { pointer = e.pointerType || ""; }, true);
  panel.addEventListener("keydown", function () { pointer = ""; }, true);
  function afterTap(e, target) {
    var touch = e && e.detail > 0 && (pointer === "touch" || pointer === "pen");
    if (!touch) { input.focus(); return; }
    if (target && target.isConnected) { target.focus({ preventScroll: true }); }
  }

  function markSent(m) {
    var row = log.querySelector('[data-id="' + m.id + '"]');
    if (!row) { return; }
    row.classList.remove("gpw-msg--pending");
    var st = row.querySelector(".gpw-msg__state");
    if (st) { st.remove(); }
  }

  // Scrolling. The view goes to the start of the bot's latest reply, so a long message is read from
  // its first line, and to the end when everything fits. It stays there when the log changes size
  // (keyboard opens, styles arrive after a reload), unless the person scrolled away themselves.
  var autoTop = null;
  function topIn(node) { return node.getBoundingClientRect().top - log.getBoundingClientRect().top + log.scrollTop; }
  function jumpTo(top) {
    log.scrollTop = Math.max(0, Math.min(top, log.scrollHeight - log.clientHeight));
    autoTop = log.scrollTop;
  }
  function scrollDown() { jumpTo(log.scrollHeight); }
  function showLatest() {
    if (panel.hidden) { return; }
    var rows = log.querySelectorAll(".gpw-msg, .gpw-choice");
    var first = null, last = null;
    for (var i = rows.length - 1; i >= 0 && rows[i].classList.contains("gpw-msg--bot"); i--) {
      first = rows[i];
      if (!last) { last = rows[i]; }
    }
    if (!first) { scrollDown(); return; }
    var top = topIn(first) - 8;
    var lastTop = topIn(last);
    if (lastTop + Math.min(last.offsetHeight, 48) > top + log.clientHeight) { top = lastTop - 8; }
    jumpTo(Math.min(top, log.scrollHeight - log.clientHeight));
  }
  if (window.ResizeObserver) {
    new ResizeObserver(function () {
      if (autoTop === null || Math.abs(log.scrollTop - autoTop) < 2) { showLatest(); }
    }).observe(log);
  }

  // A phone whose keyboard only shrinks the visual viewport (Android Chrome by default): the full-screen
  // panel follows the visible part, so the conversation is not hidden behind the keyboard. Not when zoomed in.
  var viewport = window.visualViewport;
  if (viewport && window.matchMedia) {
    var card = window.matchMedia("(min-width: 560px) and (min-height: 560px)");
    var fitViewport = function () {
      var follow = !card.matches && Math.abs(viewport.scale - 1) < 0.01;
      panel.style.top = follow ? viewport.offsetTop + "px" : "";
      panel.style.height = follow ? viewport.height + "px" : "";
    };
    viewport.addEventListener("resize", fitViewport);
    viewport.addEventListener("scroll", fitViewport);
    if (card.addEventListener) { card.addEventListener("change", fitViewport); }
    fitViewport();
  }

  function retireReplies() {
    state.msgs.forEach(function (m) { if (m.buttons) { m.used = true; } });
    Array.prototype.forEach.call(log.querySelectorAll(".gpw-replies"), function (g) { g.remove(); });
  }

  function setStatus(text, showRetry) {
    if (statusText.textContent !== text) { statusText.textContent = text; }
    retryBtn.hidden = !showRetry;
    statusBox.classList.toggle("gpw-status--on", !!text);
  }

  // ---- sending with a visible queue: nothing typed is lost silently ----
  var cfg = null;         // /widget-config.json
  var ready = false;      // this page has a session token the server accepted
  var down = false;       // the last attempt failed: pending messages show "Nog niet verstuurd"
  var inflight = false;
  var timer = null;
  var delay = 1000;

  function send(payload, shown, hidden, choice) {
    payload = String(payload || "");
    if (!payload.trim()) { return; }
    if (payload.length > MAX_CHARS) { setStatus(T.tooLong, false); return; }
    retireReplies();
    var m = { id: newId(), who: "user", text: shown || payload, payload: payload, pending: true };
    if (hidden) { m.hidden = true; }
    if (choice) { m.choice = true; }
    state.msgs.push(m);
    save();
    renderMessage(m);
    scrollDown();
    flush();
    return log.querySelector('[data-id="' + m.id + '"]');
  }

  function post(path, body, token) {
    var headers = { "Content-Type": "application/json" };
    if (token) { headers.Authorization = "Bearer " + token; }
    var ctrl = window.AbortController ? new AbortController() : null;
    var t = ctrl ? setTimeout(function () { ctrl.abort(); }, 30000) : null;
    return fetch(ORIGIN + path, { method: "POST", headers: headers, body: JSON.stringify(body),
                                  credentials: "omit", signal: ctrl ? ctrl.signal : undefined })
      .then(function (r) {
        clearTimeout(t);
        return r.json().catch(function () { return {}; }).then(function (data) { return { status: r.status, data: data }; });
      }, function (err) { clearTimeout(t); throw err; });
  }

  function later(fn, ms) {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  }

  function showDown() {
    down = true;
    setStatus(T.down, true);
    Array.prototype.forEach.call(log.querySelectorAll(".gpw-msg--pending"), pendingState);
    later(retry, delay);                                    // keep trying, a little slower each time
    delay = Math.min(delay * 2, 15000);
  }

  function up() {
    if (down) { setStatus("", false); }
    down = false;
    delay = 1000;
  }

  function retry() {
    if (!cfg) { connect(); } else if (!ready) { requestSession(); } else { flush(); }
  }

  function slowDown(res) {                                  // 429: wait as long as the server says
    var secs = (res.data && res.data.retry_after) || 30;
    setStatus((res.data && res.data.message) || T.slow, false);
    later(retry, secs * 1000);
  }

  function requestSession() {
    ready = false;
    post(cfg.sessionPath || "/chat/session", { token: state.token || undefined }).then(function (res) {
      if (res.status === 429) { slowDown(res); return; }
      if (res.status !== 200 || !res.data || typeof res.data.token !== "string") { showDown(); return; }
      if (res.data.gone && state.msgs.some(function (m) { return !m.hidden; })) { forgetHere(T.goneHere); }
      state.token = res.data.token;
      ready = true;
      up();
      setStatus("", false);
      var started = state.msgs.some(function (m) { return m.who === "bot" || !m.pending; });
      if (!started && !state.greeted) {                       // greeting with AI disclosure (+ region)
        state.greeted = true;
        state.msgs.unshift({ id: newId(), who: "user", text: "", payload: "/greet", pending: true, hidden: true });
      }
      save();
      flush();
    }, showDown);
  }

  function flush() {
    if (!ready || inflight) { return; }
    var next = state.msgs.filter(function (m) { return m.pending; })[0];
    if (!next) { return; }
    inflight = true;
    typing.hidden = false;
    post(cfg.messagePath || "/chat/message",
         { message: next.payload, message_id: next.id, region: REGION || undefined,
           initiative: INITIATIVE || undefined }, state.token)
      .then(function (res) {
        inflight = false;
        typing.hidden = true;
        if (res.status === 401) { state.token = null; save(); requestSession(); return; }
        if (res.status === 429) { slowDown(res); return; }
        if (res.status >= 500 || res.status === 0) { showDown(); return; }
        up();
        if (res.status !== 200) {                              // refused (too long, unreadable): say why
          setStatus("", false);
          next.pending = false;
          save();
          markSent(next);
          onBot({ text: (res.data && res.data.message) || T.tooLong });
          flush();
          return;
        }
        setStatus("", false);
        next.pending = false;
        save();
        markSent(next);
        (res.data.replies || []).forEach(onBot);
        flush();
      }, function () {                                        // network error or no answer in time
        inflight = false;
        typing.hidden = true;
        showDown();
      });
  }

  // After an erasure the bot sends {gouden_poort: {clear_storage: true}} (actions/person_rights.py):
  // forget this conversation in the browser too. What is on screen stays until the page closes.
  function erasedSignal(data) {
    var box = data.gouden_poort || (data.data && data.data.gouden_poort) ||
      (data.custom && (data.custom.gouden_poort || (data.custom.data && data.custom.data.gouden_poort)));
    return !!(box && box.clear_storage);
  }
  function clearStorage() {
    state = { v: 1, sid: null, open: state.open, msgs: [] };
    try { storage().removeItem(STORE_KEY); } catch (e) { /* storage blocked: nothing stored either */ }
  }

  // ---- issue 25: forget the conversation on this computer too (a shared computer, data-storage="local") ----
  // After "stop" the bot sends {gouden_poort: {offer_clear: true}}: a button that wipes the stored
  // transcript and the screen. When the server says the conversation is gone (erased from another
  // device, or purged), the stored transcript goes without asking. The offer itself is never stored.
  function offerClearSignal(data) {
    var box = data.gouden_poort || (data.data && data.data.gouden_poort) ||
      (data.custom && (data.custom.gouden_poort || (data.custom.data && data.custom.data.gouden_poort)));
    return !!(box && box.offer_clear);
  }
  function forgetHere(message) {           // everything, unsent messages too: they belong to that conversation
    clearStorage();
    while (log.firstChild) { log.removeChild(log.firstChild); }
    log.appendChild(el("p", { "class": "gpw-choice gpw-forgot" }, message));  // said once, never stored
  }
  function offerForget() {
    var group = el("div", { "class": "gpw-replies gpw-forget", role: "group", "aria-label": T.forgetHere });
    var btn = el("button", { type: "button", "class": "gpw-reply" }, T.forgetHere);
    btn.addEventListener("click", function (e) { forgetHere(T.forgotHere); afterTap(e, input); });
    group.appendChild(btn);
    log.appendChild(group);
    showLatest();
  }

  function onBot(data) {
    if (!data || typeof data !== "object") { return; }
    if (erasedSignal(data)) { clearStorage(); return; }
    if (offerClearSignal(data)) { offerForget(); return; }
    var text = typeof data.text === "string" ? data.text : "";
    var raw = data.quick_replies || data.buttons || [];
    var buttons = (Array.isArray(raw) ? raw : []).filter(function (b) {
      return b && typeof b.title === "string" && typeof b.payload === "string";
    }).map(function (b) { return { title: b.title, payload: b.payload }; });
    if (!text && !buttons.length) { return; }
    var m = { id: newId(), who: "bot", text: text, buttons: buttons };
    state.msgs.push(m);
    save();
    renderMessage(m);
    showLatest();
  }

  // ---- connection ----
  var connecting = false;
  function connect() {
    if (cfg || connecting) { return; }
    connecting = true;
    fetch(CONFIG_URL, { credentials: "omit" })
      .then(function (r) { if (!r.ok) { throw new Error("config " + r.status); } return r.json(); })
      .then(function (c) {
        connecting = false;
        cfg = c || {};
        requestSession();
      })
      .catch(function () {                                   // web app unreachable
        connecting = false;
        showDown();
      });
  }

  retryBtn.addEventListener("click", function (e) {
    setStatus(T.down, true);
    delay = 1000;
    clearTimeout(timer);
    retry();
    afterTap(e, retryBtn);
  });

  // ---- open / close ----
  function setOpen(open, focus) {
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    state.open = open;
    save();
    if (open) {
      connect();
      showLatest();
      if (focus) { input.focus(); }
    } else if (focus) {
      launcher.focus();
    }
  }
  launcher.addEventListener("click", function (e) {
    setOpen(true, false);
    afterTap(e, log);                 // on a touch screen: read first, the keyboard opens when you tap the field
  });
  closeBtn.addEventListener("click", function () { setOpen(false, true); });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { e.preventDefault(); setOpen(false, true); }
  });
  humanBtn.addEventListener("click", function (e) { send("/request_human", T.human); afterTap(e, humanBtn); });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value;
    if (!text.trim()) { input.focus(); return; }
    send(text);
    input.value = "";
    input.focus();
  });

  // restore the conversation (a reload keeps it), quietly for screen readers
  log.setAttribute("aria-busy", "true");
  state.msgs.forEach(renderMessage);
  log.setAttribute("aria-busy", "false");

  function mount() {
    document.body.appendChild(host);
    var open = typeof state.open === "boolean" ? state.open : script.getAttribute("data-open") === "true";
    setOpen(open, false);
  }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
