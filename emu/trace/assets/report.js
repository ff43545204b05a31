/*
 * vmemu's HTML report: draws the six views from the data html.c embedded
 * (the element #vmemu-data), with no network and no library. Every time
 * view shares one virtual-time window: drag across a view to zoom in, the
 * mouse wheel zooms around the pointer, a double click or "whole run"
 * shows the whole run again; the window is kept in the address
 * (#t=START-END, in ns), so a zoomed view can be opened directly. Drawing is deterministic: the same data
 * gives the same document.
 */
(function () {
  'use strict';

  const D = JSON.parse(document.getElementById('vmemu-data').textContent);
  const SVGNS = 'http://www.w3.org/2000/svg';
  const W = 1180, LEFT = 170, RIGHT = 16, PW = W - LEFT - RIGHT;
  const MAX_COLUMNS = 300; /* heatmap columns drawn at once */
  const KIND_COLORS = {
    'anon-zero': '#9ecae1', 'anon-new': '#e15759', 'file-minor': '#59a14f', 'file-major': '#1b5e20',
    'cow': '#f28e2b', 'wp-reuse': '#ff9da7', 'swap-in': '#af7aa1', 'stack-grow': '#edc948',
    'spurious': '#bab0ac', 'segv': '#000000', 'sigbus': '#7f0000', 'oom': '#5a005a'
  };
  const VMA_KINDS = ['text', 'data', 'heap', 'anon', 'file', 'shared', 'stack', 'vdso'];
  const VMA_COLORS = {
    text: '#4e79a7', data: '#76b7b2', heap: '#f28e2b', anon: '#e8837f', file: '#59a14f',
    shared: '#b07aa1', stack: '#edc948', vdso: '#9c755f'
  };
  const MEM_KEYS = ['total', 'free', 'anon', 'file', 'shmem', 'dirty', 'writeback', 'slab', 'pagetables'];
  const MEM_SERIES = [
    ['used', '#1d2329', v => v[0] - v[1]], ['anon', '#e15759', v => v[2]],
    ['page cache', '#59a14f', v => v[3]], ['shmem', '#b07aa1', v => v[4]],
    ['dirty', '#f28e2b', v => v[5]], ['writeback', '#ff9da7', v => v[6]],
    ['slab', '#9467bd', v => v[7]], ['page tables', '#17becf', v => v[8]],
    ['free', '#9aa5b1', v => v[1]]
  ];
  const FRAME_KINDS = ['free', 'reserved', 'kernel', 'slab', 'pagetable', 'anon', 'shmem', 'file'];

  let proc = D.procs.length ? D.procs[0] : null;
  const full = { t0: 0, t1: Math.max(D.tEnd, 1) };
  let win = { t0: full.t0, t1: full.t1 };

  /* ---- small helpers ---- */

  function svg(tag, attrs, parent) {
    const e = document.createElementNS(SVGNS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function html(tag, attrs, parent, text) {
    const e = document.createElement(tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function title(e, text) { svg('title', {}, e).textContent = text; }
  function hex(n) { return '0x' + n.toString(16); }
  function fmtTime(ns) {
    if (ns >= 1e9) return (ns / 1e9).toFixed(3) + ' s';
    if (ns >= 1e6) return (ns / 1e6).toFixed(3) + ' ms';
    if (ns >= 1e3) return (ns / 1e3).toFixed(1) + ' us';
    return Math.round(ns) + ' ns';
  }
  function fmtSize(bytes) {
    if (bytes >= 1 << 30) return (bytes / (1 << 30)).toFixed(1) + ' GiB';
    if (bytes >= 1 << 20) return (bytes / (1 << 20)).toFixed(1) + ' MiB';
    if (bytes >= 1 << 10) return (bytes / (1 << 10)).toFixed(0) + ' KiB';
    return bytes + ' B';
  }
  function x(t) { return LEFT + (t - win.t0) / (win.t1 - win.t0) * PW; }
  function tAt(px) { return win.t0 + (px - LEFT) / PW * (win.t1 - win.t0); }
  function clampX(t) { return Math.max(LEFT, Math.min(LEFT + PW, x(t))); }
  function inWindow(t0, t1) { return t1 >= win.t0 && t0 <= win.t1; }
  function legend(parent, items) {
    const l = html('div', { class: 'legend' }, parent);
    for (const [label, color] of items) html('span', { style: '--c:' + color }, l, label);
  }
  function plot(sectionId, height) {
    const box = document.querySelector('#' + sectionId + ' .plot');
    box.textContent = '';
    const s = svg('svg', { width: W, height: height, viewBox: '0 0 ' + W + ' ' + height }, box);
    enableZoom(s, height);
    return { box: box, svg: s };
  }

  /* ---- the shared time axis ---- */

  function timeAxis(s, y) {
    const g = svg('g', { class: 'axis' }, s);
    svg('line', { x1: LEFT, x2: LEFT + PW, y1: y, y2: y }, g);
    const span = win.t1 - win.t0;
    const step = Math.pow(10, Math.floor(Math.log10(span / 6)));
    const mult = span / step > 30 ? 5 : span / step > 12 ? 2 : 1;
    const dt = step * mult;
    for (let t = Math.ceil(win.t0 / dt) * dt; t <= win.t1; t += dt) {
      svg('line', { class: 'tick', x1: x(t), x2: x(t), y1: 0, y2: y }, g);
      svg('text', { x: x(t), y: y + 13, 'text-anchor': 'middle' }, g).textContent = fmtTime(t);
    }
  }

  function phases(s, height, withLabels) {
    if (!proc) return;
    proc.markers.forEach(function (m, i) {
      if (m[0] < win.t0 || m[0] > win.t1) return;
      const g = svg('g', { class: 'phase-marker', 'data-phase': i }, s);
      svg('line', { class: 'phase', x1: x(m[0]), x2: x(m[0]), y1: 0, y2: height }, g);
      if (withLabels) { /* near the right edge, the label goes to the left of its line */
        const right = x(m[0]) > LEFT + PW - 80;
        svg('text', {
          class: 'phaselabel', x: x(m[0]) + (right ? -3 : 3), y: 11 + 12 * (i % 3),
          'text-anchor': right ? 'end' : 'start'
        }, g).textContent = m[1];
      }
      title(g, 'phase ' + (i + 1) + ': ' + m[1] + ' at ' + fmtTime(m[0]));
    });
  }

  /* ---- zoom: drag to select a stretch of time, wheel around the pointer ---- */

  function setWindow(t0, t1) {
    const min = 1000; /* 1 us: no narrower */
    if (t1 - t0 < min) { const c = (t0 + t1) / 2; t0 = c - min / 2; t1 = c + min / 2; }
    win = { t0: Math.max(full.t0, t0), t1: Math.min(full.t1, t1) };
    try { /* the window in the address, so that a zoomed view can be shared */
      history.replaceState(null, '', '#t=' + Math.round(win.t0) + '-' + Math.round(win.t1));
    } catch (e) { /* some browsers refuse it for local files: the view still zooms */ }
    drawTimeViews();
  }

  function enableZoom(s, height) {
    let start = null, sel = null;
    function px(ev) { return ev.clientX - s.getBoundingClientRect().left; }
    s.addEventListener('mousedown', function (ev) {
      start = px(ev);
      sel = svg('rect', { class: 'selection', x: start, y: 0, width: 0, height: height }, s);
    });
    s.addEventListener('mousemove', function (ev) {
      if (start === null) return;
      const p = px(ev);
      sel.setAttribute('x', Math.min(p, start));
      sel.setAttribute('width', Math.abs(p - start));
    });
    s.addEventListener('mouseup', function (ev) {
      if (start === null) return;
      const p = px(ev), a = Math.min(p, start), b = Math.max(p, start);
      start = null;
      sel.remove();
      if (b - a > 4) setWindow(tAt(Math.max(a, LEFT)), tAt(Math.min(b, LEFT + PW)));
    });
    s.addEventListener('dblclick', function () { setWindow(full.t0, full.t1); });
    s.addEventListener('wheel', function (ev) {
      ev.preventDefault();
      const c = tAt(px(ev)), f = ev.deltaY < 0 ? 0.8 : 1.25;
      setWindow(c - (c - win.t0) * f, c + (win.t1 - c) * f);
    }, { passive: false });
  }

  /*
   * ---- the address axis: a process's mapped ranges, stacked, high addresses on top ----
   * Unmapped gaps are left out and each range gets a height that grows with
   * the log of its size, so a 4 KiB mapping and a 1 GiB one are both visible.
   */
  function addressAxis(p, height) {
    const ranges = p.bands.map(b => [b[0], b[1]]);
    for (const f of p.faults) ranges.push([f[1] - f[1] % 4096, f[1] - f[1] % 4096 + 4096]);
    ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const segs = [];
    for (const r of ranges) {
      const last = segs[segs.length - 1];
      if (last && r[0] <= last.end + 65536) last.end = Math.max(last.end, r[1]);
      else segs.push({ start: r[0], end: r[1] });
    }
    const GAP = 5;
    const weights = segs.map(s => 1 + Math.log2(Math.max(1, (s.end - s.start) / 4096)));
    const total = weights.reduce((a, b) => a + b, 0) || 1;
    const usable = height - GAP * Math.max(0, segs.length - 1);
    let y = 0;
    for (let i = segs.length - 1; i >= 0; i--) { /* the highest first, at the top */
      segs[i].y0 = y;
      y += usable * weights[i] / total;
      segs[i].y1 = y;
      y += GAP;
    }
    function map(addr) {
      let lo = 0, hi = segs.length - 1;
      while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (segs[mid].start <= addr) lo = mid; else hi = mid - 1; }
      const s = segs[lo];
      if (!s) return 0;
      const f = Math.min(1, Math.max(0, (addr - s.start) / (s.end - s.start)));
      return s.y1 - f * (s.y1 - s.y0);
    }
    return { segs: segs, map: map };
  }

  function addressLabels(s, axis, p) {
    for (const seg of axis.segs) {
      const names = [];
      for (const b of p.bands)
        if (b[0] < seg.end && b[1] > seg.start && names.indexOf(b[6]) < 0) names.push(b[6]);
      svg('line', { class: 'segsep', x1: LEFT, x2: LEFT + PW, y1: seg.y0, y2: seg.y0 }, s);
      const t = svg('text', { class: 'seglabel', x: 4, y: Math.min(seg.y1 - 2, seg.y0 + 11) }, s);
      t.textContent = hex(seg.start) + ' ' + names.slice(0, 2).join(' ');
      title(t, hex(seg.start) + '-' + hex(seg.end) + ' (' + fmtSize(seg.end - seg.start) + '): ' + names.join(', '));
    }
  }

  /* ---- 1. the address space over time ---- */

  function drawLayout() {
    const H = 340;
    const { box, svg: s } = plot('layout', H + 20);
    if (!proc) return;
    const axis = addressAxis(proc, H);
    addressLabels(s, axis, proc);
    let n = 0;
    for (const b of proc.bands) {
      if (!inWindow(b[2], b[3])) continue;
      const x0 = clampX(b[2]), x1 = clampX(b[3]);
      const y0 = axis.map(b[1]), y1 = axis.map(b[0]);
      const r = svg('rect', {
        class: 'vma k-' + b[4], x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0),
        'data-start': hex(b[0]), 'data-end': hex(b[1]), 'data-name': b[6], 'data-kind': b[4]
      }, s);
      title(r, b[6] + ' ' + b[5] + ' ' + hex(b[0]) + '-' + hex(b[1]) + ' (' + fmtSize(b[1] - b[0]) + '), ' +
        b[4] + ', ' + fmtTime(b[2]) + ' to ' + fmtTime(b[3]));
      n++;
    }
    phases(s, H, true);
    timeAxis(s, H + 4);
    document.getElementById('layout').setAttribute('data-vmas', n);
    legend(box, VMA_KINDS.map(k => [k, VMA_COLORS[k]]));
  }

  /* ---- 2. faults as points: address against time ---- */

  function faultText(f) {
    const site = D.sites[f[3]];
    let s = D.kinds[f[2]] + ' ' + ({ r: 'read', w: 'write', x: 'exec' })[f[4]] + ' ' + hex(f[1]) +
      ' at ' + fmtTime(f[0]) + '\n' + site[1];
    if (site[2]) s += ' in ' + site[2];
    if (site[3]) s += ' at ' + site[3];
    s += '\nip ' + hex(site[0]) + (f[5] ? ', frame ' + hex(f[5]) : '');
    return s;
  }

  function drawFaults() {
    const H = 300;
    const { box, svg: s } = plot('faults', H + 20);
    const counts = {};
    let n = 0;
    if (proc) {
      const axis = addressAxis(proc, H);
      addressLabels(s, axis, proc);
      for (const f of proc.faults) {
        if (f[0] < win.t0 || f[0] > win.t1) continue;
        const kind = D.kinds[f[2]];
        const c = svg('circle', {
          class: 'fault k-' + kind, cx: x(f[0]).toFixed(1), cy: axis.map(f[1]).toFixed(1), r: 2.6,
          fill: KIND_COLORS[kind] || '#888', 'data-kind': kind, 'data-addr': hex(f[1])
        }, s);
        title(c, faultText(f));
        counts[kind] = (counts[kind] || 0) + 1;
        n++;
      }
      phases(s, H, false);
    }
    timeAxis(s, H + 4);
    const sec = document.getElementById('faults');
    sec.setAttribute('data-faults', n);
    const shown = proc && proc.faults.length < proc.faultsTotal ?
      ' (every ' + Math.ceil(proc.faultsTotal / proc.faults.length) + 'th of ' + proc.faultsTotal + ')' : '';
    legend(box, D.kinds.filter(k => counts[k]).map(k => [k + ': ' + counts[k], KIND_COLORS[k] || '#888'])
      .concat(shown ? [['points drawn' + shown, '#fff']] : []));
  }

  /* ---- 3. the access heatmap ---- */

  function heatColor(h) {
    /* white -> yellow -> red, as DAMON's heatmaps shade */
    const r = 255, g = Math.round(255 - 200 * Math.min(1, h * 1.3)), b = Math.round(255 * Math.max(0, 1 - h * 2.5));
    return 'rgb(' + r + ',' + g + ',' + b + ')';
  }

  function drawHeatmap() {
    const H = 300;
    const { box, svg: s } = plot('heatmap', H + 20);
    const sec = document.getElementById('heatmap');
    const aggs = proc ? proc.access.filter(a => inWindow(a[0] - a[1], a[0])) : [];
    if (!aggs.length) {
      sec.setAttribute('data-cells', 0);
      html('p', { class: 'empty' }, box, 'No access samples in this stretch: they are taken with --access-sample (on by default with --html).');
      timeAxis(s, H + 4);
      return;
    }
    const axis = addressAxis(proc, H);
    addressLabels(s, axis, proc);
    const stride = Math.ceil(aggs.length / MAX_COLUMNS);
    let cells = 0;
    for (let i = 0; i < aggs.length; i += stride) {
      const a = aggs[i], last = aggs[Math.min(aggs.length, i + stride) - 1];
      const x0 = clampX(a[0] - a[1]), x1 = clampX(last[0]);
      const r = a[3];
      for (let k = 0; k + 2 < r.length; k += 3) {
        const heat = a[2] ? r[k + 2] / a[2] : 0;
        const y0 = axis.map(r[k + 1]), y1 = axis.map(r[k]);
        const c = svg('rect', {
          class: 'cell', x: x0.toFixed(1), y: y0.toFixed(1), width: Math.max(1, x1 - x0).toFixed(1),
          height: Math.max(0.5, y1 - y0).toFixed(1), fill: heatColor(heat),
          'data-start': hex(r[k]), 'data-end': hex(r[k + 1]), 'data-heat': heat.toFixed(2)
        }, s);
        title(c, hex(r[k]) + '-' + hex(r[k + 1]) + ': accessed in ' + r[k + 2] + ' of ' + a[2] +
          ' samples, ' + fmtTime(a[0] - a[1]) + ' to ' + fmtTime(a[0]));
        cells++;
      }
    }
    phases(s, H, false);
    timeAxis(s, H + 4);
    sec.setAttribute('data-cells', cells);
    legend(box, [['never accessed', heatColor(0)], ['accessed in half the samples', heatColor(0.5)],
      ['in every sample', heatColor(1)]]);
  }

  /* ---- 4. memory curves ---- */

  /*
   * A counter's samples as a step line inside the window: each value holds
   * until the next sample, the last one until the end of the run.
   */
  function stepPoints(pts) {
    const out = [];
    for (let i = 0; i < pts.length; i++) {
      const t0 = pts[i][0], t1 = i + 1 < pts.length ? pts[i + 1][0] : full.t1;
      if (!inWindow(t0, t1)) continue;
      out.push([Math.max(t0, win.t0), pts[i][1]], [Math.min(t1, win.t1), pts[i][1]]);
    }
    return out;
  }

  function curves(s, H, series, top, dashed) {
    let drawn = 0;
    for (const [name, color, pts] of series) {
      const inside = stepPoints(pts);
      if (!inside.length || !inside.some(p => p[1] > 0)) continue;
      const d = inside.map(p => x(p[0]).toFixed(1) + ',' + (H - p[1] / top * (H - 10)).toFixed(1)).join(' ');
      const l = svg('polyline', {
        class: 'series' + (dashed ? ' rss' : ''), points: d, stroke: color, 'data-name': name
      }, s);
      title(l, name);
      drawn++;
    }
    return drawn;
  }

  function drawMemory() {
    const H = 240;
    const { box, svg: s } = plot('memory', H + 20);
    const machine = MEM_SERIES.map(([name, color, f]) => [name, color, D.memory.map(p => [p[0], f(p.slice(1))])]);
    const rss = proc ? [['RSS anon', '#c0392b', proc.rss.map(r => [r[0], r[1]])],
      ['RSS file', '#2e7d32', proc.rss.map(r => [r[0], r[2]])],
      ['RSS shmem', '#7b4f9d', proc.rss.map(r => [r[0], r[3]])]] : [];
    let top = 1;
    for (const sr of machine.concat(rss))
      for (const p of sr[2]) if (sr[0] !== 'free' && p[1] > top) top = p[1];
    for (let i = 0; i <= 4; i++) {
      const y = H - i / 4 * (H - 10);
      svg('line', { class: 'tick', x1: LEFT, x2: LEFT + PW, y1: y, y2: y }, s);
      svg('text', { x: LEFT - 6, y: y + 4, 'text-anchor': 'end' }, s).textContent = fmtSize(top * i / 4 * 4096);
    }
    const n = curves(s, H, machine.filter(m => m[0] !== 'free'), top, false) + curves(s, H, rss, top, true);
    phases(s, H, false);
    timeAxis(s, H + 4);
    document.getElementById('memory').setAttribute('data-series', n);
    if (!D.memory.length) html('p', { class: 'empty' }, box, 'No memory counters in this trace (trace category memory).');
    legend(box, machine.filter(m => m[0] !== 'free').map(m => [m[0], m[1]]).concat(rss.map(r => [r[0] + ' (process ' + proc.pid + ')', r[1]])));
  }

  /* ---- 5. physical memory: zones over time, free lists, the frame map ---- */

  function drawZones(s, y0, zone) {
    const H = 70, ROW = 7;
    const pts = zone.points.filter((p, i) => inWindow(p[0], i + 1 < zone.points.length ? zone.points[i + 1][0] : full.t1));
    svg('text', { x: 4, y: y0 + 12 }, s).textContent = zone.name + ' (' + fmtSize(zone.managed * 4096) + ')';
    svg('text', { class: 'seglabel', x: 4, y: y0 + 26 }, s).textContent = 'in use';
    const use = stepPoints(zone.points.map(p => [p[0], zone.managed - p[1]]));
    if (use.length) {
      const d = use.map(p => x(p[0]).toFixed(1) + ',' + (y0 + H - p[1] / zone.managed * H).toFixed(1)).join(' ');
      svg('polyline', { class: 'series zone-use', points: d, stroke: '#1d2329', 'data-zone': zone.name }, s);
    }
    const by = y0 + H + 6;
    svg('text', { class: 'seglabel', x: 4, y: by + 10 }, s).textContent = 'free blocks, order 0 (bottom) to 10';
    let max = 1;
    for (const p of pts) for (const b of p[2]) max = Math.max(max, b);
    pts.forEach(function (p, i) {
      /* A point holds until the next one; the last one until the end of the run. */
      const x0 = clampX(p[0]), x1 = i + 1 < pts.length ? clampX(pts[i + 1][0]) : clampX(full.t1);
      p[2].forEach(function (n, order) {
        const shade = n ? 0.15 + 0.85 * Math.log(n + 1) / Math.log(max + 1) : 0;
        const r = svg('rect', {
          class: 'buddy', x: x0.toFixed(1), y: by + (10 - order) * ROW, width: Math.max(1, x1 - x0).toFixed(1),
          height: ROW - 1, fill: 'rgba(31,119,180,' + shade.toFixed(2) + ')', 'data-order': order
        }, s);
        title(r, zone.name + ': ' + n + ' free block' + (n === 1 ? '' : 's') + ' of order ' + order +
          ' (' + fmtSize(4096 << order) + ') at ' + fmtTime(p[0]));
      });
    });
    return by + 11 * ROW + 14;
  }

  function drawFrameMap(box) {
    const fm = D.frames, sec = document.getElementById('physical');
    if (!fm) {
      sec.setAttribute('data-frames', 0);
      html('p', { class: 'empty' }, box, 'No frame map in this trace (trace category memory).');
      return;
    }
    const COLS = 256, CELL = Math.max(1, Math.min(4, Math.floor(Math.sqrt(PW * 300 / fm.total))));
    const rows = Math.ceil(fm.total / COLS);
    html('h3', {}, box, 'Frames at the end of the run: ' + fm.total + ' frames, ' + COLS + ' to a row');
    const s = svg('svg', { width: COLS * CELL + 2, height: rows * CELL + 2 }, box);
    const counts = {};
    let pfn = 0, rects = 0;
    for (const [kind, len] of fm.runs) {
      counts[kind] = (counts[kind] || 0) + len;
      let left = len;
      while (left > 0) {
        const col = pfn % COLS, n = Math.min(left, COLS - col);
        const r = svg('rect', { class: 'frame f-' + kind, x: 1 + col * CELL, y: 1 + Math.floor(pfn / COLS) * CELL, width: n * CELL, height: CELL }, s);
        title(r, kind + ': frames ' + hex(pfn) + '-' + hex(pfn + n - 1));
        pfn += n; left -= n; rects++;
      }
    }
    sec.setAttribute('data-frames', rects);
    const colors = { free: '#e9edf1', reserved: '#6c757d', kernel: '#343a40', slab: '#9467bd', pagetable: '#17becf', anon: '#e15759', shmem: '#b07aa1', file: '#59a14f' };
    legend(box, FRAME_KINDS.filter(k => counts[k]).map(k => [k + ': ' + counts[k] + ' (' + fmtSize(counts[k] * 4096) + ')', colors[k]]));
  }

  function drawPhysical() {
    const zones = D.zones.filter(z => z.managed > 0);
    const height = Math.max(40, zones.length * 170 + 20);
    const { box, svg: s } = plot('physical', height);
    let y = 4;
    for (const z of zones) y = drawZones(s, y, z);
    if (!zones.length) html('p', { class: 'empty' }, box, 'No zone counters in this trace (trace category memory).');
    timeAxis(s, height - 18);
    document.getElementById('physical').setAttribute('data-zones', zones.length);
    drawFrameMap(box);
  }

  /* ---- 6. tables ---- */

  function table(parent, id, caption, head, rows, total) {
    const wrap = html('div', {}, parent);
    html('h3', {}, wrap, caption);
    const t = html('table', { id: id }, wrap);
    const tr = html('tr', {}, t);
    head.forEach((h, i) => html('th', i === head.length - 1 || h.name ? { class: 'name' } : {}, tr, h.text || h));
    for (const r of rows.concat(total ? [total] : [])) {
      const row = html('tr', r === total ? { class: 'total' } : { class: 'row' }, t);
      r.forEach((c, i) => html('td', typeof c === 'string' && i === r.length - 1 ? { class: 'name' } : (typeof c === 'string' ? { class: 'name' } : {}), row, c));
    }
  }

  function drawTables() {
    const box = document.querySelector('#tables .plot');
    box.textContent = '';
    const wrap = html('div', { class: 'tables' }, box);
    const used = D.kinds.map((k, i) => i).filter(i => D.topFuncs.some(f => f[2][i]));
    table(wrap, 'top-funcs', 'Functions taking the most faults',
      ['faults'].concat(used.map(i => D.kinds[i])).concat([{ text: 'function', name: true }]),
      D.topFuncs.map(f => [f[1]].concat(used.map(i => f[2][i] || 0)).concat([f[0]])));
    table(wrap, 'top-insns', 'Instructions taking the most faults',
      ['faults', { text: 'ip', name: true }, { text: 'instruction', name: true }, { text: 'where', name: true }],
      D.topInsns.map(s => [s[4], hex(s[0]), s[1], (s[2] || '?') + (s[3] ? ' at ' + s[3] : '')]));
    const sum = D.syscalls.reduce((a, c) => a + c[3], 0), calls = D.syscalls.reduce((a, c) => a + c[1], 0);
    const errs = D.syscalls.reduce((a, c) => a + c[2], 0);
    table(wrap, 'syscalls', 'System calls, as strace -c counts them (time: virtual, sleeps included)',
      ['% time', 'seconds', 'usecs/call', 'calls', 'errors', { text: 'syscall', name: true }],
      D.syscalls.map(c => [(sum ? 100 * c[3] / sum : 0).toFixed(2), (c[3] / 1e9).toFixed(6),
        Math.round(c[3] / 1e3 / c[1]), c[1], c[2] || '', c[0]]),
      ['100.00', (sum / 1e9).toFixed(6), calls ? Math.round(sum / 1e3 / calls) : 0, calls, errs || '', 'total']);
  }

  /* ---- the page ---- */

  function drawTimeViews() {
    drawLayout();
    drawFaults();
    drawHeatmap();
    drawMemory();
    drawPhysical();
    document.getElementById('window').textContent =
      'showing ' + fmtTime(win.t0) + ' to ' + fmtTime(win.t1) + ' of ' + fmtTime(full.t1) + ' (virtual time)';
  }

  function setup() {
    const faults = D.procs.reduce((a, p) => a + p.faultsTotal, 0);
    document.getElementById('summary').textContent = D.procs.length + ' process' +
      (D.procs.length === 1 ? '' : 'es') + ', ' + faults + ' faults, ' +
      D.syscalls.reduce((a, c) => a + c[1], 0) + ' system calls, ' + fmtTime(D.tEnd) + ' of virtual time';
    const sel = document.getElementById('pid');
    D.procs.forEach(function (p, i) { html('option', { value: i }, sel, p.pid + ' ' + p.program); });
    sel.addEventListener('change', function () { proc = D.procs[+sel.value]; drawTimeViews(); });
    document.getElementById('reset').addEventListener('click', function () { setWindow(full.t0, full.t1); });
    const asked = /^#t=(\d+)-(\d+)$/.exec(location.hash); /* a window given in the address */
    if (asked && +asked[2] > +asked[1])
      win = { t0: Math.max(full.t0, +asked[1]), t1: Math.min(full.t1, +asked[2]) };
    drawTimeViews();
    drawTables();
    document.body.setAttribute('data-rendered', 'yes');
  }

  setup();
})();
