// One try's log, streamed with the chunk API: ask for the lines after `next` until the server says `finished`.
import { h, fill, enc } from '../dom.js';
import { api } from '../api.js';
import { time } from '../format.js';

export function createLog() {
  const status = h('span', { class: 'log-status muted small', testid: 'panel-log-status' });
  const pre = h('pre', { class: 'log', testid: 'panel-log', tabindex: 0 });
  let stream = null; // { key, after, finished, busy }

  async function pull() {
    const current = stream;
    if (!current || current.finished || current.busy) return;
    current.busy = true;
    try {
      for (let round = 0; round < 20; round++) { // a long log arrives in a few quick chunks
        const chunk = await api.get(`${current.path}?after=${current.after}`);
        if (stream !== current) return; // another try was chosen meanwhile
        const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8;
        if (current.after === 0 && chunk.lines.length === 0 && chunk.finished) pre.append(h('span', { class: 'muted' }, 'No log lines for this try.'));
        for (const line of chunk.lines) {
          pre.append(h('span', { class: ['log-line', 'lvl-' + String(line.level ?? 'info').toLowerCase()] },
            h('span', { class: 'log-at' }, time(line.at).slice(11)), ' ',
            h('span', { class: 'log-level' }, String(line.level ?? '').toUpperCase().padEnd(5)), ' ',
            line.message, '\n'));
        }
        current.after = chunk.next ?? current.after;
        current.finished = chunk.finished;
        if (atBottom) pre.scrollTop = pre.scrollHeight;
        if (chunk.finished || chunk.lines.length === 0) break;
      }
      fill(status, current.finished ? 'complete' : h('span', { class: 'live' }, '● live'));
    } catch (e) {
      fill(status, h('span', { class: 'error-text' }, `log unavailable: ${e.message}`));
    } finally {
      current.busy = false;
    }
  }

  return {
    status,
    el: pre,
    /** Starts streaming `tryNumber` of the task instance (no-op when it is already the one shown). */
    show(runId, taskId, tryNumber) {
      const path = `/runs/${enc(runId)}/tasks/${enc(taskId)}/logs/${tryNumber}`;
      if (stream?.path === path) return pull();
      stream = { path, after: 0, finished: false, busy: false };
      pre.replaceChildren();
      fill(status, 'loading…');
      return pull();
    },
    pull,
    get finished() { return stream?.finished ?? true; },
  };
}
