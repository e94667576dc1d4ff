// Flow view: draws the journey of one message as a sequence diagram (SVG) between sender, punto
// di accesso, punto di ricezione, punto di consegna and recipient, one arrow per event with its
// virtual time, and redraws whenever the provider log streams a new event (Server-Sent Events).
import { api, hideError, showError } from './common.js';
import { LANES, STATE_TEXT, UI_TEXT, describe } from './steps.js';

const SVG = 'http://www.w3.org/2000/svg';
const root = document.getElementById('flow');
const key = root.dataset.key;
const lang = document.documentElement.lang === 'en' ? 'en' : 'it';
const ui = UI_TEXT[lang];
const errorBox = document.getElementById('flow-error');

const LANE_W = 170;
const LEFT = 20;
const HEAD_H = 58;
const ROW_H = 56;
const laneX = (id) => LEFT + LANES.findIndex((l) => l.id === id) * LANE_W + LANE_W / 2;

let report = null;
let source = null;
let sourceFor = null;

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const child of children) node.append(child);
  return node;
}

const clockTime = (iso) => new Date(iso).toLocaleTimeString(lang === 'it' ? 'it-IT' : 'en-GB', { timeZone: 'Europe/Rome' });

function delta(ms) {
  if (ms < 1000) return `+${ms} ms`;
  if (ms < 60_000) return `+${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `+${Math.round(ms / 60_000)} min`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.round((ms % 3_600_000) / 60_000);
  return `+${hours} h${minutes ? ` ${minutes} min` : ''}`;
}

function drawnEvents() {
  return report.events.map((event) => ({ event, step: describe(event, lang) })).filter((x) => x.step);
}

function laneGestori() {
  const names = { mittente: '', accesso: report.gestore ?? '', ricezione: new Set(), consegna: new Set(), destinatario: '' };
  for (const e of report.events) {
    if (e.actor === 'ricezione' && !e.event.startsWith('ricevuta-')) names.ricezione.add(e.gestore);
    if (e.actor === 'consegna') names.consegna.add(e.gestore);
  }
  const recipients = report.recipients.map((r) => r.address);
  return {
    mittente: report.sender ?? '',
    accesso: names.accesso,
    ricezione: [...names.ricezione].join(', '),
    consegna: [...names.consegna].join(', '),
    destinatario: recipients.length > 1 ? `${recipients[0]} +${recipients.length - 1}` : recipients[0] ?? '',
  };
}

function drawSequence() {
  const drawn = drawnEvents();
  const width = LEFT * 2 + LANES.length * LANE_W;
  const height = HEAD_H + 30 + Math.max(drawn.length, 1) * ROW_H;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'sequence-svg' });
  const defs = el('defs');
  for (const tone of ['ok', 'info', 'warn', 'err']) {
    const marker = el('marker', { id: `head-${tone}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' });
    marker.append(el('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: `head ${tone}` }));
    defs.append(marker);
  }
  svg.append(defs);
  const who = laneGestori();
  for (const lane of LANES) {
    const x = laneX(lane.id);
    svg.append(el('line', { x1: x, y1: HEAD_H, x2: x, y2: height - 8, class: 'lifeline' }));
    svg.append(el('rect', { x: x - LANE_W / 2 + 8, y: 4, width: LANE_W - 16, height: HEAD_H - 10, rx: 6, class: `lane lane-${lane.id}` }));
    svg.append(el('text', { x, y: 26, class: 'lane-name', 'text-anchor': 'middle' }, lane[lang]));
    const sub = who[lane.id];
    svg.append(el('text', { x, y: 44, class: 'lane-sub', 'text-anchor': 'middle' }, sub.length > 26 ? `${sub.slice(0, 25)}…` : sub));
  }
  const start = report.events.length ? Date.parse(report.events[0].at) : 0;
  drawn.forEach(({ event, step }, i) => {
    const y = HEAD_H + 34 + i * ROW_H;
    const x1 = laneX(step.from);
    const x2 = laneX(step.to);
    const group = el('g', { class: `step ${step.tone}`, 'data-step': step.key, 'data-event': `${event.actor}:${event.event}`, 'data-gestore': event.gestore });
    if (x1 === x2) {
      group.append(el('path', { d: `M ${x1} ${y - 8} h 46 v 20 h -42`, class: `arrow ${step.tone}`, 'marker-end': `url(#head-${step.tone})`, fill: 'none' }));
      group.append(el('text', { x: x1 + 54, y: y + 2, class: 'step-label' }, step.label));
      group.append(el('text', { x: x1 + 54, y: y + 18, class: 'step-time' }, `${clockTime(event.at)}  ${delta(Date.parse(event.at) - start)}`));
    } else {
      group.append(el('line', { x1, y1: y, x2: x2 + (x2 > x1 ? -3 : 3), y2: y, class: `arrow ${step.tone}`, 'marker-end': `url(#head-${step.tone})` }));
      const mid = (x1 + x2) / 2;
      group.append(el('text', { x: mid, y: y - 8, class: 'step-label', 'text-anchor': 'middle' }, step.label));
      group.append(el('text', { x: mid, y: y + 17, class: 'step-time', 'text-anchor': 'middle' }, `${clockTime(event.at)}  ${delta(Date.parse(event.at) - start)}`));
    }
    group.append(el('title', {}, `${event.gestore} · ${event.actor} · ${event.event}`));
    if (event.message) {
      const link = el('a', { href: `/ui/messages/${event.message.id}`, class: 'step-link', 'data-message': event.message.id });
      link.append(group);
      svg.append(link);
    } else svg.append(group);
  });
  if (drawn.length === 0) svg.append(el('text', { x: width / 2, y: HEAD_H + 40, 'text-anchor': 'middle', class: 'muted-svg' }, ui.waiting));
  document.getElementById('sequence').replaceChildren(svg);
}

function drawSteps() {
  const start = report.events.length ? Date.parse(report.events[0].at) : 0;
  const items = drawnEvents().map(({ event, step }) => h('li', { class: `tone-${step.tone}`, 'data-step': step.key, 'data-event': `${event.actor}:${event.event}` },
    h('time', { datetime: event.at }, `${clockTime(event.at)} (${delta(Date.parse(event.at) - start)})`), ' ',
    h('strong', {}, step.label), ' ',
    h('span', { class: 'muted' }, `${event.gestore} · ${event.actor}`),
    h('p', { class: 'explain' }, step.text),
    ...(event.message ? [h('a', { href: `/ui/messages/${event.message.id}` }, `${ui.open} →`)] : [])));
  document.getElementById('steps').replaceChildren(...items);
}

function drawSummary() {
  const dl = h('dl', { class: 'kv-inline' });
  const add = (term, ...value) => dl.append(h('dt', {}, term), h('dd', {}, ...value));
  add(ui.identificativo, h('code', {}, report.identificativo));
  if (report.subject !== null) add(ui.subject, report.subject);
  if (report.sender) add(ui.sender, report.sender);
  if (report.clientMessageId) add(ui.msgid, h('code', {}, report.clientMessageId));
  add(ui.recipients, ...(report.accepted
    ? report.recipients.map((r) => h('span', { class: `state ${r.state}`, 'data-address': r.address, 'data-state': r.state }, `${r.address}: ${STATE_TEXT[lang][r.state] ?? r.state}`))
    : [h('span', { class: 'state failed' }, ui.notAccepted)]));
  document.getElementById('flow-summary').replaceChildren(dl);
}

function listen(identificativo) {
  if (source && sourceFor === identificativo) return;
  if (source) source.close();
  sourceFor = identificativo;
  source = new EventSource(identificativo ? `/api/v1/events?identificativo=${encodeURIComponent(identificativo)}` : '/api/v1/events');
  const live = document.getElementById('live');
  source.onopen = () => {
    live.hidden = false;
    // what happened between the page's first fetch and this subscription sends no event: look again
    schedule();
  };
  source.onerror = () => { live.hidden = true; };
  source.addEventListener('log', () => schedule());
}

async function showClock() {
  try {
    const clock = await api('GET', '/api/v1/clock');
    document.getElementById('clock-now').textContent = new Date(clock.now).toLocaleString(lang === 'it' ? 'it-IT' : 'en-GB', { timeZone: 'Europe/Rome' });
  } catch {
    // the clock is a convenience here; the journey matters
  }
}

let timer = null;
function schedule() {
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    refresh();
  }, 40);
}

async function refresh() {
  try {
    report = await api('GET', `/api/v1/flows/${encodeURIComponent(key)}`);
    hideError(errorBox);
    drawSummary();
    drawSequence();
    drawSteps();
    root.dataset.events = String(report.events.length);
    listen(report.identificativo);
  } catch (error) {
    if (error.status === 404) {
      // not sent yet (or not yet seen): listen to everything until it appears
      document.getElementById('sequence').textContent = ui.waiting;
      listen(null);
    } else showError(errorBox, error);
  }
  showClock();
}

for (const button of document.querySelectorAll('button.advance')) {
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await api('POST', '/api/v1/clock/advance', { by: button.dataset.by });
      schedule();
    } catch (error) {
      showError(errorBox, error);
    } finally {
      button.disabled = false;
    }
  });
}

refresh();
