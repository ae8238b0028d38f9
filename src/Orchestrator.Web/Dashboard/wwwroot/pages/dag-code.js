// The DAG's source as registered for a version (latest by default), with line numbers. Versions are content
// digests, not numbers: the picker offers the latest plus the versions the DAG's recent runs used, each shown by its
// first 12 characters with the run that used it and when it was first seen.
import { h, fill, enc } from '../dom.js';
import { api, query } from '../api.js';
import { problemBox } from '../layout.js';
import { shortTime } from '../format.js';

const RECENT_RUNS = 25;

export function createCode(dag) {
  const select = h('select', { class: 'input input-small', testid: 'code-version', onchange: () => load(select.value || null) },
    dag.latestVersion ? [option(dag.latestVersion, 'latest')] : [h('option', { value: '' }, 'latest')]);
  const meta = h('span', { class: 'muted small' });
  const body = h('div', { class: 'card code-card' });
  const el = h('div', null, h('div', { class: 'toolbar' }, h('label', { class: 'small' }, 'Version ', select), meta), body);
  let loaded = null;
  let listed = false;

  async function load(version) {
    try {
      const src = await api.get(`/dags/${enc(dag.dagId)}/source${version ? `?version=${enc(version)}` : ''}`);
      loaded = version;
      fill(meta, src.filePath ?? '');
      const lines = String(src.source ?? '').split('\n');
      fill(body, h('pre', { class: 'source', testid: 'dag-source' }, lines.map((line, i) => h('span', { class: 'src-line' },
        h('span', { class: 'ln' }, String(i + 1)), line, '\n'))));
    } catch (e) {
      fill(body, problemBox(e));
    }
  }

  // Runs list no version; each run's detail does. Older versions are a nicety: if this fails, latest still works.
  async function listVersions() {
    listed = true;
    try {
      const page = await api.get(`/dags/${enc(dag.dagId)}/runs` + query({ limit: RECENT_RUNS }));
      const details = await Promise.all(page.items.map((r) => api.get(`/runs/${enc(r.runId)}`).catch(() => null)));
      // version → the oldest listed run that used it; runs come newest first, so the last one seen wins.
      const seen = new Map();
      for (const run of details) {
        if (run?.dagVersion) seen.set(run.dagVersion, { run: run.runId, firstSeen: run.startedAt ?? run.logicalDate });
      }

      const current = select.value;
      const latest = dag.latestVersion;
      const options = [];
      if (latest) options.push(option(latest, seen.has(latest) ? `latest · run ${seen.get(latest).run}` : 'latest'));
      for (const [version, info] of seen) {
        if (version !== latest) options.push(option(version, `run ${info.run} · first seen ${shortTime(info.firstSeen)}`));
      }

      fill(select, options);
      select.value = current;
    } catch {
      // keep the latest-only picker
    }
  }

  return {
    el,
    show() {
      if (loaded === null) load(dag.latestVersion ?? null);
      if (!listed) listVersions();
    },
  };
}

function option(version, info) {
  return h('option', { value: version, title: version }, `${version.slice(0, 12)} (${info})`);
}
