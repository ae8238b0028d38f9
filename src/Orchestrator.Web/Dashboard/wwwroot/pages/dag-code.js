// The DAG's source as registered for a version (latest by default), with line numbers.
import { h, fill, enc } from '../dom.js';
import { api } from '../api.js';
import { problemBox } from '../layout.js';

export function createCode(dag) {
  const versions = Array.from({ length: Math.max(1, dag.latestVersion ?? 1) }, (_, i) => (dag.latestVersion ?? 1) - i);
  const select = h('select', { class: 'input input-small', testid: 'code-version', onchange: () => load(Number(select.value)) },
    versions.map((v) => h('option', { value: v }, `v${v}${v === dag.latestVersion ? ' (latest)' : ''}`)));
  const meta = h('span', { class: 'muted small' });
  const body = h('div', { class: 'card code-card' });
  const el = h('div', null, h('div', { class: 'toolbar' }, h('label', { class: 'small' }, 'Version ', select), meta), body);
  let loaded = null;

  async function load(version) {
    try {
      const src = await api.get(`/dags/${enc(dag.dagId)}/source${version ? `?version=${version}` : ''}`);
      loaded = version;
      fill(meta, src.filePath ?? '');
      const lines = String(src.source ?? '').split('\n');
      fill(body, h('pre', { class: 'source', testid: 'dag-source' }, lines.map((line, i) => h('span', { class: 'src-line' },
        h('span', { class: 'ln' }, String(i + 1)), line, '\n'))));
    } catch (e) {
      fill(body, problemBox(e));
    }
  }

  return { el, show() { if (loaded === null) load(dag.latestVersion ?? null); } };
}
