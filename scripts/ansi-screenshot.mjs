// Renders a terminal capture with its colours (`tmux capture-pane -e -p`) to a PNG:
// ANSI → HTML (ansi-to-html) → headless Chromium (playwright-core) → screenshot of the text.
// Usage: node scripts/ansi-screenshot.mjs CAPTURE.ansi OUT.png [TITLE]
import { readFileSync } from "node:fs";
import Convert from "ansi-to-html";
import { chromium } from "playwright-core";

const [input, output, title = ""] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write("usage: node scripts/ansi-screenshot.mjs CAPTURE.ansi OUT.png [TITLE]\n");
  process.exit(2);
}
const text = readFileSync(input, "utf8").replace(/\s+$/, "");
const body = new Convert({ fg: "#d4d4d4", bg: "#1e1e1e", escapeXML: true }).toHtml(text);
const escape = (s) => s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);
const html = `<!doctype html><meta charset="utf-8"><style>
  body { margin: 0; background: #444; }
  #term { display: inline-block; margin: 0; background: #1e1e1e; border-radius: 6px; overflow: hidden; }
  #bar { background: #333; color: #bbb; font: 12px sans-serif; padding: 6px 12px; }
  pre { margin: 0; padding: 10px 14px; color: #d4d4d4; font: 13px/1.35 "DejaVu Sans Mono", monospace; }
</style><div id="term"><div id="bar">${escape(title)}</div><pre>${body}</pre></div>`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  await page.setContent(html);
  await page.locator("#term").screenshot({ path: output });
} finally {
  await browser.close();
}
process.stdout.write(`${output}\n`);
