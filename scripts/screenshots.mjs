#!/usr/bin/env node
// `npm run screenshots`: refreshes docs/screenshots/ from a real n8n editor with this package,
// using Debian's Chromium (apt-get install chromium) driven by playwright-core. Needs no
// Hypersender account: the credential points at the fake server.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { buildAndPack, importIntoN8n, NODE_TYPE, unpackAsCustomExtension } from './n8n-package.mjs';
import { credentialJson, n8nEnv, PACKAGE_NAME, provisionN8n, ROOT, setUpOwner, startN8n, stopProcess } from './n8n-runtime.mjs';

const require = createRequire(import.meta.url);
const { FakeHypersender } = require('../test/fake-hypersender/server.js');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = path.join(ROOT, 'docs/screenshots');
const OWNER = { email: 'docs@example.com', firstName: 'Docs', lastName: 'Writer', password: 'Docs-password-123' };

const bins = provisionN8n();
const work = mkdtempSync(path.join(tmpdir(), 'hypersender-shots-'));
const extension = unpackAsCustomExtension(buildAndPack(work), path.join(work, 'extension'));
const env = n8nEnv(path.join(work, 'user'), { extensions: extension, port: 5695 });

const fake = await new FakeHypersender({ logRequests: false }).start();
const credential = credentialJson({ name: 'Hypersender account', apiToken: fake.token, instanceId: fake.instanceId, baseUrl: fake.url, rateLimitPlan: 'business' });
const workflow = {
	id: 'hypersenderScreenshots',
	name: 'CRM contact to WhatsApp',
	nodes: [
		{ id: 'a', name: 'CRM Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], parameters: { httpMethod: 'POST', path: 'crm-contact', options: {} }, webhookId: 'a' },
		{
			id: 'b',
			name: 'Hypersender',
			type: NODE_TYPE.customExtension,
			typeVersion: 1,
			position: [260, 0],
			parameters: { resource: 'contact', operation: 'upsert', chatId: '={{ $json.body.phone }}', firstName: '={{ $json.body.first_name }}', lastName: '={{ $json.body.last_name }}', options: { defaultCountryCode: '49', syncAttempts: 2 } },
			credentials: { hypersenderApi: { id: credential.id, name: credential.name } },
		},
	],
	connections: { 'CRM Webhook': { main: [[{ node: 'Hypersender', type: 'main', index: 0 }]] } },
	settings: {},
	active: false,
};
await importIntoN8n(bins, env, work, { credentials: [credential], workflows: [workflow] });

const n8n = await startN8n(bins, env);
const browser = await chromium.launch({
	executablePath: CHROMIUM,
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
	await setUpOwner(n8n, OWNER);
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
	// The label under a node does not take clicks; the node's box above it does.
	const label = await page.getByText('Hypersender', { exact: true }).first().boundingBox();
	await page.mouse.dblclick(label.x + label.width / 2, label.y - 50);
	await page.getByText('Chat ID or Phone').first().waitFor({ timeout: 30_000 });
	await page.waitForTimeout(1500);
	await page.screenshot({ path: path.join(OUT, 'upsert-parameters.png') });
	await page.keyboard.press('Escape');

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
