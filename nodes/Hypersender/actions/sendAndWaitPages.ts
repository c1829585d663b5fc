/**
 * The pages a person sees after tapping a Send and Wait link in WhatsApp (most often inside
 * WhatsApp's own browser on a phone): plain HTML, English, no scripts, no outside resources,
 * readable on a small screen. Every text that comes from the workflow or the person is escaped.
 * Links with a wrong signature and links of an execution that has moved on never reach the node:
 * n8n answers those itself (see README, Send and Wait for Response).
 */

const STYLE =
	'body{margin:0;font:17px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1f2328}' +
	'main{max-width:30rem;margin:0 auto;padding:1.5rem 1rem}' +
	'.card{background:#fff;border:1px solid #d8dce3;border-radius:12px;padding:1.25rem}' +
	'h1{font-size:1.3rem;margin:0 0 .75rem}p{margin:0 0 1rem;white-space:pre-wrap;overflow-wrap:anywhere}' +
	'textarea{box-sizing:border-box;width:100%;min-height:9rem;font:inherit;padding:.6rem;border:1px solid #aab1bd;border-radius:8px}' +
	'button{display:block;width:100%;margin-top:1rem;padding:.85rem;font:inherit;font-weight:600;border:0;border-radius:8px;background:#128c7e;color:#fff}' +
	'.error{color:#b42318;font-weight:600}.muted{color:#5b6472;font-size:.9rem}';

/** Text as HTML text or attribute value: nothing in it can open a tag, an attribute or an entity. */
export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A whole page; `body` is HTML made here from escaped parts. */
function page(title: string, body: string): string {
	return (
		'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
		'<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">' +
		`<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
		`<body><main><div class="card">${body}</div></main></body></html>`
	);
}

/**
 * What a tap on an Approve or Decline link opens: the answer is taken only when the person presses
 * the button (a POST to the same signed address), so a link preview or a scanner that fetches the
 * link answers nothing. The form has no action: it posts to the page's own address, whose signed
 * query (approved=true or false) is the answer.
 */
export function confirmationPage(label: string): string {
	return page(
		'Confirm your answer',
		`<h1>Confirm your answer</h1><p>Press the button to send your answer: <strong>${escapeHtml(label)}</strong>.</p>` +
			`<form method="post"><button type="submit">${escapeHtml(label)}</button></form>`,
	);
}

export interface AnswerForm {
	title: string;
	description: string;
	buttonLabel: string;
	/** Shown above the text box after a post without an answer. */
	error?: string;
}

/** The free-text page: one text box, posted to the same signed address. */
export function answerFormPage({ title, description, buttonLabel, error }: AnswerForm): string {
	return page(
		title || 'Your answer',
		`${title ? `<h1>${escapeHtml(title)}</h1>` : ''}${description ? `<p>${escapeHtml(description)}</p>` : ''}` +
			`${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}` +
			`<form method="post"><textarea name="text" required aria-label="Your answer"></textarea><button type="submit">${escapeHtml(buttonLabel)}</button></form>`,
	);
}

/** After the answer was taken. */
export function answerRecordedPage(answer: string): string {
	return page('Answer recorded', `<h1>Thanks, your answer was recorded</h1><p>${escapeHtml(answer)}</p><p class="muted">You can close this page now.</p>`);
}
