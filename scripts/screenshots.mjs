#!/usr/bin/env node
// `npm run screenshots`: refreshes docs/screenshots/ from a real n8n editor with this package,
// using Debian's Chromium (apt-get install chromium) driven by playwright-core. Needs no
// Hypersender account: the credential points at the fake server.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { buildAndPack, importIntoN8n, NODE_TYPE, unpackAsCustomExtension } from './lib/n8n-package.mjs';
import { credentialJson, freePort, n8nEnv, PACKAGE_NAME, provisionN8n, ROOT, startN8n } from './lib/n8n-runtime.mjs';
import { activateOrThrow, setUpOwner } from './lib/n8n-rest.mjs';
import { executionIn, linksSentTo, sendAndWaitWorkflow } from './lib/send-and-wait.mjs';
import { triggerWorkflow } from './lib/hypersender-trigger.mjs';
import { chainWorkflow, upsertNode, webhookNode, workflowNode } from './lib/workflows.mjs';
import { stopProcess } from './lib/processes.mjs';

const require = createRequire(import.meta.url);
const { FakeHypersender } = require('../test/fake-hypersender/server.js');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = path.join(ROOT, 'docs/screenshots');
const OWNER = { email: 'docs@example.com', firstName: 'Docs', lastName: 'Writer', password: 'Docs-password-123' };

const bins = provisionN8n();
const work = mkdtempSync(path.join(tmpdir(), 'hypersender-shots-'));
const extension = unpackAsCustomExtension(buildAndPack(work), path.join(work, 'extension'));
// Free ports: other engineers' n8n runs (e2e, dev, queue) may hold any fixed one.
const env = n8nEnv(path.join(work, 'user'), { extensions: extension, port: await freePort(), brokerPort: await freePort() });
// The trigger panel then shows the public URL a reader's n8n would (README's example host), not this run's port.
env.WEBHOOK_URL = 'https://n8n.example.com/';

const fake = await new FakeHypersender({ logRequests: false }).start();
const apiCredential = credentialJson({ name: 'Hypersender account', apiToken: fake.token, instanceId: fake.instanceId, baseUrl: fake.url, rateLimitPlan: 'business' });
// With a Webhook Authorization, as the trigger's setup asks; the shown credential dialog gains that field's value only.
const credential = { ...apiCredential, data: { ...apiCredential.data, webhookSecret: 'docs-webhook-secret-0123456789' } };
const workflow = chainWorkflow('hypersenderScreenshots', 'CRM contact to WhatsApp', [
	webhookNode('CRM Webhook', 'crm-contact', 'a'),
	upsertNode(NODE_TYPE.customExtension, credential, {
		chatId: '={{ $json.body.phone }}',
		firstName: '={{ $json.body.first_name }}',
		lastName: '={{ $json.body.last_name }}',
		options: { defaultCountryCode: '49', syncAttempts: 2 },
	}),
]);
const sendTextWorkflow = chainWorkflow('hypersenderShotsSendText', 'Order confirmation on WhatsApp', [
	webhookNode('Order Webhook', 'order-paid', 'b'),
	workflowNode('Hypersender', NODE_TYPE.customExtension, credential, {
		resource: 'message',
		operation: 'sendText',
		chatId: '={{ $json.body.phone }}',
		text: '=Hi {{ $json.body.first_name }}, thanks for your order *#{{ $json.body.order_id }}*. We will let you know when it ships.',
		options: { defaultCountryCode: 'DE', linkPreview: false },
	}),
]);
const shownTrigger = triggerWorkflow({
	id: 'hypersenderShotsTrigger',
	name: 'Incoming WhatsApp messages',
	webhookId: 'c3a1f0de-5b7e-4c2a-9a51-2f4b8e6d7a10',
	nodeType: NODE_TYPE.customExtension,
	credential,
	parameters: { events: ['message.any', 'message.reaction'], options: {} },
});
const askWorkflow = sendAndWaitWorkflow({
	id: 'hypersenderShotsSendWait',
	name: 'Refund approval on WhatsApp',
	path: 'refund-approval',
	webhookId: 'd',
	nodeType: NODE_TYPE.customExtension,
	credential,
	parameters: { responseType: 'approval', approvalOptions: { values: { approvalType: 'double' } } },
});
await importIntoN8n(bins, env, work, { credentials: [credential], workflows: [workflow, sendTextWorkflow, shownTrigger, askWorkflow] });

const n8n = await startN8n(bins, env);
const browser = await chromium.launch({
	executablePath: CHROMIUM,
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
	const owner = await setUpOwner(n8n, OWNER);
	const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
	await page.goto(`${n8n.url}/signin`);
	await page.getByLabel(/email/i).first().fill(OWNER.email);
	await page.getByLabel(/password/i).first().fill(OWNER.password);
	await page.getByRole('button', { name: /sign in/i }).click();
	await page.waitForURL((url) => !url.pathname.includes('signin'), { timeout: 30_000 });

	mkdirSync(OUT, { recursive: true });
	await page.goto(`${n8n.url}/workflow/${workflow.id}`);
	await page.getByText('Hypersender', { exact: true }).first().waitFor({ timeout: 30_000 });
	await page.waitForTimeout(1500);
	await page.screenshot({ path: path.join(OUT, 'workflow-canvas.png') });
	await openNodePanel(page, 'Hypersender', 'Chat ID or Phone');
	await page.screenshot({ path: path.join(OUT, 'upsert-parameters.png') });
	await page.keyboard.press('Escape');

	await page.goto(`${n8n.url}/workflow/${sendTextWorkflow.id}`);
	await openNodePanel(page, 'Hypersender', 'Human-Like Sending');
	await page.screenshot({ path: path.join(OUT, 'send-text.png') });
	await page.keyboard.press('Escape');

	await page.goto(`${n8n.url}/workflow/${shownTrigger.id}`);
	await openNodePanel(page, 'Hypersender Trigger', 'Webhook URLs');
	// The URLs are folded away until their heading is clicked.
	await page.getByText('Webhook URLs').first().click();
	await page.getByText('Production URL').first().click();
	await page.waitForTimeout(1000);
	await page.screenshot({ path: path.join(OUT, 'trigger-panel.png') });
	await page.keyboard.press('Escape');

	// The page a person sees on a phone after tapping the Approve link of a question.
	const client = { url: n8n.url, ...owner };
	await activateOrThrow(client, askWorkflow.id);
	await fetch(`${n8n.url}/webhook/refund-approval`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ phone: '+1 213 373 9301' }) });
	const { links } = await linksSentTo(fake, '12133739301@c.us');
	// The question goes out a moment before the execution is put to wait; until then n8n answers 409.
	await executionIn(client, askWorkflow.id, 'waiting');
	const phone = await browser.newPage({ viewport: { width: 390, height: 520 }, deviceScaleFactor: 2, isMobile: true });
	// The links name the public host the README shows (WEBHOOK_URL); the page itself is this n8n's.
	const approve = new URL(links['✓ Approve']);
	await phone.goto(`${n8n.url}${approve.pathname}${approve.search}`);
	await phone.getByText('Confirm your answer').first().waitFor({ timeout: 30_000 });
	await phone.screenshot({ path: path.join(OUT, 'send-and-wait-page.png') });
	await phone.close();

	await page.goto(`${n8n.url}/home/credentials/${credential.id}`);
	await page.getByText('API Token').first().waitFor({ timeout: 30_000 });
	await page.waitForTimeout(1500);
	await page.screenshot({ path: path.join(OUT, 'credential-dialog.png') });
	console.log(`screenshots written to ${path.relative(ROOT, OUT)}/ (package ${PACKAGE_NAME})`);
} finally {
	await browser.close();
	await stopProcess(n8n.child);
	await fake.stop();
	rmSync(work, { recursive: true, force: true });
}

/** On the open workflow, opens the node named `nodeName` and waits for `shownText` in its panel. */
async function openNodePanel(page, nodeName, shownText) {
	const label = page.getByText(nodeName, { exact: true }).first();
	await label.waitFor({ timeout: 30_000 });
	await page.waitForTimeout(1500);
	// The label under a node does not take clicks; the node's box above it does.
	const box = await label.boundingBox();
	await page.mouse.dblclick(box.x + box.width / 2, box.y - 50);
	await page.getByText(shownText).first().waitFor({ timeout: 30_000 });
	await page.waitForTimeout(1500);
}
