// The grab page: plain JS, no framework. Demo login through account, the open campaigns from
// monitor (/api/campaigns/active, polled), and one grab per press through redpacket.
"use strict";
(() => {
  const SESSION = "erp.session";
  const POLL_MS = 3000;
  const $ = (id) => document.getElementById(id);
  const yuan = (cents) => "\u00a5" + (cents / 100).toFixed(2);

  let session = JSON.parse(sessionStorage.getItem(SESSION) || "null");
  let clockOffset = 0; // server time - local time, so countdowns follow the server's clock
  const cards = new Map(); // campaign id -> { element, campaign }

  function showSession() {
    const loggedIn = !!session && new Date(session.expiresAt) > new Date();
    $("login-panel").classList.toggle("hidden", loggedIn);
    $("account-panel").classList.toggle("hidden", !loggedIn);
    $("display-name").textContent = loggedIn ? session.displayName + " (#" + session.userId + ")" : "";
    $("who").textContent = loggedIn ? "#" + session.userId : "";
    for (const { element } of cards.values()) {
      const button = element.querySelector(".grab");
      if (!button.dataset.busy) button.disabled = !loggedIn;
    }
    return loggedIn;
  }

  async function login(event) {
    event.preventDefault();
    const button = $("login");
    const userId = Number($("user-id").value);
    $("login-error").textContent = "";
    if (!Number.isInteger(userId) || userId < 1) {
      $("login-error").textContent = "Enter your user id (a whole number).";
      return;
    }
    button.disabled = true;
    try {
      const response = await fetch("/api/accounts/login", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ userId }),
      });
      const body = await response.json().catch(() => null);
      if (!response.ok || !body || !body.token) {
        $("login-error").textContent = (body && (body.detail || body.title)) || "Login failed (" + response.status + ").";
        return;
      }
      session = body;
      sessionStorage.setItem(SESSION, JSON.stringify(session));
      showSession();
    } catch {
      $("login-error").textContent = "Network problem, try again.";
    } finally {
      button.disabled = false;
    }
  }

  function logout() {
    session = null;
    sessionStorage.removeItem(SESSION);
    showSession();
  }

  // The outcome in words. Statuses without a JSON body (an ingress error page) still get a sentence.
  function describe(status, body, retryAfter) {
    const outcome = body && body.outcome;
    switch (outcome) {
      case "won": return ["won", "You won " + yuan(body.amountCents) + "!"];
      case "already_won": return ["won", "You already won " + (body.amountCents ? yuan(body.amountCents) + " " : "") + "in this campaign."];
      case "sold_out": return ["lost", "None left: every packet has been taken."];
      case "not_started": return ["lost", "Not started yet: wait for the countdown."];
      case "try_again": return ["lost", "None left in this release. Try again" +
        (body.nextReleaseAt ? " at " + new Date(body.nextReleaseAt).toLocaleTimeString() : " soon") + "."];
      case "rate_limited": return ["lost", "Too fast! Wait " + (retryAfter || 1) + " s and try again."];
      case "unauthorized": logout(); return ["lost", "Please log in again."];
      case "shed": return ["lost", "Very busy right now: try again in a moment."];
    }
    if (status === 429) return ["lost", "Too fast! Wait " + (retryAfter || 1) + " s and try again."];
    if (status === 401) { logout(); return ["lost", "Please log in again."]; }
    if (status === 503) return ["lost", "Very busy right now: try again in a moment."];
    if (status === 400) return ["lost", (body && body.title) || "That request was not valid."];
    return ["lost", "Something went wrong (" + status + "): try again."];
  }

  async function grab(campaignId, element) {
    const button = element.querySelector(".grab");
    const out = element.querySelector(".outcome");
    // One press, one request: the button stays disabled until the answer is in.
    if (button.dataset.busy || !session) return;
    button.dataset.busy = "1";
    button.disabled = true;
    out.className = "outcome";
    out.textContent = "Grabbing...";
    try {
      const response = await fetch("/api/grab", {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: "Bearer " + session.token },
        body: JSON.stringify({ campaignId }),
      });
      const body = await response.json().catch(() => null);
      const [kind, text] = describe(response.status, body, response.headers.get("Retry-After"));
      out.className = "outcome " + kind;
      out.dataset.outcome = (body && body.outcome) || String(response.status);
      out.textContent = text;
    } catch {
      out.className = "outcome lost";
      out.textContent = "Network problem, try again.";
    } finally {
      delete button.dataset.busy;
      button.disabled = !showSession();
    }
  }

  function countdown(campaign) {
    const now = Date.now() + clockOffset;
    if (campaign.nextReleaseAt) {
      const seconds = Math.ceil((new Date(campaign.nextReleaseAt).getTime() - now) / 1000);
      if (seconds > 0) {
        const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
        const pad = (n) => String(n).padStart(2, "0");
        return "Next release in " + (h > 0 ? h + ":" + pad(m) + ":" + pad(s) : m > 0 ? m + ":" + pad(s) : s + " s");
      }
      return "Releasing now";
    }
    return campaign.status === "released" ? "All packets released" : "";
  }

  function render(campaigns) {
    const list = $("campaigns");
    const seen = new Set();
    for (const c of campaigns) {
      seen.add(c.id);
      let entry = cards.get(c.id);
      if (!entry) {
        const element = $("campaign-template").content.firstElementChild.cloneNode(true);
        element.dataset.campaignId = c.id;
        element.querySelector(".grab").addEventListener("click", () => grab(c.id, element));
        entry = { element, campaign: c };
        cards.set(c.id, entry);
      }
      entry.campaign = c;
      entry.element.querySelector(".name").textContent = c.name;
      entry.element.querySelector(".remaining").textContent = c.remaining + " of " + c.packetCount + " left.";
      list.append(entry.element); // keeps the server's order (newest first)
    }
    for (const [id, entry] of cards) {
      if (!seen.has(id)) { entry.element.remove(); cards.delete(id); }
    }
    $("campaigns-status").textContent = campaigns.length ? "" : "No campaign is open right now.";
    tick();
    showSession();
  }

  function tick() {
    for (const { element, campaign } of cards.values()) {
      element.querySelector(".countdown").textContent = countdown(campaign);
    }
  }

  async function poll() {
    try {
      const response = await fetch("/api/campaigns/active", { cache: "no-store" });
      if (!response.ok) throw new Error(String(response.status));
      const campaigns = await response.json();
      if (campaigns.length) clockOffset = new Date(campaigns[0].serverTime).getTime() - Date.now();
      render(campaigns);
    } catch {
      $("campaigns-status").textContent = "Could not load campaigns; retrying...";
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("login-form").addEventListener("submit", login);
    $("logout").addEventListener("click", logout);
    showSession();
    poll();
    setInterval(poll, POLL_MS);
    setInterval(tick, 250);
  });
})();
