// Lighthouse on pages of a running server, in one Chromium (tests/e2e/lighthouse.py
// starts this and reads what it prints).
//   node tests/e2e/lighthouse.mjs CHROMIUM FLAGS_JSON BASE_URL PATH...
// Prints one JSON array: for each path, the category scores (0-100) and the audits
// that did not pass.
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const [chromePath, flags, base, ...paths] = process.argv.slice(2);
const CATEGORIES = ["seo", "accessibility", "best-practices"];

const chrome = await chromeLauncher.launch({ chromePath, chromeFlags: JSON.parse(flags) });
const results = [];
try {
  for (const path of paths) {
    const { lhr } = await lighthouse(base + path, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: CATEGORIES,
    });
    const scores = {};
    for (const id of CATEGORIES) scores[id] = Math.round(lhr.categories[id].score * 100);
    const failed = Object.values(lhr.audits)
      .filter((a) => a.score !== null && a.score < 1 && ["binary", "numeric", "metricSavings"].includes(a.scoreDisplayMode))
      .map((a) => ({ id: a.id, title: a.title, explanation: a.explanation || "" }));
    results.push({ path, lighthouse: lhr.lighthouseVersion, scores, failed });
  }
} finally {
  await chrome.kill();
}
process.stdout.write(JSON.stringify(results) + "\n");
