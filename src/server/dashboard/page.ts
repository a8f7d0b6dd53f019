/** The dashboard's HTML: no inline script or style (the Content-Security-Policy forbids both), no external asset. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>apim-dr</title>
<link rel="stylesheet" href="/dashboard.css">
<script src="/dashboard.js" defer></script>
</head>
<body>
<header>
  <h1>apim-dr</h1>
  <span id="connection" class="conn">connecting…</span>
  <form id="token-form" autocomplete="off">
    <label for="token">Admin token</label>
    <input id="token" type="password" placeholder="needed for operator actions" autocomplete="off">
    <button type="submit" id="token-save">Use for this session</button>
    <button type="button" id="token-forget">Forget</button>
    <span id="token-state"></span>
  </form>
</header>
<p id="banner" role="alert" hidden></p>
<main id="pairs"><p class="muted">Waiting for the controller…</p></main>
<section id="action-panel" hidden aria-live="polite">
  <h2 id="action-title"></h2>
  <pre id="action-preview"></pre>
  <label id="action-planned-row" hidden><input type="checkbox" id="action-planned"> planned (the primary is still healthy)</label>
  <label for="action-reason">Reason</label>
  <input id="action-reason" type="text" placeholder="why (recorded in the audit trail)">
  <div class="buttons"><button id="action-confirm" class="danger"></button><button id="action-cancel">Cancel</button></div>
  <p id="action-result" role="status"></p>
</section>
<footer class="muted">Live from this controller's admin API (server-sent events). The token stays in this tab's session storage and is sent only as an Authorization header.</footer>
</body>
</html>
`;

export const DASHBOARD_CSS = `
:root { --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; background: #fff; }
header { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; padding: 10px 16px; border-bottom: 1px solid var(--line); background: var(--bg); }
h1 { font-size: 18px; margin: 0 12px 0 0; }
h2 { font-size: 16px; margin: 0 0 8px; }
h3 { font-size: 13px; margin: 14px 0 6px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
form { display: flex; gap: 6px; align-items: center; margin-left: auto; }
input[type=password], input[type=text] { padding: 4px 6px; border: 1px solid var(--line); border-radius: 4px; }
button { padding: 4px 10px; border: 1px solid var(--line); border-radius: 4px; background: #fff; cursor: pointer; }
button:disabled { opacity: .45; cursor: not-allowed; }
button.danger { border-color: var(--bad); color: var(--bad); font-weight: 600; }
.conn { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #eee; }
.conn.live { background: #dafbe1; color: var(--ok); }
.conn.down { background: #ffebe9; color: var(--bad); }
#banner { margin: 12px 16px; padding: 8px 12px; border: 1px solid var(--bad); border-radius: 6px; background: #ffebe9; color: var(--bad); }
main { padding: 12px 16px; display: grid; gap: 16px; }
.pair { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
.pair-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 12px; }
.pair-name { font-size: 20px; font-weight: 700; }
.state { font-family: ui-monospace, monospace; font-size: 15px; font-weight: 600; padding: 2px 8px; border-radius: 4px; background: var(--bg); }
.state.s-failedOver, .state.s-failingOver, .state.s-failingBack { background: #fff8c5; color: var(--warn); }
.state.s-awaitingOperator { background: #ffebe9; color: var(--bad); }
.state.s-monitoring { background: #dafbe1; color: var(--ok); }
.chart { display: flex; flex-wrap: wrap; gap: 4px; margin: 8px 0; }
.chart span { font-size: 12px; padding: 2px 8px; border: 1px solid var(--line); border-radius: 12px; color: var(--muted); }
.chart span.here { border-color: #1f2328; color: #fff; background: #1f2328; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; }
.box { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; background: #fff; }
.verdict { font-weight: 600; }
.v-healthy { color: var(--ok); } .v-unhealthy { color: var(--bad); } .v-suspect, .v-degraded, .v-unknown { color: var(--warn); }
.reason { color: var(--muted); font-size: 12px; word-break: break-word; }
.alert { color: var(--bad); font-weight: 600; }
meter { width: 100%; height: 12px; }
.actions { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 10px; }
ol.timeline { list-style: none; padding: 0; margin: 0; max-height: 260px; overflow: auto; }
ol.timeline li { display: grid; grid-template-columns: 70px minmax(150px, 240px) 1fr; gap: 8px; padding: 3px 0; border-bottom: 1px dotted var(--line); font-size: 12px; }
ol.timeline .when { color: var(--muted); font-family: ui-monospace, monospace; }
ol.timeline .what { font-weight: 600; }
#action-panel { position: fixed; right: 16px; bottom: 16px; width: min(560px, 92vw); background: #fff; border: 2px solid #1f2328; border-radius: 8px; padding: 12px 16px; box-shadow: 0 8px 24px rgba(0,0,0,.2); }
#action-panel pre { background: var(--bg); padding: 8px; white-space: pre-wrap; max-height: 200px; overflow: auto; font-size: 12px; }
#action-panel input[type=text] { width: 100%; margin: 4px 0 8px; }
.buttons { display: flex; gap: 8px; }
#action-result.refused { color: var(--bad); font-weight: 600; }
#action-result.accepted { color: var(--ok); font-weight: 600; }
.muted { color: var(--muted); }
footer { padding: 8px 16px 24px; font-size: 12px; }
`;
