// Leader dashboard: charts drawn from the JSON endpoint named in data-url (no inline script).
(function () {
  "use strict";
  var ZONE_COLOURS = { excellent: "#2e9d5b", good: "#3a78c9", fair: "#d89b2b", poor: "#c8453b", "": "#9aa5b1" };
  var PALETTE = ["#1d5fa8", "#2e9d5b", "#d89b2b", "#8e44ad", "#c8453b", "#16a2b8", "#7f8c8d"];

  var cardUrl = "";  // the score card's URL with {unit} for the unit's id, from the data

  function openCard(unit) { if (cardUrl) window.location.href = cardUrl.replace("{unit}", String(unit.unit_id)); }

  function num(value) { return value === null || value === undefined ? null : Number(value); }

  function chartIn(root, name) {
    var el = root.querySelector('[data-chart="' + name + '"]');
    var existing = window.echarts.getInstanceByDom(el);
    if (existing) existing.dispose();
    return window.echarts.init(el, null, { renderer: "canvas" });
  }

  function tallFor(units) { return Math.max(320, Math.min(units.length, 40) * 26 + 80); }

  function drawRanking(root, category, labels) {
    var units = category.units.filter(function (u) { return u.total !== null; });
    var el = root.querySelector('[data-chart="ranking"]');
    el.style.height = tallFor(units) + "px";
    var chart = chartIn(root, "ranking");
    var many = units.length > 40;
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 56, top: 10, bottom: many ? 40 : 10, containLabel: true },
      tooltip: { trigger: "item", formatter: function (p) {
        var u = units[p.dataIndex];
        return u.rank + ". " + u.name + "<br>" + labels.total + " " + u.total + " · " + (u.grade || "—") +
          (u.vetoed ? " · 一票否决" : "") + (u.last_place ? " · 末位" : "");
      } },
      xAxis: { type: "value", min: 0 },
      yAxis: { type: "category", inverse: true, data: units.map(function (u) { return u.rank + ". " + u.name; }),
        axisLabel: { interval: 0 } },
      dataZoom: many ? [{ type: "slider", yAxisIndex: 0, startValue: 0, endValue: 39, right: 0, width: 14 },
        { type: "inside", yAxisIndex: 0 }] : [],
      series: [{
        type: "bar", barMaxWidth: 22,
        data: units.map(function (u) {
          return { value: num(u.total), itemStyle: { color: ZONE_COLOURS[u.zone || ""] } };
        }),
        label: { show: true, position: "right", formatter: function (p) { return units[p.dataIndex].total + " " + (units[p.dataIndex].grade || ""); } }
      }]
    });
    chart.on("click", function (p) { var u = units[p.dataIndex]; if (u) openCard(u); });
    return chart;
  }

  function drawComponents(root, category) {
    var units = category.units.filter(function (u) { return u.total !== null; });
    var el = root.querySelector('[data-chart="components"]');
    el.style.height = tallFor(units) + "px";
    var chart = chartIn(root, "components");
    var many = units.length > 40;
    chart.setOption({
      animation: false,
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 36, bottom: many ? 40 : 10, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: units.map(function (u) { return u.name; }), axisLabel: { interval: 0 } },
      dataZoom: many ? [{ type: "slider", yAxisIndex: 0, startValue: 0, endValue: 39, right: 0, width: 14 },
        { type: "inside", yAxisIndex: 0 }] : [],
      series: category.components.map(function (c, i) {
        return { name: c.label, type: "bar", stack: "total", barMaxWidth: 22, itemStyle: { color: PALETTE[i % PALETTE.length] },
          data: units.map(function (u) { return num(u.components[c.key]); }) };
      })
    });
    chart.on("click", function (p) { var u = units[p.dataIndex]; if (u) openCard(u); });
    return chart;
  }

  function drawScatter(root, category, labels) {
    var units = category.units.filter(function (u) { return u.internal !== null && u.external !== null; });
    var chart = chartIn(root, "scatter");
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: 16, bottom: 30, containLabel: true },
      tooltip: { formatter: function (p) { var u = units[p.dataIndex];
        return u.name + "<br>" + labels.internal + " " + u.internal + "<br>" + labels.external + " " + u.external; } },
      xAxis: { type: "value", name: labels.internal, nameLocation: "middle", nameGap: 24, scale: true },
      yAxis: { type: "value", name: labels.external, scale: true },
      series: [{
        type: "scatter", symbolSize: units.length > 200 ? 6 : 14,
        data: units.map(function (u) { return { value: [num(u.internal), num(u.external)], itemStyle: { color: ZONE_COLOURS[u.zone || ""] } }; }),
        label: { show: units.length <= 30, position: "right", formatter: function (p) { return units[p.dataIndex].name; } }
      }]
    });
    chart.on("click", function (p) { var u = units[p.dataIndex]; if (u) openCard(u); });
    return chart;
  }

  function drawDistribution(root, category, labels) {
    var chart = chartIn(root, "distribution");
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 16, bottom: 30, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: category.distribution.labels, name: labels.total, nameLocation: "middle", nameGap: 24 },
      yAxis: { type: "value", minInterval: 1, name: labels.count },
      series: [{ type: "bar", data: category.distribution.counts, itemStyle: { color: "#1d5fa8" } }]
    });
    return chart;
  }

  function drawHistory(root, category, years, labels) {
    var byId = {};
    category.units.forEach(function (u) { byId[u.unit_id] = u; });
    var units = category.history_units.map(function (id) { return byId[id]; });
    var empty = root.querySelector("[data-empty-history]");
    var el = root.querySelector('[data-chart="history"]');
    if (empty) empty.hidden = units.length > 0;
    el.hidden = units.length === 0;
    if (units.length === 0) return null;
    var chart = chartIn(root, "history");
    chart.setOption({
      animation: false,
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 24, top: 36, bottom: 10, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: years.map(String) },
      yAxis: { type: "value", name: labels.total, scale: true },
      series: units.map(function (u) {
        var totals = {};
        u.history.forEach(function (h) { totals[h.year] = num(h.total); });
        return { name: u.name, type: "line", connectNulls: true, data: years.map(function (y) { return y in totals ? totals[y] : null; }) };
      })
    });
    return chart;
  }

  function show(root, data, code, labels) {
    var category = data.categories.filter(function (c) { return c.code === code; })[0] || data.categories[0];
    if (!category) return [];
    root.querySelectorAll(".category-tab").forEach(function (tab) {
      tab.setAttribute("aria-selected", String(tab.dataset.category === category.code));
    });
    root.querySelectorAll("[data-category-table]").forEach(function (table) {
      table.hidden = table.dataset.categoryTable !== category.code;
    });
    return [drawRanking(root, category, labels), drawComponents(root, category), drawScatter(root, category, labels),
      drawDistribution(root, category, labels), drawHistory(root, category, data.years, labels)]
      .filter(function (chart) { return chart !== null; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("dashboard");
    if (!root || !window.echarts) return;
    var labels = { total: root.dataset.labelTotal, internal: root.dataset.labelInternal,
      external: root.dataset.labelExternal, count: root.dataset.labelCount };
    fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (data) {
        cardUrl = data.card_url || "";
        var charts = show(root, data, (data.categories[0] || {}).code, labels);
        root.querySelectorAll(".category-tab").forEach(function (tab) {
          tab.addEventListener("click", function () { charts = show(root, data, tab.dataset.category, labels); });
        });
        window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
        root.dataset.ready = "true";
      })
      .catch(function () { root.dataset.ready = "error"; });
  });
})();
