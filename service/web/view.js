// The page view, shared by the chat page and the review page: a PDF page with the cited cells boxed
// (the image is drawn by GET /v1/documents/{id}/pages/{n}.png), and for every source the table row
// with its column headers or the passage with the quote marked. No build step.
"use strict";

const PageView = (() => {
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // A table row as a small two-line table: the column headers over the cells, the cited cell marked.
  function rowTable(row) {
    const wrap = el("div", "row-view");
    const cap = el("p", "row-caption", `《${row.table}》${row.unit ? `（单位：${row.unit}）` : ""}`);
    const table = el("table", "row-table");
    const body = el("tbody");
    row.cells.forEach((c) => {
      const tr = el("tr");
      if (c.cited) tr.className = "cited";
      tr.append(el("th", null, c.header || "—"), el("td", null, c.text));
      body.appendChild(tr);
    });
    table.appendChild(body);
    wrap.append(cap, table);
    return wrap;
  }

  function passageBlock(p) {
    const box = el("div", "passage-view");
    if (p.heading) box.appendChild(el("p", "passage-heading", p.heading));
    const q = el("blockquote", "passage");
    if (p.start !== null && p.start !== undefined && p.end > p.start) {
      q.append(p.text.slice(0, p.start), el("mark", null, p.text.slice(p.start, p.end)), p.text.slice(p.end));
    } else {
      q.textContent = p.text;
    }
    box.appendChild(q);
    return box;
  }

  function imageUrl(docId, page, boxes) {
    const q = (boxes || []).map((b) => "box=" + b.map((v) => Number(v).toFixed(2)).join(",")).join("&");
    return `/v1/documents/${docId}/pages/${page}.png${q ? "?" + q : ""}`;
  }

  // The page image in a frame, scrolled so that the first box is in sight once the image loads.
  function pageImage(docId, page, boxes, label, headers) {
    const fig = el("figure", "page-view");
    const frame = el("div", "page-frame");
    const img = el("img", "page-image");
    img.alt = `第 ${page} 页${label ? "：" + label : ""}`;
    img.dataset.page = page;
    img.dataset.boxes = JSON.stringify(boxes || []);
    frame.appendChild(img);
    const cap = el("figcaption", null);
    cap.append(`第 ${page} 页${label ? " · " + label : ""} `);
    const a = el("a", "page-open", "在新窗口打开");
    a.target = "_blank";
    cap.appendChild(a);
    fig.append(frame, cap);
    const url = imageUrl(docId, page, boxes);
    a.href = url;
    img.addEventListener("load", () => {
      fig.dataset.loaded = "1";
      if (boxes && boxes.length) {
        const scale = img.clientWidth / (img.naturalWidth / 2); // images are drawn at 2 px per point
        frame.scrollTop = Math.max(0, boxes[0][1] * scale - frame.clientHeight / 3);
      }
    });
    // Headers only matter for a protected service: fetch the image with the key when there is one.
    const key = headers && headers["X-API-Key"];
    if (key) {
      fetch(url, { headers }).then((r) => r.blob()).then((b) => { img.src = URL.createObjectURL(b); });
    } else {
      img.src = url;
    }
    return fig;
  }

  // The API key typed in the page's key field (remembered), sent as X-API-Key with every call.
  function headers(extra = {}) {
    const key = document.querySelector("#api-key").value.trim();
    localStorage.setItem("budgetqa-key", key);
    return key ? { ...extra, "X-API-Key": key } : extra;
  }

  // An API error in both languages, as the service words it.
  function errorText(body, status) {
    const e = body && body.error;
    return e ? `${e.message_zh}（${e.message_en}）` : `请求失败（HTTP ${status}）`;
  }

  return { el, rowTable, passageBlock, pageImage, imageUrl, headers, errorText };
})();
