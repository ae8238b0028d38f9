// The router: one shell for every page URL; the path picks the page module. Links are plain links, so every URL
// works on reload and can be shared.
import { renderHeader, pageProblem } from './layout.js';

const ROUTES = [
  [/^\/(?:dags\/?)?$/, () => import('./pages/dags.js')],
  [/^\/dags\/([^/]+)\/?$/, () => import('./pages/dag.js')],
  [/^\/runs\/([^/]+)\/?$/, () => import('./pages/run-redirect.js')],
  [/^\/models\/?$/, () => import('./pages/models.js')],
  [/^\/models\/([^/]+)\/?$/, () => import('./pages/model.js')],
  [/^\/experiments\/?$/, () => import('./pages/experiments.js')],
  [/^\/experiments\/compare\/?$/, () => import('./pages/compare.js')],
  [/^\/experiments\/([^/]+)\/?$/, () => import('./pages/experiment.js')],
  [/^\/datasets\/?$/, () => import('./pages/datasets.js')],
  [/^\/datasets\/([^/]+)\/([^/]+)\/?$/, () => import('./pages/dataset.js')],
  [/^\/monitoring\/?$/, () => import('./pages/monitoring.js')],
  [/^\/pools\/?$/, () => import('./pages/pools.js')],
];

async function start() {
  renderHeader();
  const main = document.getElementById('page');
  for (const [pattern, load] of ROUTES) {
    const match = location.pathname.match(pattern);
    if (!match) continue;
    const args = match.slice(1).map(decodeURIComponent);
    try {
      const page = await load();
      await page.render(main, ...args);
    } catch (e) {
      console.error(e);
      pageProblem(main, e);
    }
    return;
  }
  pageProblem(main, { message: `No page at ${location.pathname}` });
}

start();
