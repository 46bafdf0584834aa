// inbox.js: the triage queue. Everything goes through the JSON API; a
// change sends the version the monitor read, so two monitors cannot undo
// each other's work unnoticed (the API answers 409, and the page says so).
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const queue = $("queue"), live = $("live"), status = $("status");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const messages = new Map(); // id → message
  const fresh = new Set(); // ids that arrived while the page was open
  let selected = null, showAll = false, busy = false;
  // read is the version of the selected message the monitor has on screen:
  // transitions send it, not whatever a background refresh fetched, so a
  // change made meanwhile by someone else is refused (409), not overwritten.
  let read = null;

  const rank = { received: 0, triaged: 1, linked: 2, closed: 3, rejected: 4 };
  const order = () => Array.from(messages.values())
    .filter((m) => showAll || m.state === "received" || m.state === "triaged")
    .sort((a, b) => rank[a.state] - rank[b.state] || b.id - a.id);

  function say(msg, bad) {
    status.textContent = msg;
    status.classList.toggle("bad", !!bad);
    clearTimeout(say.t);
    say.t = setTimeout(() => { status.textContent = ""; }, 6000);
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body) headers["Content-Type"] = "application/json";
    if (csrf) headers["X-CSRF-Token"] = csrf;
    const r = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    if (r.status === 401) {
      location.href = "/desk/login?next=" + encodeURIComponent(location.pathname);
      throw new Error("logged out");
    }
    const data = r.status === 204 ? null : await r.json();
    if (!r.ok) {
      const e = new Error(data && data.error ? data.error.message : r.statusText);
      e.status = r.status;
      e.data = data;
      throw e;
    }
    return data;
  }

  async function fetchQueue() {
    const states = showAll ? "" : "&state=received,triaged";
    const page = await api("GET", "/api/v1/inbox?limit=200" + states);
    let added = 0;
    for (const m of page.messages) {
      if (!messages.has(m.id) && messages.size > 0) { fresh.add(m.id); added++; }
      messages.set(m.id, m);
    }
    return added;
  }

  function excerpt(m) {
    return (m.subject ? m.subject + " — " : "") + m.body.replace(/\s+/g, " ").slice(0, 140);
  }

  function render() {
    const list = order();
    queue.replaceChildren();
    $("queue-empty").hidden = list.length > 0;
    for (const m of list) {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.id = m.id;
      b.id = "m" + m.id;
      if (m.id === selected) b.setAttribute("aria-current", "true");
      if (fresh.has(m.id)) b.classList.add("new");
      const meta = document.createElement("span");
      meta.className = "meta";
      const st = document.createElement("span");
      st.className = "state state-" + m.state;
      st.textContent = m.state;
      const when = document.createElement("span");
      when.textContent = m.received_at.slice(0, 16).replace("T", " ") + " · " + m.channel + " · " + m.sender.kind;
      meta.append(st, when);
      if (fresh.has(m.id)) { const n = document.createElement("span"); n.textContent = "new"; meta.append(n); }
      const ex = document.createElement("span");
      ex.className = "excerpt";
      ex.dir = "auto";
      if (m.language) ex.lang = m.language;
      ex.textContent = excerpt(m);
      b.append(meta, ex);
      b.addEventListener("click", () => select(m.id));
      li.append(b);
      queue.append(li);
    }
  }

  async function select(id, focus) {
    selected = id;
    fresh.delete(id);
    render();
    const btn = $("m" + id);
    if (btn) { btn.scrollIntoView({ block: "nearest" }); if (focus !== false) btn.focus(); }
    try {
      const d = await api("GET", "/api/v1/inbox/" + id);
      messages.set(id, d.message);
      if (selected === id) showDetail(d.message, d.events);
    } catch (e) {
      if (e.message !== "logged out") say("Could not load the message: " + e.message, true);
    }
  }

  function showDetail(m, events) {
    read = { id: m.id, version: m.version };
    $("d-changed").hidden = true;
    $("detail-empty").hidden = true;
    $("detail-body").hidden = false;
    $("d-error").hidden = true;
    $("d-tracking").textContent = m.tracking;
    $("d-state").textContent = m.state + (m.reject_reason ? " (" + m.reject_reason + ")" : "");
    $("d-state").className = "state state-" + m.state;
    $("d-version").textContent = m.version;
    $("d-received").textContent = m.received_at.replace("T", " ").replace(/\.\d+/, "");
    $("d-channel").textContent = m.channel;
    $("d-sender").textContent = [m.sender.kind, m.sender.name, m.sender.contact].filter(Boolean).join(" · ") + (m.repeats ? " — sent " + (m.repeats + 1) + " times" : "");
    $("d-subject").textContent = m.subject || "";
    const body = $("d-text");
    body.textContent = m.body;
    if (m.language) body.lang = m.language; else body.removeAttribute("lang");
    $("act-triage").disabled = !(m.state === "received" || m.state === "closed" || m.state === "rejected");
    $("act-link").disabled = !(m.state === "received" || m.state === "triaged" || m.state === "linked");
    $("act-reject").disabled = !(m.state === "received" || m.state === "triaged");
    // A reconciliation rests on the message as its first source.
    $("act-reconcile").href = "/desk/reconciliations/new?message=" + m.id;
    showReconciliation(m);
    const ol = $("d-events");
    ol.replaceChildren();
    for (const e of events || []) {
      const li = document.createElement("li");
      li.textContent = e.at.slice(0, 16).replace("T", " ") + " " + e.actor + ": " + (e.from || "new") + " → " + e.to +
        (e.reason ? " (" + e.reason + ")" : "") + (e.note ? " — " + e.note : "");
      if (e.incident_id) {
        const a = document.createElement("a");
        a.href = "/desk/incidents/" + e.incident_id;
        a.textContent = "incident " + e.incident_id;
        li.append(", ", a);
      }
      if (e.reconciliation_id) li.append(", ", reconciliationLink(e.reconciliation_id));
      ol.append(li);
    }
  }

  function reconciliationLink(id) {
    const a = document.createElement("a");
    a.href = "/desk/reconciliations/" + id;
    a.textContent = "reconciliation " + id;
    return a;
  }

  // showReconciliation names the reconciliation the message records, by
  // its settlement once the API has answered, with a link to its page.
  async function showReconciliation(m) {
    const dd = $("d-rc");
    $("d-rc-h").hidden = dd.hidden = !m.reconciliation_id;
    dd.replaceChildren();
    if (!m.reconciliation_id) return;
    const a = reconciliationLink(m.reconciliation_id);
    dd.append(a);
    try {
      const rc = await api("GET", "/api/v1/reconciliations/" + m.reconciliation_id);
      if (!dd.contains(a)) return; // another message was opened meanwhile
      const place = document.createElement("span");
      place.dir = "auto";
      place.textContent = rc.settlement;
      a.replaceChildren(place, " (" + rc.state.replace("_", " ") + ", reconciliation " + rc.id + ")");
    } catch (e) { /* the link alone says enough */ }
  }

  // transition moves the selected message, sending the version read. On a
  // conflict it shows what changed and the current state, and leaves the
  // decision to the monitor.
  async function transition(body) {
    const m = messages.get(selected);
    body.version = read && read.id === m.id ? read.version : m.version;
    try {
      const updated = await api("POST", "/api/v1/inbox/" + m.id + "/transitions", body);
      messages.set(m.id, updated);
      read = { id: m.id, version: updated.version };
      return updated;
    } catch (e) {
      if (e.status === 409 && e.data && e.data.current) {
        const cur = e.data.current;
        messages.set(cur.id, cur);
        await select(cur.id, false);
        const box = $("d-error");
        box.textContent = "Someone changed this message while you were reading it: it is now " + cur.state +
          " (version " + cur.version + "). Nothing was saved; look at it again and decide.";
        box.hidden = false;
        e.shown = true;
      }
      throw e;
    }
  }

  function fail(e) {
    if (e.shown || e.message === "logged out") return;
    const box = $("d-error");
    box.textContent = e.message;
    box.hidden = false;
  }

  async function triage() {
    const m = messages.get(selected);
    if (!m || $("act-triage").disabled || busy) return;
    busy = true;
    try {
      await transition({ to: "triaged" });
      say("Message " + m.tracking + " triaged.");
      await select(m.id);
    } catch (e) { fail(e); } finally { busy = false; }
  }

  function openReject() {
    if (!messages.get(selected) || $("act-reject").disabled) return;
    $("reject-form").reset();
    $("reject").showModal();
  }

  $("reject").addEventListener("close", async () => {
    if ($("reject").returnValue !== "ok") return;
    const m = messages.get(selected);
    try {
      await transition({ to: "rejected", reason: $("reject-reason").value, note: $("reject-note").value });
      say("Message " + m.tracking + " rejected (" + $("reject-reason").value + ").");
      await select(m.id);
    } catch (e) { fail(e); }
  });

  function linkMode() {
    const existing = $("link-form").elements.mode.value === "existing";
    $("link-existing").hidden = !existing;
    $("link-new").hidden = existing;
    $("in-date").required = !existing;
  }

  function openLink() {
    const m = messages.get(selected);
    if (!m || $("act-link").disabled) return;
    $("link-form").reset();
    $("link-error").hidden = true;
    $("in-date").value = m.received_at.slice(0, 10);
    $("in-summary").value = excerpt(m).slice(0, 300);
    linkMode();
    $("link").showModal();
  }

  for (const r of $("link-form").elements.mode) r.addEventListener("change", linkMode);

  // The link dialog checks its fields before it closes, so a mistake keeps
  // what the monitor typed.
  $("link-form").addEventListener("submit", async (ev) => {
    if (ev.submitter && ev.submitter.value === "cancel") return;
    ev.preventDefault();
    const f = $("link-form").elements, err = $("link-error");
    err.hidden = true;
    const m = messages.get(selected);
    try {
      let incident;
      if (f.mode.value === "existing") {
        incident = parseInt(f.incident_id.value, 10);
        if (!(incident > 0)) throw new Error("Enter the incident's ID, a whole number.");
        await api("GET", "/api/v1/incidents/" + incident);
      } else {
        if (!f.date.value) throw new Error("Enter the day it happened.");
        const lat = f.lat.value.trim(), lon = f.lon.value.trim();
        if ((lat === "") !== (lon === "")) throw new Error("Give both latitude and longitude, or neither.");
        const body = { sub_event_type: f.sub_event_type.value, occurred_at: f.date.value + "T12:00:00Z", time_precision: 1,
          location: f.location.value.trim(), admin1: f.admin1.value, summary: f.summary.value.trim(),
          geo_precision: lat ? 1 : 3 };
        // Linking the message below records it as the incident's source.
        if (lat) {
          body.point = { lat: Number(lat), lon: Number(lon) };
          if (!isFinite(body.point.lat) || !isFinite(body.point.lon)) throw new Error("Latitude and longitude are decimal degrees, like 36.2 and 37.15.");
        }
        if (m.state === "received") await transition({ to: "triaged" });
        const created = await api("POST", "/api/v1/incidents", body);
        incident = created.id;
      }
      if (messages.get(selected).state === "received") await transition({ to: "triaged" });
      await transition({ to: "linked", incident_id: incident });
      $("link").close("done");
      say("Message " + m.tracking + " linked to incident " + incident + ".");
      await select(m.id);
    } catch (e) {
      if (e.shown) { $("link").close("conflict"); return; }
      if (e.message === "logged out") return;
      err.textContent = e.status === 404 ? "There is no incident with this ID." : e.message;
      err.hidden = false;
    }
  });

  function move(step) {
    const list = order();
    if (!list.length) return;
    let i = list.findIndex((m) => m.id === selected);
    i = i < 0 ? 0 : Math.max(0, Math.min(list.length - 1, i + step));
    select(list[i].id);
  }

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || document.querySelector("dialog[open]")) return;
    const t = e.target.tagName;
    if (t === "INPUT" || t === "TEXTAREA" || t === "SELECT") return;
    const keys = { j: () => move(1), k: () => move(-1), t: triage, r: openReject, l: openLink, "?": () => $("help").showModal() };
    if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
  });
  $("act-triage").addEventListener("click", triage);
  $("act-reject").addEventListener("click", openReject);
  $("act-link").addEventListener("click", openLink);
  $("help-open").addEventListener("click", () => $("help").showModal());
  $("show-all").addEventListener("change", async (e) => {
    showAll = e.target.checked;
    await fetchQueue().catch(fail);
    render();
  });

  // announce tells the monitor, and screen readers, that messages arrived.
  function announce(n) {
    if (n > 0) live.textContent = n === 1 ? "1 new message arrived." : n + " new messages arrived.";
  }

  async function refresh(ids) {
    let added = 0;
    for (const id of ids) {
      try {
        const d = await api("GET", "/api/v1/inbox/" + id);
        if (!messages.has(id)) { fresh.add(id); added++; }
        messages.set(id, d.message);
        if (id === selected && read && read.id === id && d.message.version !== read.version) {
          const box = $("d-changed");
          box.textContent = "This message has changed since you opened it: it is now " + d.message.state +
            " (version " + d.message.version + "). Open it again to see the change.";
          box.hidden = false;
        }
      } catch (e) { /* a message we may not see, or gone: skip it */ }
    }
    render();
    announce(added);
  }

  // Live updates come as server-sent events; where they are off or cut,
  // the page polls instead.
  function listen() {
    let polling = null;
    const poll = () => {
      if (polling) return;
      polling = setInterval(async () => { try { announce(await fetchQueue()); render(); } catch (e) { /* offline: try again */ } }, 10000);
    };
    if (!window.EventSource) return poll();
    const es = new EventSource("/api/v1/inbox/stream");
    es.addEventListener("messages", (e) => refresh(JSON.parse(e.data)));
    es.addEventListener("open", () => { queue.dataset.live = "true"; });
    es.addEventListener("error", () => { if (es.readyState === EventSource.CLOSED) poll(); });
  }

  fetchQueue().then(() => {
    render();
    queue.dataset.ready = "true";
    // /desk/inbox?message=ID opens that message (a record's source links
    // here), whatever its state; otherwise the first of the queue.
    const asked = parseInt(new URLSearchParams(location.search).get("message"), 10);
    const first = asked > 0 ? { id: asked } : order()[0];
    if (first) select(first.id, false);
    listen();
  }).catch((e) => { live.textContent = "Could not load the inbox: " + e.message; });
})();
