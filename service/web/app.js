// The chat page: ask (streamed over SSE from POST /v1/ask/stream), citations that open the quoted
// sentence or table row, and a documents view with upload and findings reports. No build step.
"use strict";

const $ = (sel) => document.querySelector(sel);

const { headers, errorText } = PageView;

// -- tabs ------------------------------------------------------------------------------------------
document.querySelectorAll(".tab").forEach((tab) =>
  tab.addEventListener("click", () => {
    document.querySelectorAll(".tab, .view").forEach((el) => el.classList.remove("active"));
    tab.classList.add("active");
    $(`#view-${tab.dataset.view}`).classList.add("active");
    if (tab.dataset.view === "docs") loadDocuments();
  })
);

// -- chat ------------------------------------------------------------------------------------------
function addMessage(role, text) {
  const div = document.createElement("div");
  div.className = `msg ${role}`;
  const body = document.createElement("div");
  body.className = "body";
  body.textContent = text;
  div.appendChild(body);
  $("#messages").appendChild(div);
  div.scrollIntoView({ block: "end" });
  return div;
}

// Fields of service.chain.Citation: document, department, year, page, section, table, row_name, column,
// quote, and for the page view table_id, section_id, box, boxes, cells (each with its column header).
function describeCitation(c) {
  const where = [];
  if (c.page) where.push(`第 ${c.page} 页`);
  if (c.table) where.push(`表：${c.table}`);
  if (c.row_name) where.push(`行：${c.row_name}`);
  if (c.column) where.push(`列：${c.column.split("/").join(" › ")}`);
  if (c.section && !c.table) where.push(`章节：${c.section}`);
  return where.join(" · ");
}

async function openCitation(c, n) {
  $("#evidence-title").textContent = `[${n}] ${c.department || ""} ${c.year || ""} · ${c.document || ""}`;
  const body = $("#evidence-body");
  body.replaceChildren();
  const where = document.createElement("p");
  where.className = "where";
  where.textContent = describeCitation(c);
  body.appendChild(where);
  $("#evidence").showModal();
  const params = new URLSearchParams();
  for (const k of ["page", "table_id", "row", "column", "section_id"]) {
    if (c[k] !== null && c[k] !== undefined && c[k] !== "") params.set(k, c[k]);
  }
  if (c.section_id) params.set("quote", c.quote || "");
  let view = null;
  try {
    const r = await fetch(`/v1/documents/${c.doc_id}/view?${params}`, { headers: headers() });
    if (r.ok) view = await r.json();
  } catch (e) { /* the quote below still reads */ }
  if (view && view.row) body.appendChild(PageView.rowTable(view.row));
  else if (view && view.passage) body.appendChild(PageView.passageBlock(view.passage));
  else {
    const quote = document.createElement("blockquote");
    quote.textContent = c.quote_with_headers || c.quote || "";
    body.appendChild(quote);
  }
  const boxes = (c.boxes && c.boxes.length) ? c.boxes : (view ? view.boxes : []);
  const page = c.page || (view && view.page);
  if (view && view.format === "pdf" && page) {
    body.appendChild(PageView.pageImage(c.doc_id, page, boxes, c.row_name || c.section || "", headers()));
  }
}

function renderResult(div, result) {
  const body = div.querySelector(".body");
  body.textContent = result.answer;
  div.dataset.scope = (result.scope && result.scope.status) || "";
  const line = scopeLine(result.scope);
  if (line) div.appendChild(line);
  const cites = result.citations || [];
  if (cites.length) {
    const list = document.createElement("ol");
    list.className = "citations";
    cites.forEach((c, i) => {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "#";
      a.className = "citation";
      a.dataset.n = i + 1;
      for (const k of ["doc_id", "page", "table_id", "row", "column", "section_id"]) {
        if (c[k] !== null && c[k] !== undefined) a.dataset[k.replace(/_(.)/g, (_, x) => x.toUpperCase())] = c[k];
      }
      if (c.box) a.dataset.box = JSON.stringify(c.box);
      a.textContent = `[${i + 1}] ${c.department || c.document || ""} · ${describeCitation(c)}`;
      a.addEventListener("click", (ev) => { ev.preventDefault(); openCitation(c, i + 1); });
      li.appendChild(a);
      list.appendChild(li);
    });
    div.appendChild(list);
  }
  if (result.arithmetic && result.arithmetic.length) {
    const pre = document.createElement("pre");
    pre.className = "arithmetic";
    pre.textContent = result.arithmetic.join("\n");
    div.appendChild(pre);
  }
  (result.notes || result.grounding_notes || []).forEach((note) => {
    const p = document.createElement("p");
    p.className = "note";
    p.textContent = note;
    div.appendChild(p);
  });
}

// The selector: empty = the department the question names (service/scope.py: with several
// departments loaded and none named, the answer says so and names none); "dept:NAME" one
// department; "doc:ID" one document.
function scopeFilter(value) {
  if (value.startsWith("dept:")) return { department: value.slice(5) };
  if (value.startsWith("doc:")) return { document_ids: [value.slice(4)] };
  return {};
}

const SCOPE_WORDS = { named: "问题中写明的部门", selected: "所选范围", only: "唯一已载入的部门" };

// Which documents an answer stands on, said under it (result.scope, service/chain.AnswerResult).
function scopeLine(scope) {
  if (!scope || !SCOPE_WORDS[scope.status] || !(scope.departments || []).length) return null;
  const p = document.createElement("p");
  p.className = "scope";
  const when = [scope.year ? `${scope.year}年` : "", scope.kind || ""].join("");
  p.textContent = `回答范围：${scope.departments.join("、")}${when ? "（" + when + "）" : ""} · ${SCOPE_WORDS[scope.status]}`;
  return p;
}

async function ask(question) {
  addMessage("user", question);
  const div = addMessage("bot", "…");
  const body = div.querySelector(".body");
  const payload = { question, ...scopeFilter($("#doc-filter").value) };
  const resp = await fetch("/v1/ask/stream", {
    method: "POST",
    headers: headers({ "Content-Type": "application/json" }),
    body: JSON.stringify(payload),
  });
  if (!resp.ok) {
    body.textContent = errorText(await resp.json().catch(() => null), resp.status);
    div.classList.add("error");
    return;
  }
  const reader = resp.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "", text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = (block.match(/^event: (.*)$/m) || [])[1];
      const data = JSON.parse((block.match(/^data: (.*)$/m) || [])[1] || "null");
      if (event === "token") { text += data.text; body.textContent = text; }
      else if (event === "result") renderResult(div, data);
      else if (event === "error") { body.textContent = errorText(data, 500); div.classList.add("error"); }
    }
  }
}

$("#ask-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const q = $("#question").value.trim();
  if (!q) return;
  $("#question").value = "";
  ask(q).catch((e) => addMessage("bot error", `出错了：${e}`));
});

// -- documents -------------------------------------------------------------------------------------
async function loadDocuments() {
  const resp = await fetch("/v1/documents", { headers: headers() });
  const data = await resp.json();
  const tbody = $("#doc-table tbody");
  tbody.replaceChildren();
  const filter = $("#doc-filter");
  const chosen = filter.value;
  filter.replaceChildren(new Option("按问题中的部门", ""));
  const byDept = document.createElement("optgroup");
  byDept.label = "部门";
  const byDoc = document.createElement("optgroup");
  byDoc.label = "文件";
  const departments = new Set();
  (data.documents || []).forEach((d) => {
    const tr = document.createElement("tr");
    const cells = [d.department || d.source, d.year ?? "", d.kind || "", d.figures,
      d.findings.error, d.findings.warning];
    cells.forEach((v) => { const td = document.createElement("td"); td.textContent = v; tr.appendChild(td); });
    const labels = ["部门", "年度", "类型", "数字", "错误", "警告"];
    tr.querySelectorAll("td").forEach((td, i) => { td.dataset.label = labels[i]; });
    const links = document.createElement("td");
    links.dataset.label = "核查报告";
    const review = document.createElement("a");
    review.href = `/review/${d.id}`;
    review.textContent = "复核";
    review.className = "report-review";
    links.append(review, " ");
    const formats = [["html", "HTML"], ["xlsx", "Excel"], ["json", "JSON"]];
    if (/\.pdf$/i.test(d.source || "")) formats.push(["pdf", "批注PDF"]);
    formats.forEach(([fmt, label]) => {
      const a = document.createElement("a");
      a.href = `/v1/documents/${d.id}/findings?format=${fmt}`;
      a.textContent = label;
      a.className = `report-${fmt}`;
      a.target = "_blank";
      links.append(a, " ");
    });
    tr.appendChild(links);
    const del = document.createElement("td");
    const btn = document.createElement("button");
    btn.textContent = "删除";
    btn.addEventListener("click", async () => {
      if (!confirm(`删除 ${d.source}？`)) return;
      const r = await fetch(`/v1/documents/${d.id}`, { method: "DELETE", headers: headers() });
      if (!r.ok) alert(errorText(await r.json().catch(() => null), r.status));
      loadDocuments();
    });
    del.appendChild(btn);
    tr.appendChild(del);
    tbody.appendChild(tr);
    if (d.department && !departments.has(d.department)) {
      departments.add(d.department);
      byDept.appendChild(new Option(d.department, `dept:${d.department}`));
    }
    byDoc.appendChild(new Option(`${d.department || d.source} ${d.year || ""}${d.kind || ""}`, `doc:${d.id}`));
  });
  filter.append(byDept, byDoc);
  if ([...filter.options].some((o) => o.value === chosen)) filter.value = chosen;
}

// Job stages (service/pipeline.py) in the words of the page, with how far along each one is.
const STAGES = {
  queued: ["排队等待", 10], read: ["读取文件", 25], check: ["核查一致性", 50], index: ["建立索引", 75],
  done: ["完成", 100], internal: ["处理失败", 100],
};

function showProgress(label, value) {
  const bar = $("#upload-progress");
  bar.hidden = false;
  bar.value = value;
  bar.setAttribute("aria-valuetext", label);
}

async function waitForJob(jobId, status) {
  for (;;) {
    const r = await fetch(`/v1/jobs/${jobId}`, { headers: headers() });
    const job = await r.json();
    const [label, value] = STAGES[job.stage] || STAGES[job.status] || ["处理中", 50];
    showProgress(label, value);
    status.textContent = `处理中：${label}（${value}%）`;
    if (job.status === "done") { showProgress("完成", 100); status.textContent = "完成"; return job; }
    if (job.status === "failed") { status.textContent = errorText(job, 422); return job; }
    await new Promise((ok) => setTimeout(ok, 500));
  }
}

$("#upload-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  // several files selected = the parts of one disclosure (情况说明 + 报表), read as one document
  const files = [...$("#upload-file").files];
  if (!files.length) return;
  const status = $("#upload-status");
  status.textContent = files.length > 1 ? `上传中（${files.length} 个部分，合并为一个文档）…` : "上传中…";
  showProgress("上传中", 5);
  const form = new FormData();
  for (const file of files) form.append("file", file);
  const resp = await fetch("/v1/documents", { method: "POST", body: form, headers: headers() });
  const body = await resp.json().catch(() => null);
  if (!resp.ok) { status.textContent = errorText(body, resp.status); $("#upload-progress").hidden = true; return; }
  await waitForJob(body.job_id, status);
  loadDocuments();
});

$("#api-key").value = localStorage.getItem("budgetqa-key") || "";
loadDocuments().catch(() => {});
