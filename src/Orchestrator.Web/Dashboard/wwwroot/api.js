// The only way pages talk to the server: the REST API in docs/rest-api.md. Errors come back as ApiError carrying
// the problem details (title, detail, field) so pages can show them where they belong.
const BASE = '/api/v1';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.title = problem.title || `HTTP ${status}`;
    this.detail = problem.detail || '';
    this.field = problem.field || null;
  }
}

let csrf = null; // fetched once per page load; refetched once when the server rejects it

async function csrfHeader(refresh) {
  if (!csrf || refresh) {
    csrf = fetch(BASE + '/csrf', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error('Could not get the CSRF token'))));
  }
  try {
    const t = await csrf;
    return { [t.headerName || 'X-CSRF-TOKEN']: t.token };
  } catch (e) {
    csrf = null;
    throw e;
  }
}

async function problemOf(response) {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return { title: response.statusText, detail: text.slice(0, 500) };
  }
}

function looksLikeCsrf(problem) {
  return !problem.field && /antiforgery|csrf|xsrf/i.test(`${problem.title ?? ''} ${problem.detail ?? ''}`);
}

async function send(method, path, body, retried = false) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') Object.assign(headers, await csrfHeader(retried));
  const response = await fetch(BASE + path, {
    method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    location.assign('/login?ReturnUrl=' + encodeURIComponent(location.pathname + location.search));
    throw new ApiError(401, { title: 'Not signed in' });
  }
  if (!response.ok) {
    const problem = await problemOf(response);
    if (response.status === 400 && method !== 'GET' && !retried && (looksLikeCsrf(problem) || !problem.title)) {
      return send(method, path, body, true);
    }
    throw new ApiError(response.status, problem);
  }
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

export const api = {
  get: (path) => send('GET', path),
  post: (path, body = {}) => send('POST', path, body),
  put: (path, body = {}) => send('PUT', path, body),
  patch: (path, body = {}) => send('PATCH', path, body),
  del: (path) => send('DELETE', path),
};

/** True when the server has no such API route at all (a 404 with no detail): a feature this server does not offer
 * yet, as opposed to a 404 for a missing model or run, which always names what was not found. */
export function isMissingRoute(error) {
  return error instanceof ApiError && error.status === 404 && !error.detail;
}

/** Builds a query string, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, v);
  const text = q.toString();
  return text ? '?' + text : '';
}

let mePromise = null;

/** The signed-in user: {name, role, autoSignedIn}. */
export function me() {
  mePromise ??= api.get('/me');
  return mePromise;
}

const RANK = { viewer: 1, operator: 2, admin: 3 };

/** Whether the signed-in user's role reaches `role` (viewer < operator < admin). */
export async function can(role) {
  const user = await me().catch(() => null);
  return Boolean(user) && (RANK[user.role] ?? 0) >= RANK[role];
}

/** POST /logout with the antiforgery header, then to the sign-in form. */
export async function logout() {
  const headers = await csrfHeader(false).catch(() => ({}));
  await fetch('/logout', { method: 'POST', headers, credentials: 'same-origin' }).catch(() => {});
  location.assign('/login');
}
