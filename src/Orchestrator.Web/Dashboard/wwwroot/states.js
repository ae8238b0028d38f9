// Task and run states: their colour class and whether they are still moving (which is what polling waits on).
import { h } from './dom.js';

const ACTIVE = new Set(['queued', 'scheduled', 'running', 'up_for_retry', 'up_for_reschedule', 'restarting', 'deferred']);

export function isActive(state) {
  return ACTIVE.has(state);
}

/** A CSS class safe for any state string (unknown states get the neutral colour). */
export function stateClass(state) {
  return 'st-' + String(state ?? 'none').toLowerCase().replace(/[^a-z_]/g, '');
}

export function badge(state) {
  return h('span', { class: ['badge', stateClass(state)], 'data-state': state ?? 'none' }, (state ?? 'none').replace(/_/g, ' '));
}

export const LEGEND = ['success', 'running', 'queued', 'failed', 'up_for_retry', 'upstream_failed', 'skipped', 'none'];

export function legend() {
  return h('div', { class: 'legend' }, LEGEND.map((st) => h('span', { class: 'legend-item' },
    h('i', { class: ['dot', stateClass(st)] }), st.replace(/_/g, ' '))));
}
