/** The local mailbox as a page: what was sent, newest first, with the body rendered. */
import type { SentMail } from './state';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function mailPage(mail: SentMail[]): string {
  const items = [...mail]
    .reverse()
    .map((m) => {
      const body =
        m.body.contentType === 'html'
          ? // Rendered in a sandboxed frame: no scripts, no access to this page.
            `<iframe sandbox="" srcdoc="${esc(m.body.content)}" title="Meddelande"></iframe>`
          : `<pre>${esc(m.body.content)}</pre>`;
      const headers = m.internetMessageHeaders.length
        ? `<details><summary>Rubrikfält (${m.internetMessageHeaders.length})</summary><ul>${m.internetMessageHeaders
            .map((h) => `<li><code>${esc(h.name)}: ${esc(h.value)}</code></li>`)
            .join('')}</ul></details>`
        : '';
      return `<article>
  <h2>${esc(m.subject || '(utan ämne)')}</h2>
  <dl>
    <dt>Från</dt><dd>${esc(m.from)}</dd>
    <dt>Till</dt><dd>${esc(m.to.join(', '))}</dd>
    ${m.cc.length ? `<dt>Kopia</dt><dd>${esc(m.cc.join(', '))}</dd>` : ''}
    <dt>Tid</dt><dd><time datetime="${esc(m.receivedAt)}">${esc(new Date(m.receivedAt).toLocaleString('sv-SE', { timeZone: 'Europe/Stockholm' }))}</time></dd>
    ${m.clientRequestId ? `<dt>client-request-id</dt><dd><code>${esc(m.clientRequestId)}</code></dd>` : ''}
  </dl>
  ${headers}
  ${body}
</article>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="10">
<title>Brevlåda – lokal Microsoft 365 (${mail.length})</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; background: #f5f5f7; color: #222; }
  h1 { font-size: 1.4rem; }
  article { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 1rem; margin: 1rem 0; }
  article h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0 0 .5rem; font-size: .9rem; }
  dt { color: #666; }
  dd { margin: 0; }
  iframe { width: 100%; min-height: 18rem; border: 1px solid #eee; }
  pre { white-space: pre-wrap; background: #fafafa; padding: .5rem; border: 1px solid #eee; }
  .empty { color: #666; }
</style>
</head>
<body>
<h1>Skickad e-post (${mail.length})</h1>
<p class="empty">Det som boten skickat via <code>sendMail</code> i lokalt läge. Sidan uppdateras var tionde sekund. JSON: <code>GET /_dev/mail</code> med <code>Accept: application/json</code>; töm med <code>DELETE /_dev/mail</code>.</p>
${items || '<p class="empty">Inga meddelanden ännu.</p>'}
</body>
</html>`;
}
