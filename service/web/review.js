// The review page (/review/{doc id}): a document's findings beside the page view. Each finding shows
// both sides boxed on their pages and can be confirmed, dismissed with a reason, or reopened
// (PUT /v1/documents/{id}/findings/{finding}/decision); decisions show who made them and when.
"use strict";

const $ = (sel) => document.querySelector(sel);
const docId = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop());
const { el, headers, errorText } = PageView;

let state = null;

function decisionText(d) {
  const who = [d.who, d.at ? d.at.slice(0, 16).replace("T", " ") : ""].filter(Boolean).join("，");
  return `复核：${d.status_zh}${d.reason ? `（原因：${d.reason}）` : ""}${who ? ` · ${who}` : ""}`;
}

function showDecided() {
  const c = state.decided;
  const hints = state.findings.filter((f) => f.severity === "hint" || f.severity === "info").length;
  $("#decided").textContent = `共 ${state.findings.length} 条（其中提示 ${hints} 条）：待复核 ${c.open}，已确认 ${c.confirmed}，已排除 ${c.dismissed}`;
}

async function decide(f, card, status, reason) {
  const resp = await fetch(`/v1/documents/${docId}/findings/${encodeURIComponent(f.id)}/decision`, {
    method: "PUT",
    headers: headers({ "Content-Type": "application/json" }),
    body: JSON.stringify({ status, reason: reason || null, reviewer: $("#reviewer").value.trim() || null }),
  });
  const body = await resp.json().catch(() => null);
  if (!resp.ok) { card.querySelector(".decide-error").textContent = errorText(body, resp.status); return; }
  state.decided[f.decision.status] -= 1;
  f.decision = body.decision;
  state.decided[f.decision.status] += 1;
  card.querySelector(".decision-line").textContent = decisionText(f.decision);
  card.querySelector(".decide-error").textContent = "";
  card.classList.toggle("dismissed", f.decision.status === "dismissed");
  card.dataset.status = f.decision.status;
  showDecided();
}

function controls(f, card) {
  const box = el("div", "decide");
  const confirm = el("button", "confirm", "确认问题");
  confirm.type = "button";
  const dismiss = el("button", "dismiss secondary", "排除…");
  dismiss.type = "button";
  const reopen = el("button", "reopen secondary", "重新打开");
  reopen.type = "button";
  const reason = el("textarea", "reason");
  reason.placeholder = "排除原因（必填），如：表中为万元，文字为元，并非矛盾";
  reason.hidden = true;
  const send = el("button", "send-dismiss", "提交排除");
  send.type = "button";
  send.hidden = true;
  const err = el("span", "decide-error note");
  confirm.addEventListener("click", (ev) => { ev.stopPropagation(); decide(f, card, "confirmed"); });
  reopen.addEventListener("click", (ev) => { ev.stopPropagation(); decide(f, card, "open"); });
  dismiss.addEventListener("click", (ev) => { ev.stopPropagation(); reason.hidden = false; send.hidden = false; reason.focus(); });
  reason.addEventListener("click", (ev) => ev.stopPropagation());
  send.addEventListener("click", (ev) => {
    ev.stopPropagation();
    if (!reason.value.trim()) { err.textContent = "排除时必须写明原因"; return; }
    decide(f, card, "dismissed", reason.value.trim()).then(() => { reason.hidden = true; send.hidden = true; });
  });
  box.append(confirm, dismiss, reopen, reason, send, err);
  return box;
}

function showSides(f) {
  const panel = $("#page-panel");
  panel.replaceChildren(el("h3", null, `[${f.n}] ${f.message}`));
  if (f.arithmetic) panel.appendChild(el("pre", "arithmetic", f.arithmetic));
  f.sides.forEach((s, i) => {
    const div = el("div", `side-view side-${s.side}`);
    div.dataset.side = i;
    div.appendChild(el("h4", null, `${s.side_zh}依据：${s.value || ""}`));
    div.appendChild(el("p", "where", s.where));
    if (s.row) div.appendChild(PageView.rowTable(s.row));
    else if (s.passage) div.appendChild(PageView.passageBlock(s.passage));
    else if (s.quote) div.appendChild(el("blockquote", null, s.quote));
    if (state.document.format === "pdf" && s.page) {
      div.appendChild(PageView.pageImage(docId, s.page, s.box ? [s.box] : [], s.side_zh, headers()));
    }
    panel.appendChild(div);
  });
  if (!f.sides.length) panel.appendChild(el("p", "where", "这条发现没有在页面上的位置（如缺少某张表）。"));
}

function select(f, card) {
  document.querySelectorAll(".finding.selected").forEach((c) => c.classList.remove("selected"));
  card.classList.add("selected");
  history.replaceState(null, "", `#finding-${f.id}`);
  showSides(f);
  if (window.matchMedia("(max-width: 720px)").matches) $("#page-panel").scrollIntoView({ block: "start" });
}

function render() {
  const d = state.document;
  $("#doc-title").textContent = `${d.department || d.source} ${d.year || ""}年${d.kind || ""} · ${d.source}`;
  document.title = `复核：${d.department || d.source} · budgetqa`;
  const ex = $("#exports");
  ex.replaceChildren("导出：");
  const formats = [["html", "HTML 报告"], ["xlsx", "Excel"]];
  if (d.format === "pdf") formats.push(["pdf", "批注版 PDF"]);
  formats.forEach(([fmt, label]) => {
    const a = el("a", `export-${fmt}`, label);
    a.href = `/v1/documents/${docId}/findings?format=${fmt}`;
    a.target = "_blank";
    ex.appendChild(a);
  });
  const list = $("#findings");
  list.replaceChildren();
  if (!state.findings.length) list.appendChild(el("p", null, "未发现问题。"));
  state.findings.forEach((f) => {
    const card = el("article", `finding ${f.severity}`);
    const hint = f.severity === "hint" || f.severity === "info";
    if (hint) { card.classList.add("hint-level"); card.hidden = !$("#show-hints").checked; }
    card.id = `finding-${f.id}`;
    card.dataset.id = f.id;
    card.dataset.status = f.decision.status;
    if (f.decision.status === "dismissed") card.classList.add("dismissed");
    const tags = el("div");
    tags.append(el("span", "tag", `${f.n}`), el("span", "tag", f.severity_zh), el("span", "tag", f.category_zh),
      el("span", "tag", f.code));
    card.append(tags, el("p", "msg-text", f.message));
    f.sides.forEach((s) => card.appendChild(el("p", "side-line", `${s.side_zh}：${s.value || ""} ${s.where}`)));
    card.appendChild(el("p", "decision-line", decisionText(f.decision)));
    card.appendChild(controls(f, card));
    card.addEventListener("click", () => select(f, card));
    list.appendChild(card);
  });
  showDecided();
  const wanted = location.hash.replace(/^#finding-/, "");
  const first = state.findings.find((f) => f.id === wanted);
  if (first) { const card = document.getElementById(`finding-${first.id}`); select(first, card); card.scrollIntoView(); }
}

async function load() {
  const resp = await fetch(`/v1/documents/${docId}/review`, { headers: headers() });
  const body = await resp.json().catch(() => null);
  if (!resp.ok) { $("#doc-title").textContent = "无法读取"; $("#review-error").textContent = errorText(body, resp.status); return; }
  state = body;
  render();
}

$("#show-hints").addEventListener("change", () => {
  document.querySelectorAll(".finding.hint-level").forEach((c) => { c.hidden = !$("#show-hints").checked; });
});
$("#api-key").value = localStorage.getItem("budgetqa-key") || "";
$("#reviewer").value = localStorage.getItem("budgetqa-reviewer") || "";
$("#reviewer").addEventListener("change", () => localStorage.setItem("budgetqa-reviewer", $("#reviewer").value.trim()));
load();
