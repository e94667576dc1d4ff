// Shared by the UI's modules: JSON calls to the testbed's API (same origin; the token, when one
// is required, travels in the HttpOnly cookie) and showing an API error next to a form.

/** calls the API; throws an Error carrying status, field and the JSON body on 4xx/5xx */
export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const type = res.headers.get('content-type') || '';
  const data = res.status === 204 ? null : type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const error = new Error((data && data.message) || `${res.status} ${res.statusText}`);
    error.status = res.status;
    error.field = data && data.field;
    error.body = data;
    throw error;
  }
  return data;
}

export function showError(element, error) {
  if (!element) return;
  element.hidden = false;
  element.textContent = error.field ? `${error.field}: ${error.message}` : error.message;
}

export function hideError(element) {
  if (element) element.hidden = true;
}
