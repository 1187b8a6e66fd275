// Draws the dashboard's charts with plotly.js (served by the platform from the installed
// plotly package). The series come from the JSON block the server rendered into the page.
(function () {
  "use strict";
  var block = document.getElementById("dashboard-data");
  if (!block || typeof Plotly === "undefined") { return; }
  var colours = ["#b91c1c", "#2563eb", "#6b7280"];
  JSON.parse(block.textContent).forEach(function (chart) {
    var target = document.getElementById("chart-" + chart.id);
    if (!target) { return; }
    var traces = chart.series.map(function (s, i) {
      var trace = chart.kind === "line"
        ? { type: "scatter", mode: "lines+markers", line: { color: colours[i % 3] } }
        : { type: "bar", marker: { color: colours[i % 3] } };
      trace.x = chart.x;
      trace.y = s.y;
      trace.name = s.name;
      return trace;
    });
    var layout = {
      margin: { l: 64, r: 16, t: 8, b: 72 },
      paper_bgcolor: "#fff",
      plot_bgcolor: "#fff",
      font: { size: 12, family: getComputedStyle(document.body).fontFamily },
      showlegend: traces.length > 1,
      legend: { orientation: "h" },
      xaxis: { automargin: true, type: chart.kind === "line" ? "date" : "category" },
      yaxis: { automargin: true, rangemode: "tozero", title: { text: chart.y_label } },
    };
    Plotly.newPlot(target, traces, layout, { displaylogo: false, responsive: true })
      .then(function () { target.setAttribute("data-drawn", "1"); });
  });
})();
