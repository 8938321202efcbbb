// WideMinima dashboard: renders the JSON API's report blocks (headings, paragraphs, tables, charts with uPlot) and
// the runs table, and refreshes them when the ledger's stamp changes (polled every data-poll ms). Reads only.
'use strict';
(() => {
  const body = document.body;
  const page = body.dataset.page;
  const sweepName = body.dataset.sweep;
  const runId = body.dataset.run;
  const pollMs = Number(body.dataset.poll) || 2000;
  const main = document.getElementById('main');
  const live = document.getElementById('live');
  const crumbs = document.getElementById('crumbs');
  const banner = document.createElement('p');
  banner.className = 'error banner';
  banner.hidden = true;
  main.before(banner);
  const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

  // ---- small helpers -------------------------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('data-') || k === 'href' || k === 'title' || k === 'type' || k === 'value' || k === 'placeholder') e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }
  const num = v => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const fixed = (v, d) => (num(v) === null ? '–' : v.toFixed(d));
  const percent = (v, d = 2) => (num(v) === null ? '–' : (v * 100).toFixed(d));
  const enc = s => encodeURIComponent(s);
  const sweepUrl = name => '/sweeps/' + enc(name);
  const runUrl = (name, id) => '/sweeps/' + enc(name) + '/runs/' + enc(id);
  function duration(seconds) {
    if (num(seconds) === null) return '–';
    let s = Math.max(0, Math.round(seconds));
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`;
  }
  function time(ms) {
    if (num(ms) === null) return '–';
    return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  }
  function inline(text) {
    // **bold** in report paragraphs; everything else is text (never HTML).
    const p = el('p');
    text.split(/(\*\*[^*]+\*\*)/).forEach(part => {
      if (part.startsWith('**') && part.endsWith('**') && part.length > 4) p.append(el('strong', { text: part.slice(2, -2) }));
      else if (part) p.append(document.createTextNode(part));
    });
    return p;
  }
  async function getJson(url) {
    const r = await fetch(url, { cache: 'no-cache', credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!r.ok) {
      let message = `${r.status} ${r.statusText}`;
      try { message = (await r.json()).error || message; } catch { /* not JSON */ }
      const e = new Error(message);
      e.status = r.status;
      throw e;
    }
    return r.json();
  }
  function setCrumbs(...items) {
    crumbs.replaceChildren(...items.flatMap(i => [el('span', { class: 'sep', text: '›' }), i]));
  }
  function showError(where, e) {
    where.replaceChildren(el('p', { class: 'error', text: e.message }));
  }

  // ---- report blocks -------------------------------------------------------------------------------------------
  function renderBlocks(container, blocks) {
    for (const old of container.querySelectorAll('.chart')) if (old.plot) old.plot.destroy();
    container.replaceChildren();
    let grid = null; // consecutive charts share a grid, two or more to a row on a wide screen
    for (const b of blocks) {
      if (b.type !== 'chart') grid = null;
      if (b.type === 'heading') container.append(el(b.level <= 1 ? 'h2' : 'h3', { text: b.text }));
      else if (b.type === 'paragraph') container.append(inline(b.text));
      else if (b.type === 'table') container.append(table(b));
      else if (b.type === 'chart') {
        if (!grid) container.append(grid = el('div', { class: 'charts' }));
        grid.append(chart(b));
      }
    }
  }
  function table(b) {
    const t = el('table', { class: 'report', 'data-id': b.id || null });
    t.append(el('thead', {}, el('tr', {}, ...b.columns.map((c, i) => el('th', { class: b.align[i], text: c })))));
    const tbody = el('tbody');
    for (const row of b.rows) tbody.append(el('tr', {}, ...row.map((c, i) => el('td', { class: b.align[i], text: c }))));
    t.append(tbody);
    return el('div', { class: 'scroll' }, t);
  }
  // Tick labels that stay readable for tiny values (sharpness 1e-5) and large ones alike.
  function tickLabel(v, step) {
    if (v === 0) return '0';
    const a = Math.abs(step || v);
    if (a >= 1e5 || a < 1e-3) return v.toExponential(1);
    const digits = Math.max(0, Math.min(6, -Math.floor(Math.log10(a)) + (a / Math.pow(10, Math.floor(Math.log10(a))) < 2 ? 1 : 0)));
    return v.toFixed(digits);
  }
  const ticks = (u, splits) => splits.map((v, i) => (v === null ? '' : tickLabel(v, splits.length > 1 ? splits[1] - splits[0] : v)));

  // Bands (a CI or a spread) are drawn under the series from their low and high edges: a filled area along a line of
  // two or more points, and a whisker at every point.
  function bandHook(bands, xs) {
    return u => {
      const ctx = u.ctx;
      ctx.save();
      ctx.beginPath();
      ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
      ctx.clip();
      for (const b of bands) {
        const pts = xs.map((x, i) => [x, b.low[i], b.high[i]]).filter(p => p[1] !== null && p[2] !== null);
        if (pts.length === 0) continue;
        const X = x => u.valToPos(x, 'x', true), Y = y => u.valToPos(y, b.scale, true);
        if (pts.length > 1) {
          ctx.fillStyle = b.color + '26';
          ctx.beginPath();
          pts.forEach((p, i) => (i === 0 ? ctx.moveTo(X(p[0]), Y(p[2])) : ctx.lineTo(X(p[0]), Y(p[2]))));
          for (let i = pts.length - 1; i >= 0; i--) ctx.lineTo(X(pts[i][0]), Y(pts[i][1]));
          ctx.closePath();
          ctx.fill();
        }
        if (b.whiskers) {
          ctx.strokeStyle = b.color;
          ctx.lineWidth = 1.5 * devicePixelRatio;
          for (const p of pts) {
            const x = X(p[0]), w = 4 * devicePixelRatio;
            ctx.beginPath();
            ctx.moveTo(x, Y(p[1])); ctx.lineTo(x, Y(p[2]));
            ctx.moveTo(x - w, Y(p[1])); ctx.lineTo(x + w, Y(p[1]));
            ctx.moveTo(x - w, Y(p[2])); ctx.lineTo(x + w, Y(p[2]));
            ctx.stroke();
          }
        }
      }
      ctx.restore();
    };
  }

  function chart(b) {
    const box = el('div', { class: 'chart', 'data-id': b.id || null });
    box.append(el('h4', { text: b.title }));
    const area = el('div', { class: 'plot' });
    box.append(area);
    // uPlot draws aligned series: one x array, each series' y per x (null: no point there).
    const xs = [...new Set(b.series.flatMap(s => s.x.filter(x => num(x) !== null && (!b.log_x || x > 0))))].sort((a, c) => a - c);
    let points = 0;
    const data = [xs];
    const series = [{ label: b.x_label }];
    const bands = [];
    const extent = { y: [Infinity, -Infinity], y2: [Infinity, -Infinity] };
    const right = b.series.some(s => s.right_axis);
    b.series.forEach((s, i) => {
      const color = palette[i % palette.length];
      const at = new Map();
      s.x.forEach((x, k) => { if (num(x) !== null && num(s.y[k]) !== null) at.set(x, k); });
      points += at.size;
      const pick = arr => xs.map(x => (at.has(x) && num(arr[at.get(x)]) !== null ? arr[at.get(x)] : null));
      const scale = s.right_axis ? 'y2' : 'y';
      const style = s.style;
      const spec = { label: s.name, stroke: color, width: style === 'points' ? 0 : 2, scale, spanGaps: true };
      if (style === 'points') { spec.paths = () => null; spec.points = { show: true, size: 7, fill: color, stroke: color }; }
      else if (style === 'line') spec.points = { show: false };
      else if (style === 'dashed') { spec.dash = [6, 4]; spec.points = { show: false }; }
      else spec.points = { show: true, size: 6, fill: color };
      const ys = pick(s.y);
      data.push(ys);
      series.push(spec);
      const grow = v => { if (v !== null) { extent[scale][0] = Math.min(extent[scale][0], v); extent[scale][1] = Math.max(extent[scale][1], v); } };
      ys.forEach(grow);
      if (s.low && s.high) {
        const band = { low: pick(s.low), high: pick(s.high), color, scale, whiskers: style !== 'dashed' };
        band.low.forEach(grow);
        band.high.forEach(grow);
        bands.push(band);
      }
    });
    box.dataset.points = String(points);
    if (points === 0) {
      area.append(el('p', { class: 'muted', text: 'No data yet.' }));
      return box;
    }
    const range = key => (u, min, max) => {
      const [lo, hi] = extent[key];
      if (!Number.isFinite(lo)) return [min, max];
      const pad = hi > lo ? (hi - lo) * 0.08 : Math.abs(hi) * 0.05 || 1;
      return [lo - pad, hi + pad];
    };
    const axes = [{ label: b.x_label, values: ticks }, { label: b.y_label, scale: 'y', values: ticks, size: 60 }];
    const scales = { x: { time: false, distr: b.log_x ? 3 : 1 }, y: { range: range('y') } };
    if (right) { axes.push({ label: b.y2_label || '', scale: 'y2', side: 1, grid: { show: false }, values: ticks, size: 60 }); scales.y2 = { range: range('y2') }; }
    if (b.log_x) axes[0].values = (u, splits) => splits.map(v => (v === null ? '' : v.toPrecision(1)));
    const opts = { width: 560, height: 300, series, axes, scales, legend: { live: false }, cursor: { drag: { x: true, y: false } }, hooks: { drawClear: [bandHook(bands, xs)] } };
    requestAnimationFrame(() => {
      opts.width = Math.max(320, Math.min(area.clientWidth || 560, 900));
      box.plot = new uPlot(opts, data, area);
    });
    return box;
  }

  // ---- pages ---------------------------------------------------------------------------------------------------
  const pages = {
    async index() {
      if (!this.root) {
        this.root = el('section');
        this.list = el('div');
        this.compare = el('p', { class: 'compare' });
        this.root.append(el('h1', { text: 'Sweeps and tunings' }), this.dbLine = el('p', { class: 'muted' }), this.list, this.compare);
        main.replaceChildren(this.root);
        this.checked = new Set();
      }
      const answer = await getJson('/api/sweeps');
      this.dbLine.textContent = `Ledger: ${answer.database}. Read-only; updates while workers write.`;
      const head = ['', 'sweep', 'kind', 'done', 'running', 'pending', 'failed', 'workers', 'best setting so far', 'ETA'];
      const t = el('table', { class: 'report', 'data-id': 'sweeps' }, el('thead', {}, el('tr', {}, ...head.map(h => el('th', { text: h })))));
      const tbody = el('tbody');
      for (const s of answer.sweeps) {
        const box = el('input', { type: 'checkbox', title: 'compare' });
        box.checked = this.checked.has(s.name);
        box.addEventListener('change', () => { if (box.checked) this.checked.add(s.name); else this.checked.delete(s.name); this.updateCompare(); });
        const c = s.counts;
        const best = s.best_setting ? `${s.best_setting} (${percent(s.best_accuracy)}%, ${s.best_runs} runs)` : '–';
        tbody.append(el('tr', { 'data-sweep': s.name },
          el('td', {}, box),
          el('td', {}, el('a', { href: sweepUrl(s.name), text: s.name })),
          el('td', { 'data-field': 'kind', text: s.kind + (s.archived ? ' (archived)' : '') }),
          el('td', { class: 'right', 'data-field': 'done', text: String(c.done + c.diverged) }),
          el('td', { class: 'right', 'data-field': 'running', text: String(c.running) }),
          el('td', { class: 'right', 'data-field': 'pending', text: String(c.pending) }),
          el('td', { class: 'right', 'data-field': 'failed', text: String(c.failed) }),
          el('td', { class: 'right', 'data-field': 'workers', text: String(s.workers) }),
          el('td', { 'data-field': 'best', text: best }),
          el('td', { 'data-field': 'eta', text: c.pending + c.running === 0 ? 'finished' : duration(s.eta_seconds) })));
      }
      t.append(tbody);
      this.list.replaceChildren(answer.sweeps.length ? el('div', { class: 'scroll' }, t) : el('p', { text: 'This ledger holds no sweep yet.' }));
      this.updateCompare();
    },
    updateCompare() {
      const names = [...this.checked];
      this.compare.replaceChildren(names.length >= 2
        ? el('a', { href: '/compare?' + names.map(n => 'sweep=' + enc(n)).join('&'), text: `Compare ${names.join(', ')}` })
        : el('span', { class: 'muted', text: 'Tick two or more sweeps to compare them side by side.' }));
    },

    async sweep() {
      if (!this.root) {
        setCrumbs(el('a', { href: sweepUrl(sweepName), text: sweepName }));
        this.root = el('section');
        this.title = el('h1', { text: sweepName });
        this.facts = el('div', { class: 'facts' });
        this.blocks = el('div', { class: 'blocks' });
        this.runs = runsTable();
        this.root.append(this.title, this.facts, this.blocks, el('h2', { text: 'Runs' }), this.runs.root);
        main.replaceChildren(this.root);
      }
      const s = await getJson('/api/sweeps/' + enc(sweepName));
      const o = s.overview, c = o.counts;
      this.title.textContent = `${s.name} (${s.kind})`;
      const fact = (label, value, field) => el('div', { class: 'fact' }, el('span', { class: 'label', text: label }), el('span', { class: 'value', 'data-field': field, text: value }));
      this.facts.replaceChildren(
        fact('done', String(c.done + c.diverged), 'done'), fact('running', String(c.running), 'running'), fact('pending', String(c.pending), 'pending'),
        fact('failed', String(c.failed), 'failed'), fact('diverged', String(c.diverged), 'diverged'), fact('workers', String(o.workers), 'workers'),
        fact('mean run', duration(o.mean_run_seconds), 'pace'),
        fact('ETA', c.pending + c.running === 0 ? 'finished' : duration(o.eta_seconds), 'eta'),
        fact('best so far', o.best_setting ? `${o.best_setting} ${percent(o.best_accuracy)}%` : '–', 'best'));
      renderBlocks(this.blocks, s.blocks);
      this.runs.setSettings(s.settings);
      await this.runs.load();
    },

    async run() {
      if (!this.root) {
        setCrumbs(el('a', { href: sweepUrl(sweepName), text: sweepName }), el('a', { href: runUrl(sweepName, runId), text: runId }));
        this.root = el('section');
        this.title = el('h1', { text: runId });
        this.facts = el('div', { class: 'facts' });
        this.error = el('div');
        this.blocks = el('div', { class: 'blocks' });
        this.raw = el('div');
        this.root.append(this.title, this.facts, this.error, this.blocks, this.raw);
        main.replaceChildren(this.root);
      }
      const d = await getJson('/api/sweeps/' + enc(sweepName) + '/runs/' + enc(runId));
      const r = d.run;
      const fact = (label, value, field) => el('div', { class: 'fact' }, el('span', { class: 'label', text: label }), el('span', { class: 'value', 'data-field': field, text: value }));
      this.facts.replaceChildren(
        fact('status', r.status, 'status'), fact('setting', r.setting, 'setting'), fact('seed', String(r.seed), 'seed'),
        fact('kind', `${r.kind}, ${r.phase}`, 'kind'), fact('worker', r.worker || '–', 'worker'), fact('attempt', String(r.attempts), 'attempts'),
        fact('epoch', r.epoch || '–', 'epoch'), fact('lease expires', time(r.lease_expires_at), 'lease'),
        fact('test accuracy', percent(r.test_accuracy) + '%', 'test_accuracy'), fact('sharpness', fixed(r.sharpness, 4), 'sharpness'));
      this.error.replaceChildren(...(d.error ? [el('h2', { text: 'Error' }), el('pre', { class: 'error', 'data-field': 'error', text: d.error })] : []));
      renderBlocks(this.blocks, d.blocks);
      const raw = [];
      if (d.payload) raw.push(el('details', {}, el('summary', { text: 'What it ran (payload)' }), el('pre', { text: d.payload })));
      if (d.result) raw.push(el('details', { open: true }, el('summary', { text: 'Result' }), el('pre', { text: d.result })));
      this.raw.replaceChildren(...raw);
    },

    async compare() {
      const names = new URLSearchParams(location.search).getAll('sweep');
      setCrumbs(el('span', { text: 'compare' }));
      if (!this.root) {
        this.root = el('section');
        this.blocks = el('div', { class: 'blocks' });
        this.root.append(el('h1', { text: names.length >= 2 ? `Compare: ${names.join(' · ')}` : 'Compare sweeps' }), this.blocks);
        main.replaceChildren(this.root);
      }
      if (names.length < 2) {
        this.blocks.replaceChildren(el('p', {}, 'Pick two or more sweeps on ', el('a', { href: '/', text: 'the list' }), '.'));
        return;
      }
      const c = await getJson('/api/compare?' + names.map(n => 'sweep=' + enc(n)).join('&'));
      renderBlocks(this.blocks, c.blocks);
    },
  };

  // ---- the runs table: paged, sorted and filtered by the server ------------------------------------------------
  function runsTable() {
    const state = { offset: 0, limit: 50, sort: 'ordinal', desc: false, status: '', setting: '', q: '' };
    const columns = [
      ['run', 'run_id'], ['status', 'status'], ['setting', 'setting'], ['seed', 'seed'], ['worker', 'worker'], ['attempt', 'attempts'],
      ['lease expires', 'lease_expires_at'], ['epoch', null], ['test acc. %', 'test_accuracy'], ['val. acc. %', 'validation_accuracy'], ['sharpness', 'sharpness'],
    ];
    const root = el('div', { class: 'runs' });
    const status = el('select', { 'data-filter': 'status' }, ...['', 'pending', 'running', 'done', 'failed', 'diverged'].map(s => el('option', { value: s, text: s || 'any status' })));
    const setting = el('select', { 'data-filter': 'setting' }, el('option', { value: '', text: 'any setting' }));
    const search = el('input', { type: 'search', placeholder: 'search id, setting, worker', 'data-filter': 'q' });
    const info = el('span', { class: 'muted' });
    const prev = el('button', { type: 'button', text: '‹ previous' });
    const next = el('button', { type: 'button', text: 'next ›' });
    const head = el('tr');
    const tbody = el('tbody');
    const t = el('table', { class: 'report runs-table', 'data-id': 'runs' }, el('thead', {}, head), tbody);
    root.append(el('div', { class: 'filters' }, status, setting, search, prev, next, info), el('div', { class: 'scroll' }, t));
    const api = {
      root,
      setSettings(list) {
        const have = [...setting.options].map(o => o.value).slice(1);
        if (have.join('\n') === list.join('\n')) return;
        setting.replaceChildren(el('option', { value: '', text: 'any setting' }), ...list.map(s => el('option', { value: s, text: s })));
        setting.value = state.setting;
      },
      async load() {
        const q = new URLSearchParams({ offset: state.offset, limit: state.limit, sort: state.sort, desc: state.desc });
        if (state.status) q.set('status', state.status);
        if (state.setting) q.set('setting', state.setting);
        if (state.q) q.set('q', state.q);
        const pageData = await getJson('/api/sweeps/' + enc(sweepName) + '/runs?' + q);
        head.replaceChildren(...columns.map(([label, key]) => {
          const th = el('th', { text: label + (key && key === state.sort ? (state.desc ? ' ▼' : ' ▲') : ''), 'data-sort': key });
          if (key) th.addEventListener('click', () => { state.desc = state.sort === key ? !state.desc : false; state.sort = key; state.offset = 0; api.load().catch(e => showError(info, e)); });
          return th;
        }));
        tbody.replaceChildren(...pageData.rows.map(r => el('tr', { 'data-run': r.run_id, class: r.status },
          el('td', {}, el('a', { href: runUrl(sweepName, r.run_id), text: r.run_id })),
          el('td', { 'data-field': 'status', text: r.status }),
          el('td', { text: r.setting }),
          el('td', { class: 'right', text: String(r.seed) }),
          el('td', { text: r.worker || '–' }),
          el('td', { class: 'right', text: String(r.attempts) }),
          el('td', { text: r.status === 'running' ? time(r.lease_expires_at) : '–' }),
          el('td', { class: 'right', 'data-field': 'epoch', text: r.epoch || (r.status === 'running' ? r.progress || '' : '–') }),
          el('td', { class: 'right', 'data-field': 'test_accuracy', text: percent(r.test_accuracy) }),
          el('td', { class: 'right', text: percent(r.validation_accuracy) }),
          el('td', { class: 'right', 'data-field': 'sharpness', text: fixed(r.sharpness, 4) }))));
        const last = Math.min(pageData.total, state.offset + pageData.rows.length);
        info.textContent = pageData.total === 0 ? 'no runs match' : `runs ${state.offset + 1}–${last} of ${pageData.total}`;
        info.dataset.total = String(pageData.total);
        prev.disabled = state.offset === 0;
        next.disabled = last >= pageData.total;
      },
    };
    const reload = () => { state.offset = 0; api.load().catch(e => showError(info, e)); };
    status.addEventListener('change', () => { state.status = status.value; reload(); });
    setting.addEventListener('change', () => { state.setting = setting.value; reload(); });
    let timer = 0;
    search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { state.q = search.value.trim(); reload(); }, 250); });
    prev.addEventListener('click', () => { state.offset = Math.max(0, state.offset - state.limit); api.load().catch(e => showError(info, e)); });
    next.addEventListener('click', () => { state.offset += state.limit; api.load().catch(e => showError(info, e)); });
    return api;
  }

  // ---- live updates --------------------------------------------------------------------------------------------
  let stamp = null;
  let busy = false;
  async function refresh() {
    const render = pages[page];
    if (!render) return;
    await render.call(pages);
    body.dataset.stamp = stamp || '';
    body.dataset.updated = String(Date.now());
  }
  async function tick() {
    if (busy) return;
    busy = true;
    try {
      const v = await getJson('/api/version');
      live.textContent = 'live';
      live.className = 'live ok';
      if (v.stamp !== stamp) {
        stamp = v.stamp;
        await refresh();
      }
      banner.hidden = true;
    } catch (e) {
      if (e.status) { banner.textContent = e.message; banner.hidden = false; }
      else { live.textContent = 'disconnected: retrying'; live.className = 'live bad'; }
    } finally {
      busy = false;
    }
  }
  tick();
  setInterval(tick, pollMs);
})();
