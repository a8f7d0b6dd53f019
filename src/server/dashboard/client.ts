// The dashboard's script, served as /dashboard.js (the CSP allows scripts from this origin only). Plain ES2020, no build step.
export const DASHBOARD_JS = String.raw`(function () {
  "use strict";
  var TOKEN_KEY = "apim-dr-admin-token";
  var TOP_STATES = ["monitoring", "paused", "failingOver", "awaitingOperator", "failedOver", "failingBack"];
  var ACTIONS = ["failover", "failback", "approve", "abort", "pause", "resume"];
  var view = { pairs: [], recent: {}, skewMs: 0, receivedAt: 0 };
  var pending = null;

  function $(id) { return document.getElementById(id); }
  function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }
  function authHeaders() { var t = token(); return t ? { authorization: "Bearer " + t } : {}; }

  /** Builds an element; text only through textContent, so nothing the controller says is parsed as HTML. */
  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      if (k === "text") node.textContent = props[k];
      else if (k === "class") node.className = props[k];
      else if (k === "on") Object.keys(props.on).forEach(function (ev) { node.addEventListener(ev, props.on[ev]); });
      else node.setAttribute(k, props[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  function duration(ms) {
    if (ms === null || ms === undefined) return "n/a";
    var s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + "s";
    var m = Math.floor(s / 60);
    if (m < 60) return m + "m " + (s % 60) + "s";
    var h = Math.floor(m / 60);
    if (h < 48) return h + "h " + (m % 60) + "m";
    return Math.floor(h / 24) + "d " + (h % 24) + "h";
  }
  function clock(iso) { var d = new Date(iso); return isNaN(d) ? "" : d.toLocaleTimeString([], { hour12: false }); }

  function renderTokenState() {
    $("token-state").textContent = token() ? "token set for this session" : "no token: read-only";
  }

  function regionBox(label, h) {
    return el("div", { class: "box region", "data-region": label }, [
      el("div", {}, [label + " ", el("strong", { text: h.region }), ": ", el("span", { class: "verdict v-" + h.verdict, text: h.verdict })]),
      h.since ? el("div", { class: "reason", text: "since " + clock(h.since) }) : null,
      el("div", { class: "reason", text: h.reason }),
    ]);
  }

  function renderPair(p) {
    var top = p.state.split(".")[0];
    var chart = el("div", { class: "chart", "aria-label": "statechart position" }, TOP_STATES.map(function (s) {
      return el("span", { class: s === top ? "here" : "", text: s === top && p.state !== top ? p.state : s });
    }));
    var b = p.backup;
    var backup = el("div", { class: "box" }, [
      el("div", {}, ["backup of ", el("strong", { text: b.protects })]),
      el("div", { class: b.breached ? "alert" : "" }, ["age ", b.ageMs === null ? "n/a (no backup)" : el("span", { class: "age", "data-age": String(b.ageMs), text: duration(b.ageMs) }), " / RPO " + duration(b.rpoMs) + (b.breached ? "  RPO BREACHED" : "")]),
      el("meter", { min: "0", max: String(b.rpoMs), low: String(b.rpoMs * 0.7), high: String(b.rpoMs * 0.95), optimum: "0", value: String(Math.min(b.ageMs === null ? b.rpoMs : b.ageMs, b.rpoMs)), title: "backup age against the RPO" }),
      el("div", { class: "reason", text: (b.latest || "no backup") + (b.unbackedChanges ? ", " + b.unbackedChanges + " unbacked change(s)" : "") + (b.running ? ", " + b.running + " backup running" : "") }),
      b.lastError ? el("div", { class: "reason alert", text: "last backup attempt failed: " + b.lastError }) : null,
    ]);
    var op = p.operation;
    var started = op ? Date.parse(op.startedAt) : 0;
    var operation = el("div", { class: "box" }, [
      el("div", {}, [el("strong", { text: "in flight" })]),
      op
        ? el("div", {}, [op.step + " (" + op.kind + ") " + op.status + ", ", el("span", { class: "elapsed", "data-started": String(started), text: duration(Date.now() - view.skewMs - started) }), " elapsed"])
        : el("div", { class: "muted", text: "nothing" }),
    ]);
    var alerts = [];
    if (p.health.observerImpaired) alerts.push(el("p", { class: "alert", text: "Observer impaired: the controller's own view is unreliable; no automatic failover." }));
    if (p.unsavedState) alerts.push(el("p", { class: "alert", text: "State NOT persisted since " + p.unsavedState.since + ": " + p.unsavedState.error }));
    var actions = el("div", { class: "actions" }, ACTIONS.map(function (a) {
      var allowed = p.accepts.indexOf(a) >= 0;
      return el("button", { type: "button", "data-action": a, title: allowed ? a + " " + p.name : "not accepted in " + p.state, on: { click: function () { openAction(p.name, a); } } }, [a]);
    }));
    Array.prototype.forEach.call(actions.children, function (btn) { if (p.accepts.indexOf(btn.getAttribute("data-action")) < 0) btn.disabled = true; });
    var recent = (view.recent[p.name] || []).slice().reverse();
    var timeline = el("ol", { class: "timeline" }, recent.map(function (e) {
      var what = e.type === "transition" ? "→ " + e.state : (e.verdict || e.type) + (e.actor ? " by " + e.actor : "");
      return el("li", {}, [el("span", { class: "when", text: clock(e.at) }), el("span", { class: "what", text: what }), el("span", { class: "reason", text: e.reason || "" })]);
    }));
    return el("section", { class: "pair", "data-pair": p.name }, [
      el("div", { class: "pair-head" }, [
        el("span", { class: "pair-name", text: p.name }),
        el("span", { class: "state s-" + top, "data-testid": "state", text: p.state }),
        el("span", {}, ["active region: ", el("strong", { "data-testid": "active-region", text: p.activeRegion })]),
      ]),
      chart,
      p.readiness ? el("p", { class: /NOT READY|UNKNOWN/.test(String(p.readiness)) ? "alert" : "reason", "data-testid": "readiness", text: typeof p.readiness === "string" ? p.readiness : JSON.stringify(p.readiness) }) : null,
    ].concat(alerts, [
      el("div", { class: "grid" }, [regionBox("primary", p.health.primary), regionBox("standby", p.health.standby), backup, operation]),
      p.lastDecision ? el("p", {}, [el("strong", { text: "last decision: " + p.lastDecision.verdict }), " — ", el("span", { class: "reason", text: p.lastDecision.reason })]) : null,
      actions,
      el("h3", { text: "recent decisions" }),
      timeline.children.length ? timeline : el("p", { class: "muted", text: "none yet" }),
    ]));
  }

  function render() {
    var main = $("pairs");
    if (!view.pairs.length) return main.replaceChildren(el("p", { class: "muted", text: "No pairs yet." }));
    main.replaceChildren.apply(main, view.pairs.map(renderPair));
  }

  function tick() {
    Array.prototype.forEach.call(document.querySelectorAll(".age"), function (n) {
      n.textContent = duration(Number(n.getAttribute("data-age")) + Date.now() - view.receivedAt);
    });
    Array.prototype.forEach.call(document.querySelectorAll(".elapsed"), function (n) {
      n.textContent = duration(Date.now() - view.skewMs - Number(n.getAttribute("data-started")));
    });
  }

  function setConnection(text, cls) { var c = $("connection"); c.textContent = text; c.className = "conn " + (cls || ""); }
  function banner(text) { var b = $("banner"); b.hidden = !text; b.textContent = text || ""; }

  function onMessage(chunk) {
    var data = "";
    var type = "message";
    chunk.split("\n").forEach(function (line) {
      if (line.indexOf("data:") === 0) data += line.slice(5).trim();
      else if (line.indexOf("event:") === 0) type = line.slice(6).trim();
    });
    if (type !== "status" || !data) return;
    var msg = JSON.parse(data);
    view.skewMs = Date.now() - Date.parse(msg.at);
    view.receivedAt = Date.now();
    view.pairs = msg.pairs;
    if (msg.recent) view.recent = msg.recent;
    setConnection("live " + clock(msg.at), "live");
    render();
  }

  /** Server-sent events read with fetch (not EventSource), so the token goes in a header and never in a URL. */
  async function connect() {
    try {
      var res = await fetch("/events", { headers: authHeaders(), cache: "no-store" });
      if (res.status === 401) {
        var body = await res.json().catch(function () { return {}; });
        banner("The dashboard needs the admin token here: " + (body.error || "401") + ". Enter it above.");
        setConnection("no access", "down");
        return setTimeout(connect, 3000);
      }
      if (!res.ok) throw new Error("HTTP " + res.status);
      banner("");
      var reader = res.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      for (;;) {
        var r = await reader.read();
        if (r.done) break;
        buffer += decoder.decode(r.value, { stream: true });
        var i;
        while ((i = buffer.indexOf("\n\n")) >= 0) { onMessage(buffer.slice(0, i)); buffer = buffer.slice(i + 2); }
      }
      setConnection("reconnecting…", "down");
    } catch (e) {
      setConnection("disconnected (" + e.message + "), retrying", "down");
    }
    setTimeout(connect, 2000);
  }

  async function openAction(pair, action) {
    pending = { pair: pair, action: action };
    $("action-panel").hidden = false;
    $("action-title").textContent = action + " " + pair;
    $("action-confirm").textContent = "Confirm " + action;
    $("action-confirm").disabled = false;
    $("action-planned-row").hidden = action !== "failover";
    $("action-planned").checked = false;
    $("action-result").textContent = "";
    $("action-result").className = "";
    await loadPreview();
  }

  async function loadPreview() {
    if (!pending) return;
    var planned = pending.action === "failover" && $("action-planned").checked;
    $("action-preview").textContent = "loading the plan…";
    try {
      var res = await fetch("/pairs/" + encodeURIComponent(pending.pair) + "/" + pending.action + "/preview" + (planned ? "?planned=true" : ""), { headers: authHeaders(), cache: "no-store" });
      var body = await res.json();
      $("action-preview").textContent = res.ok ? body.lines.join("\n") : "no plan: " + body.error;
    } catch (e) {
      $("action-preview").textContent = "no plan: " + e.message;
    }
  }

  function result(text, cls) { var r = $("action-result"); r.textContent = text; r.className = cls; }

  async function confirmAction() {
    if (!pending) return;
    var p = pending;
    if (!token()) {
      return result("Refused: " + p.action + " needs the admin token. Enter it under \"Admin token\" above (kept for this browser session only), then confirm again.", "refused");
    }
    $("action-confirm").disabled = true;
    try {
      var res = await fetch("/pairs/" + encodeURIComponent(p.pair) + "/" + p.action, {
        method: "POST",
        headers: Object.assign({ "content-type": "application/json" }, authHeaders()),
        body: JSON.stringify({ reason: $("action-reason").value || "from the dashboard", actor: "dashboard", planned: p.action === "failover" ? $("action-planned").checked : undefined }),
      });
      var body = await res.json().catch(function () { return {}; });
      if (res.ok) result(p.action + " accepted: " + p.pair + " is now " + body.state, "accepted");
      else result("Refused by the controller (" + res.status + "): " + (body.error || "no reason given"), "refused");
    } catch (e) {
      result("Not sent: " + e.message, "refused");
    }
    $("action-confirm").disabled = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("token-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var t = $("token").value.trim();
      if (t) sessionStorage.setItem(TOKEN_KEY, t);
      $("token").value = "";
      renderTokenState();
    });
    $("token-forget").addEventListener("click", function () { sessionStorage.removeItem(TOKEN_KEY); renderTokenState(); });
    $("action-cancel").addEventListener("click", function () { pending = null; $("action-panel").hidden = true; });
    $("action-confirm").addEventListener("click", confirmAction);
    $("action-planned").addEventListener("change", loadPreview);
    renderTokenState();
    setInterval(tick, 1000);
    connect();
  });
})();
`;
