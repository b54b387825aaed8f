// The operator dashboard: plain JS, no framework. Polls /api/campaigns every second; the chart's
// rates are deltas of the summed outcome counts between polls (exact counts from every replica).
"use strict";
(() => {
  const KEY_STORAGE = "erp.operatorKey";
  const POLL_MS = 1000;
  const HISTORY = 60;
  const OUTCOMES = ["won", "already_won", "sold_out", "not_started", "try_again", "rate_limited", "unauthorized", "shed", "invalid"];
  const COLORS = { won: "#2e7d32", already_won: "#66bb6a", sold_out: "#6d4c41", not_started: "#9e9e9e", try_again: "#1e88e5",
    rate_limited: "#fb8c00", unauthorized: "#8e24aa", shed: "#e53935", invalid: "#000000" };
  const $ = (id) => document.getElementById(id);
  const money = (cents) => (cents / 100).toFixed(2);
  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : "");

  let selected = null;
  let previous = null; // { at, totals }
  const history = []; // [{ outcome: perSecond }]

  const key = () => sessionStorage.getItem(KEY_STORAGE) || "";

  async function api(path, options = {}) {
    const headers = { "X-Operator-Key": key(), ...(options.body ? { "Content-Type": "application/json" } : {}) };
    const response = await fetch(path, { ...options, headers, cache: "no-store" });
    const body = response.status === 204 ? null : await response.json().catch(() => null);
    return { ok: response.ok, status: response.status, body };
  }

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function renderCampaigns(campaigns) {
    const body = $("campaigns").tBodies[0];
    body.replaceChildren();
    for (const c of campaigns) {
      const row = body.insertRow();
      row.dataset.campaignId = c.id;
      if (c.id === selected) row.className = "selected";
      cell(row, c.id);
      cell(row, c.name);
      cell(row, c.status);
      cell(row, c.packetCount);
      cell(row, c.released);
      cell(row, c.claimed);
      cell(row, c.inQueue ?? "?");
      cell(row, c.packetCount - c.claimed - c.expired - c.cancelled);
      cell(row, money(c.amountClaimedCents) + " / " + money(c.totalCents));
      cell(row, time(c.nextReleaseAt));
      cell(row, Object.entries(c.outcomes).sort(([a], [b]) => OUTCOMES.indexOf(a) - OUTCOMES.indexOf(b)).map(([k, v]) => k + " " + v).join(", "));
      const actions = row.insertCell();
      if (c.status !== "closed" || c.released !== c.claimed + c.expired) { // a close that did not balance can be repeated
        const close = document.createElement("button");
        close.type = "button";
        close.textContent = "Close";
        close.className = "close";
        close.addEventListener("click", (e) => { e.stopPropagation(); closeCampaign(c.id, close); });
        actions.append(close);
      }
      row.addEventListener("click", () => { selected = c.id; refresh(); });
    }
  }

  function renderWinners(page) {
    $("winners-campaign").textContent = page ? "campaign " + page.campaignId + ", " + page.total + " in all" : "";
    const body = $("winners").tBodies[0];
    body.replaceChildren();
    for (const w of page ? page.items : []) {
      const row = body.insertRow();
      cell(row, time(w.claimedAt));
      cell(row, w.userId);
      cell(row, w.packetId);
      cell(row, money(w.amountCents));
    }
  }

  function sample(campaigns) {
    const now = performance.now();
    const totals = {};
    for (const o of OUTCOMES) totals[o] = 0;
    for (const c of campaigns) for (const [o, n] of Object.entries(c.outcomes)) totals[o] = (totals[o] || 0) + n;
    if (previous) {
      const seconds = Math.max((now - previous.at) / 1000, 0.001);
      const point = {};
      for (const o of OUTCOMES) point[o] = Math.max(0, (totals[o] - (previous.totals[o] || 0)) / seconds);
      history.push(point);
      if (history.length > HISTORY) history.shift();
    }
    previous = { at: now, totals };
  }

  function drawChart() {
    const canvas = $("chart");
    const g = canvas.getContext("2d");
    const w = canvas.width, h = canvas.height, pad = 30;
    g.clearRect(0, 0, w, h);
    let max = 1;
    for (const p of history) for (const o of OUTCOMES) max = Math.max(max, p[o]);
    g.strokeStyle = "#ddd";
    g.fillStyle = "#777";
    g.font = "11px sans-serif";
    for (let i = 0; i <= 4; i++) {
      const y = h - pad - ((h - 2 * pad) * i) / 4;
      g.beginPath(); g.moveTo(pad, y); g.lineTo(w - 5, y); g.stroke();
      const value = (max * i) / 4;
      g.fillText(max < 8 ? value.toFixed(1) : Math.round(value).toString(), 2, y + 4);
    }
    g.fillText("last " + HISTORY + " s", w - 70, h - 8);
    for (const o of OUTCOMES) {
      if (!history.some((p) => p[o] > 0)) continue;
      g.strokeStyle = COLORS[o];
      g.lineWidth = 2;
      g.beginPath();
      history.forEach((p, i) => {
        const x = pad + ((w - pad - 5) * (i + HISTORY - history.length)) / (HISTORY - 1);
        const y = h - pad - ((h - 2 * pad) * p[o]) / max;
        if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
      });
      g.stroke();
    }
  }

  function drawLegend() {
    const legend = $("legend");
    for (const o of OUTCOMES) {
      const li = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.style.background = COLORS[o];
      li.append(swatch, o.replace("_", " "));
      legend.append(li);
    }
  }

  async function refresh() {
    if (!key()) { $("key-status").textContent = "enter the operator key"; return; }
    try {
      const list = await api("/api/campaigns");
      if (!list.ok) {
        $("key-status").textContent = list.status === 403 ? "key rejected" : "error " + list.status;
        $("key-status").className = "error";
        return;
      }
      $("key-status").textContent = "connected";
      $("key-status").className = "ok";
      const campaigns = list.body;
      if (selected === null && campaigns.length > 0) selected = campaigns[0].id;
      renderCampaigns(campaigns);
      sample(campaigns);
      drawChart();
      if (selected !== null) {
        const claims = await api("/api/campaigns/" + selected + "/claims?page=1&pageSize=10");
        renderWinners(claims.ok ? claims.body : null);
      }
      $("updated").textContent = "updated " + new Date().toLocaleTimeString();
    } catch (e) {
      $("key-status").textContent = "offline: " + e.message;
      $("key-status").className = "error";
    }
  }

  async function issue(event) {
    event.preventDefault();
    const form = event.target;
    const button = $("issue");
    const data = new FormData(form);
    const startsAt = data.get("startsAt");
    const request = {
      name: data.get("name"),
      totalCents: Number(data.get("totalCents")),
      packetCount: Number(data.get("packetCount")),
      batchCount: Number(data.get("batchCount")),
      intervalSeconds: Number(data.get("intervalSeconds")),
      startsAt: startsAt ? new Date(startsAt).toISOString() : null,
    };
    button.disabled = true;
    const result = $("issue-result");
    try {
      const response = await api("/api/campaigns", { method: "POST", body: JSON.stringify(request) });
      if (response.ok) {
        result.className = "ok";
        result.textContent = "Issued campaign " + response.body.id + " (" + response.body.name + ")";
        selected = response.body.id;
      } else {
        result.className = "error";
        const errors = response.body && response.body.errors ? Object.values(response.body.errors).flat() : [];
        result.textContent = (response.body && response.body.title ? response.body.title : "Error " + response.status) + (errors.length ? ": " + errors.join(" ") : "");
      }
    } finally {
      button.disabled = false;
    }
    refresh();
  }

  async function closeCampaign(id, button) {
    if (!confirm("Close campaign " + id + "? Packets still waiting are withdrawn.")) return;
    button.disabled = true;
    const response = await api("/api/campaigns/" + id + "/close", { method: "POST" });
    $("issue-result").className = response.ok ? "ok" : "error";
    $("issue-result").textContent = !response.ok
      ? "Close failed: " + response.status
      : response.status === 202
        ? "Closed campaign " + id + ": " + response.body.drained + " packets withdrawn, " + response.body.unsettled + " still held by grab servers; press Close again"
        : "Closed campaign " + id + ": " + response.body.drained + " packets withdrawn from the queue";
    refresh();
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("operator-key").value = key();
    $("key-form").addEventListener("submit", (e) => {
      e.preventDefault();
      sessionStorage.setItem(KEY_STORAGE, $("operator-key").value.trim());
      previous = null;
      refresh();
    });
    $("issue-form").addEventListener("submit", issue);
    drawLegend();
    refresh();
    setInterval(refresh, POLL_MS);
  });
})();
