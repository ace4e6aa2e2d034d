// The reviewer's workbench: upload → /api/extract?include=findings,text → highlighted text,
// findings, and a table. No framework, no build step, no outside resources.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const SEVERITIES = ["error", "warning", "info"];
const SEV_LABEL = { error: "错误", warning: "警告", info: "提示" };
const LEVEL1 = ["output", "cost", "benefit", "satisfaction"];

const state = {
  docs: [],          // {id, name, status: uploading|running|done|error, progress, summary, records, findings, text}
  current: null,     // id of the document shown
  pinned: null,      // index of the indicator pinned in the detail panel
  labels: null,
  titles: {},        // finding code → Chinese name
  sort: { key: null, dir: 1 },
  nextId: 1,
};

function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
function label(enumName, value) {
  if (value === null || value === undefined) return "";
  const t = state.labels && state.labels[enumName];
  return (t && t[value]) || value;
}
function levelLabel(r) {
  const parts = [r.level1 ? label("level1", r.level1) : "", r.level2 ? label("level2", r.level2) : ""].filter(Boolean);
  return parts.join("/") || "未分类";
}
function targetText(r) {
  if (!r.target) return r.qualitative ? "定性" : "";
  const t = r.target;
  return `${t.operator === "=" ? "" : t.operator}${t.value}${t.unit || ""}`;
}
function deadlineText(r) {
  const d = r.deadline;
  if (!d) return "";
  const range = d.start && d.end ? `${d.start} 至 ${d.end}` : d.end ? `${d.end} 前` : "";
  return range ? `${d.text}（${range}）` : d.text;
}
function shortName(doc) { return String(doc).replace(/\\/g, "/").split("!").pop().split("/").pop() || doc; }
function toast(text, ms = 3500) {
  const el = $("#toast");
  el.textContent = text; el.hidden = false;
  clearTimeout(toast.timer); toast.timer = setTimeout(() => { el.hidden = true; }, ms);
}

// ---------------------------------------------------------------- uploads
function addFiles(files) {
  for (const file of files) {
    const doc = newDoc(file.name);
    enqueue(() => send(doc, () => { const fd = new FormData(); fd.append("file", file, file.name); return fd; }));
  }
}
function addText(text) {
  const name = `粘贴文本${state.nextId}.txt`;
  const doc = newDoc(name);
  enqueue(() => send(doc, () => JSON.stringify({ text, name }), "application/json"));
}
function newDoc(name) {
  const doc = { id: state.nextId++, name, status: "uploading", progress: 0 };
  state.docs.push(doc);
  if (state.current === null) state.current = doc.id;
  renderDocs();
  return doc;
}

// at most two requests in flight: the server's queue answers 503 beyond its own bound
const queue = []; let inFlight = 0;
function enqueue(job) { queue.push(job); pump(); }
function pump() {
  while (inFlight < 2 && queue.length) {
    const job = queue.shift(); inFlight++;
    job().finally(() => { inFlight--; pump(); });
  }
}

function send(doc, body, type, attempt = 1) {
  return new Promise(resolve => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/extract?include=findings,text");
    if (type) xhr.setRequestHeader("Content-Type", type);
    xhr.responseType = "json";
    xhr.upload.onprogress = e => {
      if (e.lengthComputable) { doc.progress = Math.round(100 * e.loaded / e.total); renderDocs(); }
    };
    xhr.upload.onload = () => { doc.status = "running"; renderDocs(); };
    xhr.onload = () => {
      const answer = xhr.response || {};
      if (xhr.status === 503 && attempt < 20) {  // busy: wait and try again
        doc.status = "queued"; renderDocs();
        setTimeout(() => send(doc, body, type, attempt + 1).then(resolve), 1500 * attempt);
        return;
      }
      if (answer.documents) received(doc, answer.documents);
      else failed(doc, answer.error || `HTTP ${xhr.status}`, answer.message || answer.detail || xhr.statusText);
      resolve();
    };
    xhr.onerror = () => { failed(doc, "network", "无法连接服务器"); resolve(); };
    doc.status = "uploading"; renderDocs();
    xhr.send(body());
  });
}

function received(doc, documents) {
  // a zip answers one document per member: the card becomes one card per document
  const at = state.docs.indexOf(doc);
  const made = documents.map((d, i) => {
    const s = d.summary;
    return {
      id: i === 0 ? doc.id : state.nextId++, name: s.doc, status: s.status === "ok" ? "done" : "error",
      summary: s, records: d.records || [], findings: d.findings || [], text: d.text || "",
      reason: s.reason, message: s.error,
    };
  });
  state.docs.splice(at, 1, ...made);
  if (state.current === doc.id || state.current === null) state.current = made[0].id;
  refresh();
}
function failed(doc, reason, message) {
  doc.status = "error"; doc.reason = reason; doc.message = typeof message === "string" ? message : JSON.stringify(message);
  refresh();
}

// ---------------------------------------------------------------- document list
function renderDocs() {
  $("#doc-count").textContent = state.docs.length ? `（${state.docs.length}）` : "";
  $("#docs").innerHTML = state.docs.map(d => {
    const s = d.summary;
    let body = "";
    if (d.status === "uploading" || d.status === "running" || d.status === "queued") {
      const what = d.status === "uploading" ? `上传中 ${d.progress}%` : d.status === "queued" ? "排队中（服务器忙）" : "分析中…";
      body = `<div class="meta">${what}</div><div class="progress ${d.status === "uploading" ? "" : "busy"}" role="progressbar"><span style="width:${d.progress}%"></span></div>`;
    } else if (d.status === "error") {
      body = `<div class="reason">无法读取（${esc(d.reason)}）：${esc(d.message)}</div>`;
    } else if (s) {
      const sev = s.findings.by_severity || {};
      body = `<div class="meta">${esc(label("kind", s.kind))}${s.budget_year ? " · " + s.budget_year + "年度" : ""}</div>
        <div class="counts"><span class="badge plain">${s.indicators} 条指标</span>
        ${SEVERITIES.map(k => sev[k] ? `<span class="badge ${k}">${SEV_LABEL[k]} ${sev[k]}</span>` : "").join("")}</div>`;
    }
    return `<li class="doc-card ${d.status} ${d.id === state.current ? "selected" : ""}" data-id="${d.id}" data-status="${d.status}">
      <div class="name" title="${esc(d.name)}">${esc(shortName(d.name))}</div>${body}</li>`;
  }).join("");
}

// ---------------------------------------------------------------- one document
function currentDoc() { return state.docs.find(d => d.id === state.current); }

function renderDoc() {
  const doc = currentDoc();
  const ready = doc && doc.status === "done";
  $("#empty").hidden = !!ready;
  $("#doc-view").hidden = !ready;
  if (!ready) {
    if (doc && doc.status === "error") $("#empty").innerHTML = `<p class="reason">${esc(shortName(doc.name))} 无法读取（${esc(doc.reason)}）</p><p>${esc(doc.message)}</p>`;
    return;
  }
  state.pinned = null;
  renderHead(doc);
  renderText(doc);
  renderFindings(doc);
  $("#detail").innerHTML = `<p class="muted">把鼠标移到高亮的指标上查看目标值和期限；点击可固定。</p>`;
}

function renderHead(doc) {
  const s = doc.summary;
  const sev = s.findings.by_severity || {};
  const projects = (s.projects || []).map(p => p.name + (p.amount ? `（${p.amount.value}${p.amount.unit}）` : ""));
  const vague = doc.records.filter(r => r.vague).length;
  const quant = s.quantitative_share === null ? "—" : Math.round(s.quantitative_share * 100) + "%";
  $("#doc-head").innerHTML = `<h2 title="${esc(s.doc)}">${esc(shortName(s.doc))}</h2>
    <dl>
      <div><dt>类型</dt><dd>${esc(label("kind", s.kind))}</dd></div>
      <div><dt>预算年度</dt><dd>${s.budget_year ?? "未注明"}</dd></div>
      <div><dt>单位</dt><dd>${esc(s.unit ? s.unit.name : "未注明")}</dd></div>
      <div><dt>项目</dt><dd title="${esc(projects.join("；"))}">${projects.length ? esc(projects.slice(0, 3).join("；")) + (projects.length > 3 ? ` 等 ${projects.length} 个` : "") : "—"}</dd></div>
      <div><dt>指标</dt><dd>${s.indicators} 条（定量 ${quant}，模糊 ${vague}）</dd></div>
      <div><dt>问题</dt><dd>${SEVERITIES.map(k => `<span class="badge ${k}">${SEV_LABEL[k]} ${sev[k] || 0}</span>`).join(" ")}</dd></div>
    </dl>`;
}

// Offsets in records count Unicode code points; JavaScript strings count UTF-16 units, so
// the text is cut as an array of code points.
function renderText(doc) {
  const chars = Array.from(doc.text);
  const marks = [];
  doc.records.forEach((r, i) => marks.push({ start: r.start, end: r.end, kind: "ind", i }));
  marks.sort((a, b) => a.start - b.start || b.end - a.end);
  const placed = [];
  let last = 0;
  for (const m of marks) { if (m.start >= last && m.end > m.start) { placed.push(m); last = m.end; } }
  // findings on text that is not an indicator (a 合计 row, a year in a title) get a mark of their own
  const extra = [];
  for (const f of doc.findings) {
    if (f.start === undefined || f.end <= f.start) continue;
    if (placed.some(m => m.start < f.end && f.start < m.end)) continue;
    if (extra.some(m => m.start < f.end && f.start < m.end)) continue;
    extra.push({ start: f.start, end: f.end, kind: "finding", code: f.code });
  }
  const all = placed.concat(extra).sort((a, b) => a.start - b.start);
  let html = "", at = 0;
  for (const m of all) {
    html += esc(chars.slice(at, m.start).join(""));
    const piece = esc(chars.slice(m.start, m.end).join(""));
    if (m.kind === "ind") {
      const r = doc.records[m.i];
      const cls = r.level1 && LEVEL1.includes(r.level1) ? `l1-${r.level1}` : "l1-none";
      const tip = [levelLabel(r), r.name ? "名称：" + r.name : "", targetText(r) ? "目标：" + targetText(r) : "",
        deadlineText(r) ? "期限：" + deadlineText(r) : "", r.vague ? "模糊指标" : "",
        r.flags.length ? "问题：" + r.flags.map(c => state.titles[c] || c).join("、") : ""].filter(Boolean).join("\n");
      html += `<mark class="ind ${cls}${r.vague ? " vague" : ""}" data-i="${m.i}" data-start="${m.start}" data-end="${m.end}" title="${esc(tip)}">${piece}</mark>`;
    } else {
      html += `<mark class="fspan" data-start="${m.start}" data-end="${m.end}" title="${esc(state.titles[m.code] || m.code)}">${piece}</mark>`;
    }
    at = m.end;
  }
  html += esc(chars.slice(at).join(""));
  $("#doc-text").innerHTML = html;
}

function showDetail(doc, i) {
  const r = doc.records[i];
  if (!r) return;
  const findings = doc.findings.filter(f => f.start === r.start && f.end === r.end);
  const row = (k, v) => v ? `<tr><th>${k}</th><td>${v}</td></tr>` : "";
  $("#detail").innerHTML = `<h3>${esc(r.name || r.text)}</h3><table>
    ${row("类别", esc(levelLabel(r)) + (r.label_source !== "heading" ? ` <span class="muted">（${esc(label("label_source", r.label_source))}推断 ${Math.round((r.confidence || 0) * 100)}%）</span>` : ""))}
    ${row("目标值", esc(targetText(r)) || '<span class="muted">无</span>')}
    ${row("期限", esc(deadlineText(r)) || '<span class="muted">无</span>')}
    ${row("项目", esc(r.project ? r.project.name : ""))}
    ${row("模糊", r.vague ? '<b class="yes">是</b>：年底无法据此判断是否完成' : "否")}
    ${row("问题", findings.map(f => `<span class="badge ${f.severity}">${SEV_LABEL[f.severity]}</span> ${esc(state.titles[f.code] || f.code)}`).join("<br>"))}
    ${row("原文", esc(r.text))}
  </table>`;
}

function showFinding(f) {
  $("#detail").innerHTML = `<h3><span class="badge ${f.severity}">${SEV_LABEL[f.severity]}</span> ${esc(state.titles[f.code] || f.code)}</h3>
    <table><tr><th>原文</th><td>${esc(f.text)}</td></tr>${f.project ? `<tr><th>项目</th><td>${esc(f.project)}</td></tr>` : ""}
    <tr><th>问题</th><td>${esc(f.message)}</td></tr><tr><th>建议</th><td>${esc(f.suggestion)}</td></tr></table>`;
}

function renderFindings(doc) {
  const groups = SEVERITIES.map(sev => {
    const list = doc.findings.map((f, n) => ({ f, n })).filter(x => x.f.severity === sev);
    if (!list.length) return "";
    return `<section class="f-group ${sev}"><h3>${SEV_LABEL[sev]}（${list.length}）</h3>${list.map(({ f, n }) => `
      <div class="finding" data-n="${n}" data-code="${esc(f.code)}" tabindex="0">
        <div><span class="title">${esc(state.titles[f.code] || f.code)}</span><a class="code" href="#rules/${esc(f.code)}" title="规则说明">${esc(f.code)}</a></div>
        ${f.text ? `<div class="quote">${esc(f.text.length > 80 ? f.text.slice(0, 79) + "…" : f.text)}</div>` : ""}
        <div class="message">${esc(f.message)}</div>
        ${f.suggestion ? `<div class="suggestion">建议：${esc(f.suggestion)}</div>` : ""}
        ${f.start === undefined ? '<div class="where">涉及全文</div>' : ""}
      </div>`).join("")}</section>`;
  }).join("");
  $("#findings").innerHTML = groups || `<p class="no-findings">没有发现问题。</p>`;
}

function scrollToOffset(start, end) {
  const marks = $$("#doc-text mark");
  const mark = marks.find(m => +m.dataset.start <= start && start < +m.dataset.end)
    || marks.find(m => +m.dataset.start >= start) || marks[marks.length - 1];
  if (!mark) return null;
  // scroll the text pane only (scrollIntoView would move the whole page under the header)
  const pane = $("#doc-text");
  pane.scrollTo({ top: Math.max(0, mark.offsetTop - pane.clientHeight / 2), behavior: "smooth" });
  const box = pane.getBoundingClientRect();
  if (box.top < 0 || box.top > window.innerHeight) window.scrollTo({ top: window.scrollY + box.top - 60, behavior: "smooth" });
  mark.classList.remove("flash"); void mark.offsetWidth; mark.classList.add("flash");
  return mark;
}

// ---------------------------------------------------------------- the table
function allRows() {
  const rows = [];
  for (const d of state.docs) {
    if (d.status !== "done") continue;
    d.records.forEach((r, i) => rows.push({ d, r, i }));
  }
  return rows;
}
function filters() {
  return { doc: $("#f-doc").value, project: $("#f-project").value, level1: $("#f-level1").value,
    vague: $("#f-vague").value, code: $("#f-code").value, text: $("#f-text").value.trim() };
}
function shownRows() {
  const f = filters();
  let rows = allRows().filter(({ d, r }) =>
    (!f.doc || String(d.id) === f.doc) &&
    (!f.project || (r.project ? r.project.name : "") === f.project) &&
    (!f.level1 || (r.level1 || "none") === f.level1) &&
    (!f.vague || (f.vague === "yes") === r.vague) &&
    (!f.code || (f.code === "none" ? r.flags.length === 0 : r.flags.includes(f.code))) &&
    (!f.text || (r.text + (r.name || "")).includes(f.text)));
  const { key, dir } = state.sort;
  if (key) {
    const value = ({ d, r }) => ({
      doc: shortName(d.name), project: r.project ? r.project.name : "", level: levelLabel(r), name: r.name || "",
      text: r.text, target: r.target ? r.target.value : -Infinity, deadline: r.deadline ? (r.deadline.end || r.deadline.text) : "",
      vague: r.vague ? 1 : 0, flags: r.flags.length,
    })[key];
    rows = rows.slice().sort((a, b) => {
      const x = value(a), y = value(b);
      return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN")) * dir;
    });
  }
  return rows;
}
function fillSelect(sel, options, allLabel = "全部") {
  const before = sel.value;
  sel.innerHTML = `<option value="">${allLabel}</option>` + options.map(([v, t]) => `<option value="${esc(v)}">${esc(t)}</option>`).join("");
  if (options.some(([v]) => v === before)) sel.value = before;
}
function renderFilters() {
  const rows = allRows();
  fillSelect($("#f-doc"), state.docs.filter(d => d.status === "done").map(d => [String(d.id), shortName(d.name)]));
  const projects = [...new Set(rows.map(({ r }) => r.project ? r.project.name : "").filter(Boolean))];
  fillSelect($("#f-project"), projects.map(p => [p, p]));
  const levels = [...new Set(rows.map(({ r }) => r.level1 || "none"))];
  fillSelect($("#f-level1"), LEVEL1.concat(["none"]).filter(l => levels.includes(l)).map(l => [l, l === "none" ? "未分类" : label("level1", l)]));
  const codes = [...new Set(rows.flatMap(({ r }) => r.flags))].sort();
  fillSelect($("#f-code"), [["none", "无问题"]].concat(codes.map(c => [c, `${state.titles[c] || c}（${c}）`])));
}
function renderTable() {
  const rows = shownRows();
  $("#table-section").hidden = allRows().length === 0;
  $("#row-count").textContent = `（显示 ${rows.length} / ${allRows().length} 条）`;
  $$("#ind-table th").forEach(th => th.classList.toggle("asc", state.sort.key === th.dataset.key && state.sort.dir === 1));
  $$("#ind-table th").forEach(th => th.classList.toggle("desc", state.sort.key === th.dataset.key && state.sort.dir === -1));
  $("#ind-table tbody").innerHTML = rows.slice(0, 2000).map(({ d, r, i }) => {
    const cls = r.level1 && LEVEL1.includes(r.level1) ? `l1-${r.level1}` : "l1-none";
    return `<tr data-doc="${d.id}" data-i="${i}">
      <td class="doc" title="${esc(d.name)}">${esc(shortName(d.name))}</td><td>${esc(r.project ? r.project.name : "")}</td>
      <td><span class="cls ${cls}">${esc(levelLabel(r))}</span></td><td>${esc(r.name || "")}</td>
      <td class="text">${esc(r.text)}</td><td class="nowrap">${esc(targetText(r))}</td><td class="nowrap" title="${esc(deadlineText(r))}">${esc(r.deadline ? r.deadline.text : "")}</td>
      <td class="${r.vague ? "yes" : ""}">${r.vague ? "是" : "否"}</td>
      <td>${r.flags.map(c => `<span class="flag" title="${esc(c)}">${esc(state.titles[c] || c)}</span>`).join("")}</td></tr>`;
  }).join("");
}

async function download(fmt) {
  const rows = shownRows();
  const docs = [...new Set(rows.map(x => x.d))];
  const f = filters();
  const body = {
    records: rows.map(x => x.r),
    documents: (f.doc ? state.docs.filter(d => String(d.id) === f.doc) : state.docs).filter(d => d.summary).map(d => d.summary),
    findings: docs.flatMap(d => d.findings).filter(x => !f.code || f.code === "none" || x.code === f.code)
      .filter(x => !f.project || x.project === f.project),
  };
  const answer = await fetch(`/api/export/${fmt}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (!answer.ok) { toast(`下载失败：HTTP ${answer.status}`); return; }
  const blob = await answer.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = { xlsx: "report.xlsx", csv: "indicators.csv", jsonl: "indicators.jsonl" }[fmt];
  document.body.appendChild(link); link.click(); link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

// ---------------------------------------------------------------- rules page
// the rule's docstring is hard-wrapped: join its lines, keep its paragraphs
function unwrap(text) { return String(text || "").replace(/([^\n])\n(?!\n)/g, "$1 "); }
let rulesLoaded = false;
async function renderRules() {
  if (!rulesLoaded) {
    const rules = await (await fetch("/api/rules")).json();
    let family = null, html = "";
    for (const r of rules) {
      if (r.family !== family) { family = r.family; html += `<h3 class="family">${esc(r.family_label)}（${esc(r.family)}）</h3>`; }
      html += `<details class="rule" id="rule-${esc(r.code)}" data-code="${esc(r.code)}" data-search="${esc((r.code + r.title + r.id).toLowerCase())}">
        <summary><span class="code">${esc(r.id)}</span><span class="title">${esc(r.title)}</span><span class="code">${esc(r.code)}</span>
        <span class="badge ${r.severity}">默认：${esc(r.severity_label)}</span></summary>
        <div class="body"><h4>检查内容</h4><p>${esc(unwrap(r.description))}</p><h4>为什么是问题</h4><p>${esc(r.why)}</p>
        <h4>示例（会被检出）</h4><pre>${esc(r.example)}</pre><h4>建议写法</h4><pre>${esc(r.better)}</pre>
        <h4>命令行 <code>indicators rule ${esc(r.code)}</code> 的完整说明（含示例的检查结果）</h4><pre class="cli-page">展开时载入…</pre></div></details>`;
    }
    $("#rules").innerHTML = html;
    $$("#rules .rule").forEach(el => el.addEventListener("toggle", async () => {
      const pre = $(".cli-page", el);
      if (!el.open || pre.dataset.loaded) return;
      pre.dataset.loaded = "1";
      const answer = await fetch(`/api/rules/${encodeURIComponent(el.dataset.code)}`);
      pre.textContent = answer.ok ? (await answer.json()).page : `载入失败：HTTP ${answer.status}`;
    }));
    $("#rule-count").textContent = `（${rules.length} 条）`;
    rulesLoaded = true;
  }
  const want = location.hash.split("/")[1];
  if (want) {
    const el = document.getElementById(`rule-${want}`);
    if (el) { el.open = true; el.scrollIntoView({ block: "start" }); }
  }
}

// ---------------------------------------------------------------- wiring
function refresh() { renderDocs(); renderDoc(); renderFilters(); renderTable(); }

function route() {
  const view = location.hash.startsWith("#rules") ? "rules" : "review";
  $("#view-review").hidden = view !== "review";
  $("#view-rules").hidden = view !== "rules";
  $$(".top nav a[data-view]").forEach(a => a.classList.toggle("active", a.dataset.view === view));
  if (view === "rules") renderRules();
}

function wire() {
  const drop = $("#drop");
  ["dragenter", "dragover"].forEach(t => drop.addEventListener(t, e => { e.preventDefault(); drop.classList.add("over"); }));
  ["dragleave", "drop"].forEach(t => drop.addEventListener(t, e => { e.preventDefault(); drop.classList.remove("over"); }));
  drop.addEventListener("drop", e => addFiles(e.dataTransfer.files));
  document.addEventListener("dragover", e => e.preventDefault());
  document.addEventListener("drop", e => e.preventDefault());
  $("#file-input").addEventListener("change", e => { addFiles(e.target.files); e.target.value = ""; });
  $("#paste-go").addEventListener("click", () => {
    const text = $("#paste-text").value;
    if (!text.trim()) { toast("请先粘贴文本"); return; }
    addText(text);
  });
  $("#docs").addEventListener("click", e => {
    const card = e.target.closest(".doc-card");
    if (!card) return;
    state.current = +card.dataset.id; renderDocs(); renderDoc();
  });
  const text = $("#doc-text");
  text.addEventListener("mouseover", e => {
    const m = e.target.closest("mark.ind");
    if (m && state.pinned === null) showDetail(currentDoc(), +m.dataset.i);
  });
  text.addEventListener("click", e => {
    const m = e.target.closest("mark.ind");
    $$("#doc-text mark.pinned").forEach(x => x.classList.remove("pinned"));
    if (!m || state.pinned === +m.dataset.i) { state.pinned = null; return; }
    state.pinned = +m.dataset.i; m.classList.add("pinned");
    showDetail(currentDoc(), state.pinned);
  });
  const pick = e => {
    const item = e.target.closest(".finding");
    if (!item || e.target.closest("a")) return;
    const f = currentDoc().findings[+item.dataset.n];
    if (f.start === undefined) { toast("这条问题涉及全文，没有具体位置"); return; }
    $$("#findings .finding.active").forEach(x => x.classList.remove("active"));
    item.classList.add("active");
    const mark = scrollToOffset(f.start, f.end);
    if (mark && mark.dataset.i !== undefined) showDetail(currentDoc(), +mark.dataset.i);
    else showFinding(f);
  };
  $("#findings").addEventListener("click", pick);
  $("#findings").addEventListener("keydown", e => { if (e.key === "Enter") pick(e); });
  $$(".filters select, .filters input").forEach(el => el.addEventListener("input", renderTable));
  $$("#ind-table th").forEach(th => th.addEventListener("click", () => {
    state.sort = { key: th.dataset.key, dir: state.sort.key === th.dataset.key ? -state.sort.dir : 1 };
    renderTable();
  }));
  $("#ind-table tbody").addEventListener("click", e => {
    const tr = e.target.closest("tr");
    if (!tr) return;
    state.current = +tr.dataset.doc; renderDocs(); renderDoc();
    const r = currentDoc().records[+tr.dataset.i];
    scrollToOffset(r.start, r.end); showDetail(currentDoc(), +tr.dataset.i);
    $("#workspace").scrollIntoView({ block: "start", behavior: "smooth" });
  });
  $$("[data-export]").forEach(b => b.addEventListener("click", () => download(b.dataset.export)));
  $("#rule-filter").addEventListener("input", e => {
    const q = e.target.value.trim().toLowerCase();
    $$("#rules .rule").forEach(r => { r.hidden = q && !r.dataset.search.includes(q); });
  });
  window.addEventListener("hashchange", route);
}

async function start() {
  wire();
  const [labels, rules, status] = await Promise.all(["/api/labels", "/api/rules", "/api/status"].map(u => fetch(u).then(r => r.json())));
  state.labels = labels;
  for (const r of rules) state.titles[r.code] = r.title;
  $("#server-status").textContent = `indicators ${status.version} · ${status.workers} 个工作进程 · 单个文件上限 ${status.max_upload_mb} MB`;
  document.body.dataset.ready = "1";
  route();
}
start();
