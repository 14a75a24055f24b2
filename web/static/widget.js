// Minimal chat widget: sends messages to /api/chat and renders answers as text (never as HTML).
(function () {
  "use strict";
  var root = document.getElementById("gp-chat");
  var log = root.querySelector(".gp-chat__log");
  var form = root.querySelector(".gp-chat__form");
  var input = root.querySelector("#gp-chat-input");
  var key = "gp-sender";
  var sender = localStorage.getItem(key);
  if (!sender) {
    sender = "web-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
    localStorage.setItem(key, sender);
  }

  function add(text, who) {
    var div = document.createElement("div");
    div.className = "gp-msg gp-msg--" + who;
    div.textContent = text;
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }

  function addButtons(buttons) {
    var wrap = document.createElement("div");
    wrap.className = "gp-buttons";
    buttons.forEach(function (b) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = b.title;
      btn.addEventListener("click", function () { send(b.payload, b.title); });
      wrap.appendChild(btn);
    });
    log.appendChild(wrap);
  }

  function send(message, shown) {
    add(shown || message, "user");
    return fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: sender, message: message })
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { throw new Error(data.error || "De chat is even niet bereikbaar."); }
        data.forEach(function (m) {
          if (m.text) { add(m.text, "bot"); }
          if (m.buttons && m.buttons.length) { addButtons(m.buttons); }
        });
      });
    }).catch(function (err) {
      add(err.message || "De chat is even niet bereikbaar. Probeer het zo nog een keer.", "error");
      input.value = input.value || (shown ? "" : message);
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    send(text);
  });
  root.querySelector(".gp-chat__human").addEventListener("click", function () {
    send("/request_human", "Praat met een mens");
  });
  send("/greet", "Hoi");
})();
