/* The dashboard's charts as SVG built node by node (createElementNS, text as text: nothing
 * from data becomes markup) — the same design as the briefing's (dashboard/charts.py):
 *  - sparkline(values): a line with gaps where there is no value and a dot on the last one;
 *  - seriesChart({points, forecast, decimals, title}): the values (solid), the target (dashed
 *    red) and the forecast (dashed purple) with its 80 % and 95 % bands;
 *  - classes(values): the choropleth's quantile classes (dashboard/classes.py's rule).
 * window.iocCharts. */
(function () {
  "use strict";

  const NS = "http://www.w3.org/2000/svg";
  const VALUE = "#0b5cad", TARGET = "#c62828", FORECAST = "#6a1b9a";
  const BAND80 = "rgba(106,27,154,.28)", BAND95 = "rgba(106,27,154,.13)";
  const PALETTE = ["#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"];
  const NO_VALUE = "#d9d9d9";

  function svg(tag, attributes, ...children) {
    const node = document.createElementNS(NS, tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function span(values) {
    let low = Math.min(...values), high = Math.max(...values);
    if (high === low) {
      const pad = Math.abs(high) * 0.1 || 1;
      return [low - pad, high + pad];
    }
    const pad = (high - low) * 0.08;
    return [low - pad, high + pad];
  }

  const pts = (list) => list.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");

  /** Runs of consecutive non-null points: [[x, y], …] per run. */
  function runs(values, xy) {
    const found = [];
    let run = [];
    values.forEach((value, i) => {
      if (value === null || value === undefined) {
        if (run.length) found.push(run);
        run = [];
      } else run.push(xy(i, value));
    });
    if (run.length) found.push(run);
    return found;
  }

  function sparkline(values, options) {
    const width = (options && options.width) || 120, height = (options && options.height) || 28;
    const node = svg("svg", {class: "spark", width, height, viewBox: `0 0 ${width} ${height}`,
                             "aria-hidden": "true"});
    const known = values.filter((v) => v !== null && v !== undefined);
    if (!known.length) return node;
    const [low, high] = span(known);
    const step = (width - 4) / Math.max(values.length - 1, 1);
    const xy = (i, v) => [2 + i * step, height - 2 - (v - low) / (high - low) * (height - 4)];
    for (const run of runs(values, xy)) {
      node.append(svg("polyline", {points: pts(run), fill: "none", stroke: VALUE,
                                   "stroke-width": 1.5}));
    }
    let last = values.length - 1;
    while (values[last] === null || values[last] === undefined) last -= 1;
    const [x, y] = xy(last, values[last]);
    node.append(svg("circle", {cx: x.toFixed(1), cy: y.toFixed(1), r: 2.2, fill: VALUE}));
    return node;
  }

  function seriesChart(options) {
    const points = options.points, forecast = options.forecast || [];
    const width = options.width || 640, height = options.height || 240;
    const format = options.format || String;
    const numbers = [];
    for (const p of points) {
      if (p.value !== null) numbers.push(p.value);
      if (p.target !== null) numbers.push(p.target);
    }
    for (const f of forecast) numbers.push(f.lo95, f.hi95, f.value);
    const node = svg("svg", {class: "chart", width: "100%", viewBox: `0 0 ${width} ${height}`,
                             role: "img", "aria-label": options.title},
                     svg("title", {}, options.title));
    if (!numbers.length) return node;
    const [low, high] = span(numbers);
    const left = 70, right = 12, top = 10, bottom = 26;
    const slots = points.length + forecast.length;
    const step = (width - left - right) / Math.max(slots - 1, 1);
    const x = (i) => left + i * step;
    const y = (v) => top + (high - v) / (high - low) * (height - top - bottom);
    node.append(svg("rect", {x: left, y: top, width: width - left - right,
                             height: height - top - bottom, fill: "none", class: "frame"}));
    for (const value of [low, (low + high) / 2, high]) {
      node.append(svg("text", {x: left - 6, y: (y(value) + 4).toFixed(1), "text-anchor": "end",
                               class: "axis"}, format(value)));
    }
    if (forecast.length) {
      const lastValue = points.length ? points[points.length - 1].value : null;
      const base = lastValue !== null && lastValue !== undefined
        ? [[points.length - 1, lastValue]] : [];
      for (const [lo, hi, fill, name] of [["lo95", "hi95", BAND95, "band95"],
                                          ["lo80", "hi80", BAND80, "band80"]]) {
        const upper = base.map(([i, v]) => [x(i), y(v)]).concat(
          forecast.map((f, k) => [x(points.length + k), y(f[hi])]));
        const lower = forecast.map((f, k) => [x(points.length + k), y(f[lo])]).reverse()
          .concat(base.map(([i, v]) => [x(i), y(v)]));
        node.append(svg("polygon", {class: "band " + name, points: pts(upper.concat(lower)),
                                    fill}));
      }
      const line = base.map(([i, v]) => [x(i), y(v)]).concat(
        forecast.map((f, k) => [x(points.length + k), y(f.value)]));
      node.append(svg("polyline", {class: "forecast", points: pts(line), fill: "none",
                                   stroke: FORECAST, "stroke-width": 2,
                                   "stroke-dasharray": "5 3"}));
    }
    const target = [];
    points.forEach((p, i) => { if (p.target !== null) target.push([x(i), y(p.target)]); });
    if (target.length) {
      node.append(svg("polyline", {class: "target", points: pts(target), fill: "none",
                                   stroke: TARGET, "stroke-width": 1.5,
                                   "stroke-dasharray": "6 4"}));
    }
    for (const run of runs(points.map((p) => p.value), (i, v) => [x(i), y(v)])) {
      node.append(run.length > 1
        ? svg("polyline", {class: "value", points: pts(run), fill: "none", stroke: VALUE,
                           "stroke-width": 2.2})
        : svg("circle", {class: "value", cx: run[0][0], cy: run[0][1], r: 2.5, fill: VALUE}));
    }
    points.forEach((p, i) => {
      if (p.value === null) return;
      node.append(svg("circle", {class: "dot", cx: x(i).toFixed(1), cy: y(p.value).toFixed(1),
                                 r: 6, fill: "transparent"},
                      svg("title", {}, `${p.label}: ${format(p.value)}`)));
    });
    const labels = points.length ? [[0, points[0].label]] : [];
    if (points.length > 1) labels.push([points.length - 1, points[points.length - 1].label]);
    if (forecast.length) labels.push([slots - 1, forecast[forecast.length - 1].period]);
    for (const [i, label] of labels) {
      const anchor = i === 0 ? "start" : i === slots - 1 ? "end" : "middle";
      node.append(svg("text", {x: x(i).toFixed(1), y: height - 8, "text-anchor": anchor,
                               class: "axis"}, label));
    }
    return node;
  }

  function classes(values) {
    const ordered = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
    if (!ordered.length) return {bounds: [], colours: [], low: 0, colour: () => NO_VALUE};
    const quantiles = [1, 2, 3, 4].map((k) => ordered[Math.floor(k * ordered.length / 5)]);
    const bounds = [...new Set([...quantiles, ordered[ordered.length - 1]])]
      .sort((a, b) => a - b);
    const steps = PALETTE.length - 1;
    const colours = bounds.map((_, i) => PALETTE[bounds.length === 1 ? steps
      : Math.round(i * steps / (bounds.length - 1))]);
    const colour = (value) => {
      if (value === null || value === undefined) return NO_VALUE;
      const index = bounds.findIndex((bound) => value <= bound);
      return colours[index < 0 ? colours.length - 1 : index];
    };
    return {bounds, colours, low: ordered[0], colour};
  }

  window.iocCharts = {sparkline, seriesChart, classes, NO_VALUE};
})();
