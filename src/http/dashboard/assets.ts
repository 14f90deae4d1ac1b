import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** uPlot's files, read once from node_modules (bundled with order-sync; no CDN). */
function uplotFile(name: string): string {
  const dir = join(dirname(require.resolve("uplot")), "..", "dist");
  return readFileSync(join(dir, name), "utf8");
}

/** Draws each `[data-chart]` from its JSON block with uPlot: lines over time, or bars. */
const DASHBOARD_JS = `(function(){
  var palette=["#1f77b4","#d62728","#2ca02c","#9467bd","#ff7f0e","#8c564b","#17becf"];
  document.querySelectorAll("[data-chart]").forEach(function(el){
    var spec=JSON.parse(document.getElementById(el.getAttribute("data-chart")).textContent);
    var bars=spec.bars?uPlot.paths.bars({size:[0.8,40]}):undefined;
    var series=[{label:spec.time?"time":"x"}].concat(spec.series.map(function(s,i){
      return {label:s.label,stroke:palette[i%palette.length],fill:spec.bars?palette[i%palette.length]+"88":undefined,paths:bars,width:2};
    }));
    var width=Math.min(960,(el.parentElement.clientWidth||960));
    new uPlot({width:width,height:280,scales:{x:{time:!!spec.time},y:{range:function(u,mn,mx){return [0,mx>0?mx*1.1:1];}}},series:series},
      [spec.x].concat(spec.series.map(function(s){return s.values;})),el);
  });
})();`;

let cache: Record<string, { body: string; type: string }> | undefined;

/** The static files under `/assets/`. */
export function asset(name: string): { body: string; type: string } | undefined {
  cache ??= {
    "uPlot.iife.min.js": { body: uplotFile("uPlot.iife.min.js"), type: "text/javascript; charset=utf-8" },
    "uPlot.min.css": { body: uplotFile("uPlot.min.css"), type: "text/css; charset=utf-8" },
    "dashboard.js": { body: DASHBOARD_JS, type: "text/javascript; charset=utf-8" },
  };
  return Object.hasOwn(cache, name) ? cache[name] : undefined;
}
