// The frame around every page: navigation, the signed-in user, notices, problem details and confirmations.
import { h, fill } from './dom.js';
import { me, logout, ApiError } from './api.js';

const NAV = [
  ['DAGs', '/', (p) => p === '/' || p.startsWith('/dags') || p.startsWith('/runs')],
  ['Models', '/models', (p) => p.startsWith('/models')],
  ['Experiments', '/experiments', (p) => p.startsWith('/experiments')],
  ['Datasets', '/datasets', (p) => p.startsWith('/datasets')],
  ['Monitoring', '/monitoring', (p) => p.startsWith('/monitoring')],
  ['Pools', '/pools', (p) => p.startsWith('/pools')],
];

export async function renderHeader() {
  const top = document.getElementById('top');
  const path = location.pathname;
  const user = h('div', { class: 'user', testid: 'user-badge' }, '…');
  fill(top,
    h('a', { class: 'brand', href: '/' }, h('span', { class: 'logo' }), 'Orchestrator'),
    h('nav', { class: 'nav' },
      NAV.map(([label, href, active]) => h('a', { href, class: active(path) ? 'active' : null }, label)),
      h('a', { href: '/api', class: 'ext' }, 'API reference')),
    user);
  try {
    const who = await me();
    fill(user,
      h('span', { class: 'user-name', testid: 'user-name' }, who.name),
      h('span', { class: ['role', 'role-' + who.role], testid: 'user-role' }, who.role),
      who.autoSignedIn ? h('span', { class: 'muted small', title: 'Signed in automatically on loopback' }, 'auto') : null,
      who.autoSignedIn ? null : h('button', { class: 'btn btn-ghost btn-small', testid: 'logout', onclick: logout }, 'Log out'));
  } catch (e) {
    fill(user, h('span', { class: 'muted' }, 'not signed in'));
  }
}

export function title(text) {
  document.title = text ? `${text} · Orchestrator` : 'Orchestrator';
}

/** A notice in the corner that fades by itself (errors stay until clicked). */
export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  const el = h('div', { class: ['toast', 'toast-' + kind], role: 'status', testid: 'toast-' + kind, onclick: () => el.remove() }, message);
  box.append(el);
  if (kind !== 'error') setTimeout(() => el.remove(), 4000);
}

/** A problem details error as a block: title, detail, and the field at fault. */
export function problemBox(error, testid = 'problem') {
  const p = error instanceof ApiError ? error : { status: 0, title: 'Error', detail: String(error?.message ?? error) };
  return h('div', { class: 'problem', role: 'alert', testid },
    h('strong', null, p.status ? `${p.status} · ${p.title}` : p.title),
    p.detail ? h('div', null, p.detail) : null,
    p.field ? h('div', { class: 'small' }, 'Field: ', h('code', null, p.field)) : null);
}

export function showError(error) {
  const p = error instanceof ApiError ? error : null;
  toast(p ? `${p.title}${p.detail ? ': ' + p.detail : ''}${p.field ? ` (${p.field})` : ''}` : String(error?.message ?? error), 'error');
}

/** Resolves true when the user confirms. A real dialog, so a click cannot slip through by accident. */
export function confirmDialog(message, okLabel = 'Confirm', danger = false) {
  return new Promise((resolve) => {
    const close = (answer) => { overlay.remove(); document.removeEventListener('keydown', onKey); resolve(answer); };
    const onKey = (e) => { if (e.key === 'Escape') close(false); };
    const ok = h('button', { class: ['btn', danger ? 'btn-danger' : 'btn-primary'], testid: 'confirm-ok', onclick: () => close(true) }, okLabel);
    const overlay = h('div', { class: 'overlay', onclick: (e) => { if (e.target === overlay) close(false); } },
      h('div', { class: 'dialog', role: 'dialog', 'aria-modal': 'true', testid: 'confirm-dialog' },
        h('p', null, message),
        h('div', { class: 'dialog-actions' },
          h('button', { class: 'btn', testid: 'confirm-cancel', onclick: () => close(false) }, 'Cancel'), ok)));
    document.body.append(overlay);
    document.addEventListener('keydown', onKey);
    ok.focus();
  });
}

/** A page-sized message (not found, forbidden…). */
export function pageProblem(main, error) {
  fill(main, problemBox(error, 'page-problem'));
}

export function pager(total, offset, limit, go) {
  const last = Math.max(0, Math.ceil(total / limit) - 1);
  const page = Math.floor(offset / limit);
  return h('div', { class: 'pager', testid: 'pager' },
    h('button', { class: 'btn btn-small', disabled: page === 0, testid: 'pager-prev', onclick: () => go(Math.max(0, offset - limit)) }, '‹ Prev'),
    h('span', { class: 'muted small' }, total === 0 ? 'none' : `${offset + 1}–${Math.min(total, offset + limit)} of ${total}`),
    h('button', { class: 'btn btn-small', disabled: page >= last, testid: 'pager-next', onclick: () => go(offset + limit) }, 'Next ›'));
}
