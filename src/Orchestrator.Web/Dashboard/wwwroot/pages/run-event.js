// "Triggered by event #N: drift on taxi_fare" for a run an event created, with links to the event on the monitoring
// page and to the run that emitted it. The grid's runs carry only their type, so the run and its event are fetched
// once per run (an event never changes which run it came from).
import { h, fill, enc } from '../dom.js';
import { api } from '../api.js';
import { eventPhrase, runLink } from './event-bits.js';

const cache = new Map(); // runId -> Promise<{link, event}>

function lookup(run) {
  if (!cache.has(run.runId)) {
    cache.set(run.runId, (async () => {
      const link = run.event ?? (await api.get(`/runs/${enc(run.runId)}`)).event;
      if (!link) return null;
      const event = await api.get(`/events/${enc(link.id)}`).catch(() => null); // the link alone still says enough
      return { link, event };
    })().catch((e) => { cache.delete(run.runId); throw e; }));
  }
  return cache.get(run.runId);
}

/** An element that fills itself with the run's triggering event; empty for runs no event created. */
export function runEventLine(run) {
  const el = h('span', { class: 'run-event', testid: 'run-event' });
  if (!run || (run.runType !== 'event' && !run.event)) return null;
  fill(el, h('span', { class: 'muted small' }, 'triggered by an event…'));
  lookup(run).then((found) => {
    if (!found) { fill(el); return; }
    const { link, event } = found;
    el.dataset.event = link.id;
    fill(el, h('span', { class: 'muted small' }, 'triggered by '),
      h('a', { href: `/monitoring?event=${enc(link.id)}`, testid: 'run-event-link' }, `event #${link.id}`),
      h('span', { class: 'small' }, `: ${eventPhrase(link.kind, link.subject)}`),
      event?.source?.dagId ? [h('span', { class: 'muted small' }, ' from '), runLink(event.source.dagId, event.source.runId, event.source.taskId, 'run-event-source')] : null);
  }, () => fill(el, h('span', { class: 'muted small' }, 'triggered by an event (not found)')));
  return el;
}
