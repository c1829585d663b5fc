// The workflows in examples/, made runnable by `n8n execute` against the fake server: our
// node type and credential put in, and a trigger the CLI cannot fire (a webhook) replaced by
// a Manual Trigger and the payload it would have received. The example files stay as users import them.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { outputOf } from './workflows.mjs';
import { pointWorkflowAt } from './n8n-package.mjs';
import { ROOT } from './n8n-runtime.mjs';

const SAMPLE_WEBHOOK_PAYLOAD = { body: { phone: '+1 (213) 213-2130', first_name: 'Maria', last_name: 'Doe' } };

const EXPECTATIONS = {
	'crm-webhook-to-upsert.json': (run, fake) => {
		const out = outputOf(run, 'Upsert WhatsApp Contact');
		if (out.length !== 1 || out[0].error) return { out };
		if (fake.contact('12132132130')?.name !== 'Maria Doe') return { contacts: [...fake.contacts.values()] };
		return undefined;
	},
	'spreadsheet-bulk-upsert.json': (run, fake) => {
		const synced = outputOf(run, 'Synced');
		const toFix = outputOf(run, 'Rows To Fix');
		if (synced.length !== 4 || toFix.length !== 1) return { synced: synced.length, toFix };
		if (fake.contact('4915176543210')?.name !== 'Lena') return { contacts: [...fake.contacts.values()] };
		return undefined;
	},
	'upsert-then-verify.json': (run, fake) => {
		const out = outputOf(run, 'Read Contact Back');
		if (out.length !== 1 || out[0].json.found !== true || out[0].json.name !== 'Maria Doe') return { out };
		const paths = fake.requests.map((request) => request.path.split('/').pop());
		if (paths.join(',') !== 'upsert,upsert,get') return { paths };
		return undefined;
	},
	'crm-contact-welcome-message.json': (run, fake) => {
		const sent = outputOf(run, 'Welcome Sent or Pending');
		if (sent.length !== 1 || sent[0].json.status !== 'sent' || !sent[0].json.message_id) return { sent, notDelivered: outputOf(run, 'Not Delivered') };
		const welcome = fake.messagesTo('12132132130@c.us');
		if (fake.contact('12132132130')?.name !== 'Maria Doe' || welcome.length !== 1 || welcome[0].body.text !== 'Hi Maria, welcome! Save this number to reach us on WhatsApp.') return { welcome, contacts: [...fake.contacts.values()] };
		return undefined;
	},
};

function runnable(example, nodeType, credential, id) {
	const workflow = pointWorkflowAt(example, nodeType, credential);
	workflow.id = id;
	workflow.active = false;
	const webhook = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.webhook');
	if (webhook) {
		Object.assign(webhook, {
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			parameters: { jsCode: `return [{ json: ${JSON.stringify(SAMPLE_WEBHOOK_PAYLOAD)} }];` },
		});
		delete webhook.webhookId;
		workflow.nodes.push({ id: 'e2e-manual-trigger', name: 'E2E Manual Trigger', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [-220, 0], parameters: {} });
		workflow.connections['E2E Manual Trigger'] = { main: [[{ node: webhook.name, type: 'main', index: 0 }]] };
	}
	return workflow;
}

export function exampleWorkflowsForTest(nodeType, credential) {
	return Object.entries(EXPECTATIONS).map(([file, check], index) => ({
		file,
		check,
		workflow: runnable(JSON.parse(readFileSync(path.join(ROOT, 'examples', file), 'utf8')), nodeType, credential, `hsExample${index + 1}`),
	}));
}
