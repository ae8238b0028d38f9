// `/runs/{runId}` — a run lives on its DAG's page: go there with the run selected.
import { enc } from '../dom.js';
import { api } from '../api.js';
import { pageProblem } from '../layout.js';

export async function render(main, runId) {
  try {
    const run = await api.get(`/runs/${enc(runId)}`);
    location.replace(`/dags/${enc(run.dagId)}?run=${enc(run.runId)}`);
  } catch (e) {
    pageProblem(main, e);
  }
}
