// Controls page: clock, fault rules and reset through the JSON API; the page reloads to show the
// new state (it is rendered by the server).
import { api, showError } from './common.js';

const errorBox = document.getElementById('controls-error');
const act = (fn) => async (event) => {
  if (event) event.preventDefault();
  try {
    await fn(event);
    location.reload();
  } catch (error) {
    showError(errorBox, error);
  }
};

const on = (id, type, handler) => {
  const element = document.getElementById(id);
  if (element) element.addEventListener(type, handler);
};

on('advance-form', 'submit', act((e) => api('POST', '/api/v1/clock/advance', { by: e.target.elements.by.value.trim() })));
on('speed-form', 'submit', act((e) => api('POST', '/api/v1/clock/speed', { speed: Number(e.target.elements.speed.value) })));
on('fault-form', 'submit', act((e) => {
  let rule;
  try {
    rule = JSON.parse(e.target.elements.rule.value);
  } catch (error) {
    throw Object.assign(new Error(`JSON: ${error.message}`), { field: 'rule' });
  }
  return api('POST', '/api/v1/faults', rule);
}));
on('next-form', 'submit', act((e) => api('POST', '/api/v1/faults/next', { to: e.target.elements.to.value.trim(), do: JSON.parse(e.target.elements.do.value) })));
on('fault-clear', 'click', act(() => api('DELETE', '/api/v1/faults')));
for (const button of document.querySelectorAll('.fault-remove')) {
  button.addEventListener('click', act(() => api('DELETE', `/api/v1/faults/${encodeURIComponent(button.dataset.id)}`)));
}
for (const button of document.querySelectorAll('button.reset')) {
  button.addEventListener('click', act(() => api('POST', '/api/v1/reset', { reseed: button.dataset.reseed === 'true' })));
}
