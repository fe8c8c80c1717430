// The supervisor app (明察暗访): record visits offline in IndexedDB, send them when online.
// Every visit and photo carries a UUID made here; the server records each key once, so a send
// retried after a lost answer can never be counted twice.
(function () {
  "use strict";
  const dataNode = document.getElementById("inspections-data");
  if (!dataNode) return;
  const DATA = JSON.parse(dataNode.textContent);
  const DB = window.InspectionsDB;
  const $ = (selector, root) => (root || document).querySelector(selector);
  const $$ = (selector, root) => Array.from((root || document).querySelectorAll(selector));
  const form = $("[data-visit-form]");
  const home = $("[data-home]");
  const units = Object.fromEntries(DATA.units.map((u) => [String(u.id), u]));
  const catalogue = Object.fromEntries(DATA.catalogue.map((i) => [String(i.id), i]));
  let current = null; // {key, visitedAt, location, photos: [{key, blob, name}]}
  let syncing = false;
  let retryTimer = null;
  let retryDelay = 2000;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function csrf() {
    const input = $("#sv-csrf input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function fmt(iso) {
    const d = new Date(iso);
    const p = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "class") node.className = v;
      else if (k.startsWith("data-")) node.setAttribute(k, v);
      else node[k] = v;
    });
    children.flat().forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(String(c))));
    return node;
  }

  // ---- the form -------------------------------------------------------------------------

  function showForm(show) {
    form.hidden = !show;
    home.hidden = show;
    window.scrollTo(0, 0);
    if (show) $("#sv-unit").focus();
  }

  function resetForm() {
    form.reset();
    $$(".sv-item-detail", form).forEach((d) => { d.hidden = true; });
    $("[data-photo-previews]").replaceChildren();
    $("[data-location]").textContent = "";
    $("[data-form-error]").textContent = "";
  }

  function startVisit(unitId, assignmentId) {
    resetForm();
    current = { key: uuid(), visitedAt: new Date().toISOString(), location: null, photos: [] };
    if (unitId) $("#sv-unit").value = unitId;
    form.elements.assignment.value = assignmentId || "";
    $("[data-visited-at]").textContent = fmt(current.visitedAt);
    showForm(true);
  }

  function readForm() {
    const unit = form.elements.unit.value;
    const findings = $$("input[name=item]:checked", form).map((box) => {
      const id = box.value;
      const item = catalogue[id];
      return {
        item: Number(id),
        count: Math.max(1, parseInt(form.elements[`count-${id}`].value, 10) || 1),
        note: form.elements[`note-${id}`].value.trim(),
        item_version: item.version,
        points_seen: item.points,
      };
    });
    const payload = {
      key: current.key,
      campaign: DATA.campaign.id,
      unit: unit ? Number(unit) : null,
      unit_name_seen: unit && units[unit] ? units[unit].name : "",
      assignment: form.elements.assignment.value ? Number(form.elements.assignment.value) : null,
      mode: form.elements.mode.value,
      visited_at: current.visitedAt,
      place: form.elements.place.value.trim(),
      note: form.elements.note.value.trim(),
      findings,
    };
    if (current.location) {
      payload.latitude = current.location.latitude.toFixed(6);
      payload.longitude = current.location.longitude.toFixed(6);
      payload.accuracy = Math.round(current.location.accuracy);
    }
    return payload;
  }

  function fillForm(record) {
    const p = record.payload;
    resetForm();
    current = { key: record.key, visitedAt: p.visited_at, location: record.location || null, photos: [] };
    form.elements.unit.value = p.unit || "";
    form.elements.assignment.value = p.assignment || "";
    $$("input[name=mode]", form).forEach((r) => { r.checked = r.value === p.mode; });
    form.elements.place.value = p.place || "";
    form.elements.note.value = p.note || "";
    p.findings.forEach((f) => {
      const box = $(`input[name=item][value="${f.item}"]`, form);
      if (!box) return;
      box.checked = true;
      box.closest(".sv-item").querySelector(".sv-item-detail").hidden = false;
      form.elements[`count-${f.item}`].value = f.count;
      form.elements[`note-${f.item}`].value = f.note;
    });
    $("[data-visited-at]").textContent = fmt(p.visited_at);
  }

  async function keep(state) {
    const payload = readForm();
    const error = $("[data-form-error]");
    if (state === "queued") {
      if (!payload.unit) { error.textContent = "请选择被察访单位。"; $("#sv-unit").focus(); return; }
      if (!payload.findings.length) { error.textContent = "请至少选择一项发现的问题。"; return; }
    }
    const unitName = payload.unit_name_seen || "(未选单位)";
    await DB.put("visits", { key: current.key, state, payload, unitName, location: current.location, savedAt: new Date().toISOString() });
    for (const photo of current.photos) {
      await DB.put("photos", { key: photo.key, visitKey: current.key, blob: photo.blob, name: photo.name, state: "queued" });
    }
    current.photos = [];
    showForm(false);
    await render();
    if (state === "queued") sync();
  }

  form.addEventListener("change", (event) => {
    if (event.target.name === "item") {
      event.target.closest(".sv-item").querySelector(".sv-item-detail").hidden = !event.target.checked;
    }
  });

  $("#sv-photos").addEventListener("change", (event) => {
    const list = $("[data-photo-previews]");
    Array.from(event.target.files).forEach((file) => {
      const photo = { key: uuid(), blob: file, name: file.name };
      current.photos.push(photo);
      const img = el("img", { src: URL.createObjectURL(file), alt: `照片 ${current.photos.length}` });
      list.append(el("li", {}, img));
    });
    event.target.value = "";
  });

  $("[data-locate]").addEventListener("click", () => {
    const out = $("[data-location]");
    if (!navigator.geolocation) { out.textContent = "此设备不支持定位。"; return; }
    out.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        current.location = { latitude: pos.coords.latitude, longitude: pos.coords.longitude, accuracy: pos.coords.accuracy };
        out.textContent = `已记录位置(精度约 ${Math.round(pos.coords.accuracy)} 米)`;
      },
      () => { out.textContent = "未获得定位授权,可手工填写地点。"; },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });

  form.addEventListener("submit", (event) => { event.preventDefault(); keep("queued"); });
  $("[data-save-draft]").addEventListener("click", () => keep("draft"));
  $("[data-cancel]").addEventListener("click", () => { current = null; showForm(false); });
  $$("[data-new-visit]").forEach((button) => {
    button.addEventListener("click", () => startVisit(button.dataset.unit, button.dataset.assignment));
  });

  // ---- lists --------------------------------------------------------------------------------

  async function render() {
    const visits = await DB.all("visits");
    const drafts = visits.filter((v) => v.state === "draft");
    const queue = visits.filter((v) => v.state !== "draft");
    const photos = await DB.all("photos");
    const pendingPhotos = (key) => photos.filter((p) => p.visitKey === key && p.state !== "sent").length;
    $("[data-drafts]").replaceChildren(...drafts.map((v) => el("li", {},
      el("span", {}, el("strong", {}, v.unitName), el("br"), el("small", { class: "muted" }, `${fmt(v.payload.visited_at)} · 草稿`)),
      el("span", { class: "sv-row-actions" },
        el("button", { type: "button", class: "sv-btn", "data-resume": v.key, textContent: "继续" }),
        el("button", { type: "button", class: "sv-btn danger", "data-discard": v.key, textContent: "删除" })))));
    $("[data-drafts-empty]").hidden = drafts.length > 0;
    $("[data-queue]").replaceChildren(...queue.map((v) => {
      const note = v.state === "failed" ? el("small", { class: "sv-failed" }, `未能送达:${v.error}`)
        : el("small", { class: "muted" }, `${fmt(v.payload.visited_at)} · ${v.payload.findings.length} 项问题 · 待传照片 ${pendingPhotos(v.key)} 张${v.state === "sent" ? " · 记录已送达" : ""}`);
      const actions = v.state === "failed"
        ? el("span", { class: "sv-row-actions" },
          el("button", { type: "button", class: "sv-btn", "data-resume": v.key, textContent: "修改" }))
        : "";
      return el("li", { "data-queued": v.key }, el("span", {}, el("strong", {}, v.unitName), el("br"), note), actions);
    }));
    $("[data-queue-empty]").hidden = queue.length > 0;
    $("[data-queue-count]").textContent = String(queue.length);
  }

  document.addEventListener("click", async (event) => {
    const resume = event.target.closest("[data-resume]");
    const discard = event.target.closest("[data-discard]");
    if (resume) {
      const record = await DB.get("visits", resume.dataset.resume);
      if (record) { fillForm(record); showForm(true); }
    } else if (discard && window.confirm("删除这份草稿?")) {
      for (const p of await DB.photosOf(discard.dataset.discard)) await DB.remove("photos", p.key);
      await DB.remove("visits", discard.dataset.discard);
      render();
    }
  });

  function addSent(visit) {
    const lines = [el("strong", {}, visit.unit_name), ` · ${visit.mode === "covert" ? "暗访" : "明察"}`, el("br"),
      el("small", { class: "muted" }, `${fmt(visit.visited_at)} · ${visit.findings.length} 项问题,${visit.photo_count} 张照片 · 待审核`)];
    visit.conflicts.forEach((c) => { lines.push(el("br"), el("small", { class: "sv-conflict" }, `⚠ ${c.message}`)); });
    const old = $(`[data-sent] [data-visit-key="${visit.key}"]`);
    const row = el("li", { "data-visit-key": visit.key }, el("span", {}, lines));
    if (old) old.replaceWith(row); else $("[data-sent]").prepend(row);
  }

  // ---- sending ------------------------------------------------------------------------------

  function setStatus(text) { $("[data-sync-message]").textContent = text; }

  function showOnline() {
    const badge = $("[data-online]");
    badge.textContent = navigator.onLine ? "在线" : "离线";
    badge.className = navigator.onLine ? "badge ok" : "badge warn";
  }

  class Refused extends Error {}

  async function post(url, body, json) {
    const headers = { "X-CSRFToken": csrf(), Accept: "application/json" };
    if (json) headers["Content-Type"] = "application/json";
    const response = await fetch(url, { method: "POST", headers, credentials: "same-origin", body: json ? JSON.stringify(body) : body });
    if (response.ok) return response.json();
    let detail = `HTTP ${response.status}`;
    try {
      const data = await response.json();
      detail = data.detail || Object.entries(data).map(([k, v]) => `${k}: ${[].concat(v).join(" ")}`).join("; ");
    } catch (e) { /* not JSON */ }
    if (response.status >= 500) throw new Error(detail); // the server's trouble: try again later
    if (response.status === 401 || response.status === 403) detail = `${detail}(请重新登录后重试)`;
    throw new Refused(detail);
  }

  async function sendOne(record) {
    if (record.state !== "sent") {
      const visit = await post(DATA.urls.visits, record.payload, true);
      record.state = "sent";
      record.visit = visit;
      await DB.put("visits", record);
    }
    const photosUrl = DATA.urls.photos.replace("00000000-0000-0000-0000-000000000000", record.key);
    for (const photo of await DB.photosOf(record.key)) {
      if (photo.state === "sent") continue;
      const body = new FormData();
      body.append("key", photo.key);
      body.append("photo", photo.blob, photo.name || `${photo.key}.jpg`);
      await post(photosUrl, body, false);
      await DB.remove("photos", photo.key);
      record.photosSent = (record.photosSent || 0) + 1;
      await DB.put("visits", record);
    }
    const visit = record.visit;
    visit.photo_count = (record.photosSent || 0);
    await DB.remove("visits", record.key);
    addSent(visit);
  }

  async function sync() {
    if (syncing) return;
    syncing = true;
    clearTimeout(retryTimer);
    let waiting = 0;
    try {
      const queue = (await DB.all("visits")).filter((v) => v.state === "queued" || v.state === "sent");
      for (const record of queue) {
        if (!navigator.onLine) { waiting += 1; continue; }
        try {
          setStatus("正在发送…");
          await sendOne(record);
        } catch (error) {
          if (error instanceof Refused) {
            record.state = "failed";
            record.error = error.message;
            await DB.put("visits", record);
          } else {
            waiting += 1; // no connection or a lost answer: the same key is sent again later
          }
        }
      }
    } finally {
      syncing = false;
      await render();
      setStatus(waiting ? "网络恢复后自动发送" : "");
      if (waiting && navigator.onLine) {
        retryTimer = setTimeout(sync, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 60000);
      } else {
        retryDelay = 2000;
      }
    }
  }

  $("[data-sync]").addEventListener("click", () => { retryDelay = 2000; sync(); });
  window.addEventListener("online", () => { showOnline(); retryDelay = 2000; sync(); });
  window.addEventListener("offline", showOnline);
  setInterval(() => { if (navigator.onLine) sync(); }, 60000);

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(DATA.urls.sw, { scope: DATA.urls.scope }).catch(() => { /* the app works without it */ });
  }
  showOnline();
  render().then(sync);
})();
