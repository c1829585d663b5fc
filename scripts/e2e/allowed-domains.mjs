// A credential's Allowed HTTP Request Domains (a setting n8n adds to every credential with an
// `authenticate`; RoutingNode hands a declarative node's request the allowed list, and n8n's HTTP
// helper refuses other hosts), in real n8n: restricted to other domains than its Base URL, the
// credential is refused before anything is sent, an upsert and a send alike (the send does not
// say it may have been sent); restricted to a list that holds the Base URL's host, it works.
import { credentialJson } from '../lib/n8n-runtime.mjs';
import { chainWorkflow, codeNode, manualTrigger, workflowNode } from '../lib/workflows.mjs';

const errorMessageOf = (item) => item.error?.message ?? item.json?.error ?? '';

// The node's behaviour, the same code however the package was loaded (scripts/e2e.mjs).
export const installWays = ['community package'];

export async function run(t) {
	const { label, fake, nodeType } = t;
	const restricted = (id, allowedDomains) => {
		const credential = credentialJson({ ...t.credential.data, id, name: `Hypersender (fake server, allowed: ${allowedDomains})` });
		credential.data = { ...credential.data, allowedHttpRequestDomains: 'domains', allowedDomains };
		return credential;
	};
	const elsewhere = restricted('hypersenderElsewhere', 'app.hypersender.com');
	const here = restricted('hypersenderHere', `example.com, ${new URL(fake.url).hostname}`);
	await t.importCredentials(elsewhere, here);

	const row = { phone: '+1 213 213 2130', first: 'Maria', text: 'Hello' };
	const upsert = (credential) =>
		workflowNode('Hypersender', nodeType, credential, { resource: 'contact', operation: 'upsert', chatId: '={{ $json.phone }}', firstName: '={{ $json.first }}', options: {} }, { onError: 'continueRegularOutput' });
	const sendText = (credential) =>
		workflowNode('Hypersender', nodeType, credential, { resource: 'message', operation: 'sendText', chatId: '={{ $json.phone }}', text: '={{ $json.text }}', options: { maxRetries: 5 } }, { onError: 'continueRegularOutput' });
	await t.importWorkflow(
		chainWorkflow('hsE2eDomainsUpsertElsewhere', 'E2E allowed domains: upsert, other domains', [manualTrigger(), codeNode('Rows', [row]), upsert(elsewhere)]),
		chainWorkflow('hsE2eDomainsSendElsewhere', 'E2E allowed domains: send, other domains', [manualTrigger(), codeNode('Rows', [row]), sendText(elsewhere)]),
		chainWorkflow('hsE2eDomainsUpsertHere', 'E2E allowed domains: upsert, the Base URL allowed', [manualTrigger(), codeNode('Rows', [row]), upsert(here)]),
	);

	const refusedUpsert = t.outputOf(await t.execute('hsE2eDomainsUpsertElsewhere'), 'Hypersender');
	t.check(
		refusedUpsert.length === 1 && /^Domain not allowed: the 'Hypersender API' credential may be used only with "app\.hypersender\.com"/.test(errorMessageOf(refusedUpsert[0])) && fake.requests.length === 0,
		`${label}: a credential restricted to other domains than its Base URL is refused before anything is sent, saying so`,
		{ refusedUpsert, requests: fake.requests.length },
	);

	const refusedSend = t.outputOf(await t.execute('hsE2eDomainsSendElsewhere'), 'Hypersender');
	t.check(
		refusedSend.length === 1 && /^Domain not allowed: /.test(errorMessageOf(refusedSend[0])) && !/may have been sent/.test(JSON.stringify(refusedSend[0])) && fake.requests.length === 0,
		`${label}: a send with that credential is refused too, not tried again, and does not say it may have been sent`,
		{ refusedSend, requests: fake.requests.length },
	);

	const allowed = t.outputOf(await t.execute('hsE2eDomainsUpsertHere'), 'Hypersender');
	t.check(
		allowed.length === 1 && allowed[0].json.success === true && fake.contact('12132132130')?.name === 'Maria',
		`${label}: a credential whose allowed domains hold its Base URL's host works`,
		allowed,
	);
}
