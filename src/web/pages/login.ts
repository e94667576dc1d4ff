// The token prompt of a testbed bound beyond loopback: the token goes into an HttpOnly,
// SameSite=Strict cookie so that pages, fetches and the event stream carry it.
import { html, type Html } from '../html.js';
import { texts, type Lang } from '../i18n.js';

export function loginPage(lang: Lang, next: string, wrong: boolean): Html {
  const t = texts(lang);
  return html`<h1>${t.login}</h1>
<p>${t.loginHelp}</p>
<form method="post" action="/ui/login" class="login">
<input type="hidden" name="next" value="${next}">
<label>${t.token} <input type="password" name="token" autocomplete="current-password" required></label>
<button type="submit">${t.enter}</button>
</form>
${wrong ? html`<p class="err" role="alert">${t.wrongToken}</p>` : ''}`;
}
