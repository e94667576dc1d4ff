// Compose page: magic recipients, the attachment as base64, and the submission through the
// API's /send (a real SMTP submission); then the message's journey opens.
import { api, hideError, showError } from './common.js';

const form = document.getElementById('compose');
const errorBox = document.getElementById('compose-error');

const list = (value) => value.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);

function readFile(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

document.getElementById('magic-add').addEventListener('click', () => {
  const address = document.getElementById('magic-address').value;
  const tag = document.getElementById('magic-tag').value;
  const at = address.lastIndexOf('@');
  const magic = `${address.slice(0, at)}${tag}${address.slice(at)}`;
  const to = document.getElementById('compose-to');
  to.value = [...list(to.value), magic].join(', ');
});

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  hideError(errorBox);
  const send = document.getElementById('compose-send');
  const label = send.textContent;
  send.disabled = true;
  send.textContent = send.dataset.sending;
  try {
    const body = {
      from: form.elements.from.value,
      to: list(form.elements.to.value),
      subject: form.elements.subject.value,
      text: form.elements.text.value,
      receipt: form.elements.receipt.value,
    };
    const cc = list(form.elements.cc.value);
    if (cc.length) body.cc = cc;
    const file = form.elements.attachment.files[0];
    if (file) body.attachments = [{ filename: file.name, contentType: file.type || 'application/octet-stream', content: await readFile(file) }];
    const sent = await api('POST', '/api/v1/send', body);
    location.assign(`/ui/flows/${encodeURIComponent(sent.identificativo || sent.messageId)}`);
  } catch (error) {
    showError(errorBox, error);
    const field = error.field && form.elements[error.field.replace(/\[.*$/, '')];
    if (field && field.focus) field.focus();
  } finally {
    send.disabled = false;
    send.textContent = label;
  }
});
