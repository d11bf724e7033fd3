//! The HTML page: the SVG inline, a panel with the details of the buffer
//! under the pointer, mouse-wheel zoom and drag to pan (by changing the
//! SVG's `viewBox`). Everything is inline: no network, no external files.

use crate::problem::{Problem, Solution};

use super::format::escape_into;
use super::svg::{write_svg, Flavor};
use super::{RenderOptions, RenderSummary};

const STYLE: &str = "\
html,body{margin:0;height:100%;background:#fafafa;font:13px/1.35 'DejaVu Sans',Helvetica,Arial,sans-serif;color:#222}
#mm-bar{height:26px;line-height:26px;padding:0 12px;color:#555;border-bottom:1px solid #ddd;background:#fff;\
white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#mm-wrap{position:absolute;top:27px;left:0;right:0;bottom:0}
#mm-svg{display:block;width:100%;height:100%;cursor:grab;user-select:none}
#mm-svg.dragging{cursor:grabbing}
#mm-panel{position:fixed;top:36px;right:14px;min-width:220px;max-width:420px;padding:8px 10px;\
background:rgba(255,255,255,.94);border:1px solid #bbb;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.15);\
pointer-events:none;word-break:break-all;z-index:10}
#mm-panel th{text-align:left;padding-right:10px;color:#666;font-weight:normal;vertical-align:top}
#mm-panel td{font-family:'DejaVu Sans Mono',monospace}
";

/// The page's script. It reads only the SVG's `data-*` attributes and builds
/// the panel with `textContent`, so ids are never parsed as markup.
const SCRIPT: &str = r#"(function () {
  'use strict';
  var svg = document.getElementById('mm-svg');
  var data = document.getElementById('mm-data');
  var panel = document.getElementById('mm-panel');
  var NS = svg.namespaceURI;
  var nums = function (name) { return data.getAttribute(name).split(' ').map(Number); };
  var box = nums('data-plot'), tr = nums('data-t'), ar = nums('data-a');
  var L = box[0], T = box[1], W = box[2], H = box[3], B = T + H;
  var labels = Array.prototype.map.call(document.querySelectorAll('#mm-labels text'), function (t) {
    var size = Number(t.getAttribute('font-size'));
    return [t, Number(t.getAttribute('x')), Number(t.getAttribute('y')) - 0.35 * size, 0.35 * size];
  });
  var cap = document.getElementById('mm-cap-label');
  var capY = cap ? Number(cap.getAttribute('data-y')) : 0;

  // The view: zoom factors and the picture's (unzoomed) x at the plot's
  // left edge and y at its bottom edge.
  var v = { kx: 1, ky: 1, cx: L, cy: B };
  var X = function (x) { return L + (x - v.cx) * v.kx; };
  var Y = function (y) { return B + (y - v.cy) * v.ky; };
  var clamp = function () {
    v.kx = Math.min(1e6, Math.max(1, v.kx));
    v.ky = Math.min(1e6, Math.max(1, v.ky));
    v.cx = Math.min(L + W - W / v.kx, Math.max(L, v.cx));
    v.cy = Math.max(T + H / v.ky, Math.min(B, v.cy));
  };
  var make = function (name, attributes, text) {
    var e = document.createElementNS(NS, name);
    Object.keys(attributes).forEach(function (k) { e.setAttribute(k, attributes[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  };
  var steps = function (lo, hi, step) {
    var out = [];
    for (var t = Math.ceil(lo / step) * step; t <= hi && out.length < 100; t += step) { out.push(t); }
    return out;
  };
  var timeTicks = function (lo, hi, n) {
    var span = Math.max(hi - lo, 1);
    for (var p = 1; ; p *= 10) {
      for (var m = 1; m <= 5; m += m === 1 ? 1 : 3) {
        if (Math.floor(span / (m * p)) <= n) { return steps(lo, hi, m * p); }
      }
    }
  };
  var addressTicks = function (lo, hi, n) {
    var span = Math.max(hi - lo, 1), step = 1;
    while (Math.floor(span / step) > n) { step *= 2; }
    return steps(lo, hi, step);
  };
  var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  var unit = function (x) {
    var i = 0, d = 1;
    while (i < units.length - 1 && Math.abs(x) >= d * 1024) { i += 1; d *= 1024; }
    return [i, d];
  };
  var tick = function (a) {
    if (a === 0) { return '0'; }
    var u = unit(a);
    return u[0] === 0 ? a + ' B' : Number((a / u[1]).toFixed(3)) + ' ' + units[u[0]];
  };
  var human = function (text) {
    var u = unit(Number(text));
    return u[0] === 0 ? text + ' B' : (Number(text) / u[1]).toFixed(2) + ' ' + units[u[0]];
  };

  var redraw = function () {
    data.setAttribute('transform', 'matrix(' + [v.kx, 0, 0, v.ky, L - v.cx * v.kx, B - v.cy * v.ky].join(' ') + ')');
    labels.forEach(function (l) {
      l[0].setAttribute('x', X(l[1]).toFixed(2));
      l[0].setAttribute('y', (Y(l[2]) + l[3]).toFixed(2));
    });
    if (cap) {
      var y = Y(capY);
      cap.style.display = y < T - 1 || y > B + 1 ? 'none' : '';
      cap.setAttribute('y', Math.max(T + 10, y - 4).toFixed(2));
    }
    // The visible ranges of time and addresses, and their ticks.
    var u0 = tr[0] + (v.cx - L) / W * (tr[1] - tr[0]), u1 = u0 + (tr[1] - tr[0]) / v.kx;
    var b0 = ar[0] + (B - v.cy) / H * (ar[1] - ar[0]), b1 = b0 + (ar[1] - ar[0]) / v.ky;
    var xt = document.getElementById('mm-xticks'), yt = document.getElementById('mm-yticks');
    var grid = document.getElementById('mm-grid');
    xt.textContent = '';
    yt.textContent = '';
    grid.textContent = '';
    timeTicks(u0, u1, Math.max(2, Math.floor(W / 90))).forEach(function (t) {
      var x = (L + (t - u0) / (u1 - u0) * W).toFixed(2);
      xt.appendChild(make('path', { 'class': 'ax', d: 'M' + x + ',' + B + 'v5' }));
      xt.appendChild(make('text', { x: x, y: B + 17 }, String(t)));
    });
    addressTicks(b0, b1, Math.max(2, Math.floor(H / 45))).forEach(function (a) {
      var y = (B - (a - b0) / (b1 - b0) * H).toFixed(2);
      yt.appendChild(make('path', { 'class': 'ax', d: 'M' + L + ',' + y + 'h-5' }));
      yt.appendChild(make('text', { x: L - 8, y: Number(y) + 4 }, tick(a)));
      grid.appendChild(make('path', { d: 'M' + L + ',' + y + 'H' + (L + W) }));
    });
  };
  var reset = function () { v = { kx: 1, ky: 1, cx: L, cy: B }; redraw(); };
  // Zoom by f (above 1: in) around the point (px, py) of the picture,
  // along time, addresses or both.
  var zoom = function (f, px, py, alongTime, alongAddress) {
    px = Math.min(L + W, Math.max(L, px));
    py = Math.min(B, Math.max(T, py));
    var bx = v.cx + (px - L) / v.kx, by = v.cy + (py - B) / v.ky;
    if (alongTime) { v.kx *= f; }
    if (alongAddress) { v.ky *= f; }
    clamp();
    v.cx = bx - (px - L) / v.kx;
    v.cy = by - (py - B) / v.ky;
    clamp();
    redraw();
  };
  var toSvg = function (x, y) {
    return new DOMPoint(x, y).matrixTransform(svg.getScreenCTM().inverse());
  };
  svg.addEventListener('wheel', function (e) {
    e.preventDefault();
    var d = e.deltaY || e.deltaX;
    d = e.deltaMode === 1 ? d * 33 : e.deltaMode === 2 ? d * 400 : d;
    var p = toSvg(e.clientX, e.clientY);
    zoom(Math.exp(-Math.max(-300, Math.min(300, d)) * 0.002), p.x, p.y, !e.altKey, !e.shiftKey);
  }, { passive: false });
  var drag = null;
  svg.addEventListener('mousedown', function (e) {
    if (e.button !== 0) { return; }
    drag = { x: e.clientX, y: e.clientY, cx: v.cx, cy: v.cy, s: svg.getScreenCTM().a };
    svg.classList.add('dragging');
    e.preventDefault();
  });
  window.addEventListener('mousemove', function (e) {
    if (!drag) { return; }
    v.cx = drag.cx - (e.clientX - drag.x) / drag.s / v.kx;
    v.cy = drag.cy - (e.clientY - drag.y) / drag.s / v.ky;
    clamp();
    redraw();
  });
  window.addEventListener('mouseup', function () { drag = null; svg.classList.remove('dragging'); });
  svg.addEventListener('dblclick', reset);
  window.addEventListener('keydown', function (e) {
    var step = function (dx, dy) { v.cx += dx * W / v.kx; v.cy += dy * H / v.ky; clamp(); redraw(); };
    var mid = [L + W / 2, T + H / 2];
    if (e.key === '+' || e.key === '=') { zoom(1.25, mid[0], mid[1], true, true); }
    else if (e.key === '-') { zoom(0.8, mid[0], mid[1], true, true); }
    else if (e.key === '0') { reset(); }
    else if (e.key === 'ArrowLeft') { step(-0.1, 0); }
    else if (e.key === 'ArrowRight') { step(0.1, 0); }
    else if (e.key === 'ArrowUp') { step(0, -0.1); }
    else if (e.key === 'ArrowDown') { step(0, 0.1); }
    else { return; }
    e.preventDefault();
  });

  var show = function (rows) {
    var table = document.createElement('table');
    rows.forEach(function (r) {
      var row = table.insertRow(), th = document.createElement('th');
      th.textContent = r[0];
      row.appendChild(th);
      row.insertCell().textContent = r[1];
    });
    panel.textContent = '';
    panel.appendChild(table);
  };
  var lit = [];
  var light = function (i) {
    lit.forEach(function (r) { r.classList.remove('hl'); });
    lit = i === null ? [] : Array.prototype.slice.call(svg.querySelectorAll('.seg[data-i="' + i + '"]'));
    lit.forEach(function (r) { r.classList.add('hl'); });
  };
  svg.addEventListener('mouseover', function (e) {
    var t = e.target, d = t.dataset || {};
    if (t.classList && t.classList.contains('seg')) {
      light(d.i);
      var top = (BigInt(d.offset) + BigInt(d.size)).toString();
      var rows = [
        ['id', d.id],
        ['lifespan', '[' + d.lower + ', ' + d.upper + ')'],
        ['size', human(d.size) + ' (' + d.size + ')'],
        ['offset', human(d.offset) + ' (' + d.offset + ')'],
        ['top', human(top) + ' (' + top + ')']
      ];
      if (d.from !== undefined) { rows.push(['segment', '[' + d.from + ', ' + d.to + ')']); }
      if (d.window !== undefined) { rows.push(['window', d.window + ' (partly active)']); }
      show(rows);
    } else if (d.n !== undefined) {
      light(null);
      var all = svg.querySelector('.agg');
      show([['merged', d.n + ' small segments here'],
            ['in all', (all ? all.dataset.merged : '?') + ' segments too small to draw one by one']]);
    }
  });
  svg.addEventListener('mouseleave', function () { light(null); });
  redraw();
  document.documentElement.setAttribute('data-ready', '1');
})();
"#;

/// Renders `solution` as a self-contained HTML page: the picture of
/// [`svg`](super::svg()) with hover details (id, lifespan, size, offset),
/// mouse-wheel zoom, drag to pan, double-click (or `0`) to reset.
pub fn html(problem: &Problem, solution: &Solution, options: &RenderOptions) -> (String, RenderSummary) {
    let (svg, summary) = write_svg(problem, solution, options, Flavor::Embedded);
    let mut out = String::with_capacity(svg.len() + STYLE.len() + SCRIPT.len() + 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    escape_into(&mut out, options.title.as_deref().unwrap_or("MiniMalloc solution"));
    out.push_str("</title>\n<style>\n");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<div id=\"mm-bar\">");
    escape_into(&mut out, &format!("{} buffers", problem.buffers.len()));
    out.push_str(
        " · hover: details · wheel or +/−: zoom (shift: time only, alt: addresses only) · \
         drag or arrows: pan · double-click or 0: reset</div>\n<div id=\"mm-panel\">hover a buffer</div>\n<div id=\"mm-wrap\">\n",
    );
    out.push_str(&svg);
    out.push_str("</div>\n<script>\n");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    (out, summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate;
    use crate::render::svg::tests::{check_xml, gapped_problem, stacked};

    #[test]
    fn page_is_self_contained() {
        let (problem, solution) = gapped_problem();
        let options = RenderOptions { title: Some("<page>".into()), ..Default::default() };
        let (page, summary) = html(&problem, &solution, &options);
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("<title>&lt;page&gt;</title>"));
        // The SVG is inline and well formed; the script and styles are inline.
        let start = page.find("<svg ").unwrap();
        let end = page.find("</svg>").unwrap() + "</svg>".len();
        check_xml(&page[start..end]).unwrap();
        assert_eq!(page.matches("<rect class=\"seg\"").count(), summary.rects);
        assert!(page.contains("<script>\n(function ()"));
        assert!(!page.contains("<script src") && !page.contains("<link"));
        assert!(!SCRIPT.contains("</"), "the script cannot end its element early");
        // No network: the only URL is the SVG namespace.
        let without_namespace = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assert!(!without_namespace.contains("http://") && !without_namespace.contains("https://"));
        assert!(!without_namespace.contains("//cdn") && !without_namespace.contains("url(http"));
        // Hover data on every segment, ids escaped in attributes.
        assert_eq!(page.matches(" data-offset=\"").count(), summary.rects);
        assert!(page.contains("data-id=\"a&amp;b\""));
        assert!(page.contains("data-id=\"&lt;b&gt;\""));
        assert!(page.contains("data-id=\"c&quot;&apos;\""));
        assert!(page.contains("data-window=\"[0, 1024)\""));
    }

    #[test]
    fn large_page_stays_small() {
        let problem = generate::ml(20_000, 9);
        let solution = stacked(&problem);
        let (page, summary) = html(&problem, &solution, &RenderOptions::default());
        assert!(summary.merged > 0);
        assert!(page.len() < 10 << 20, "{} bytes", page.len());
        assert!(page.contains("data-n=\""));
    }
}
