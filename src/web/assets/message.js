// Message view: mark the message read or unread (the \Seen flag IMAP and POP3 clients see).
import { api } from './common.js';

const button = document.getElementById('toggle-seen');
if (button) {
  button.addEventListener('click', async () => {
    const seen = button.dataset.seen !== 'true';
    const summary = await api('PATCH', `/api/v1/messages/${button.dataset.id}`, { seen });
    button.dataset.seen = String(summary.seen);
    button.textContent = summary.seen ? button.dataset.labelUnread : button.dataset.labelRead;
  });
}
