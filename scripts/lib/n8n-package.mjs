// This package as n8n users get it (the packed tarball, installed as a community package or
// unpacked as a custom extension), and importing credentials and workflows into n8n: for the e2e
// run, queue mode, `npm run dev`, `npm run screenshots` and bench/trigger.mjs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { PACKAGE_NAME, ROOT, runN8nCommand, writeJson } from './n8n-runtime.mjs';

/** The node's type name in n8n, per install way. */
export const NODE_TYPE = {
	communityPackage: `${PACKAGE_NAME}.hypersender`,
	customExtension: 'CUSTOM.hypersender',
};

/** `npm run build`, then `npm pack` into `folder`; returns the tarball's path. */
export function buildAndPack(folder, { showBuildOutput = false } = {}) {
	execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', showBuildOutput ? 'inherit' : 'ignore', 'inherit'] });
	mkdirSync(folder, { recursive: true });
	const printed = execFileSync('npm', ['pack', '--pack-destination', folder], { cwd: ROOT, encoding: 'utf8' });
	const tarball = path.join(folder, printed.trim().split('\n').pop());
	// dist/ is shared by everything that builds in this folder: a build started elsewhere while
	// this one packed (its first step empties dist/) leaves a tarball without the node.
	const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).n8n;
	const packed = new Set(execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n'));
	const missing = [...manifest.nodes, ...manifest.credentials].filter((file) => !packed.has(`package/${file}`));
	if (missing.length) throw new Error(`The packed tarball lacks ${missing.join(', ')}: did another build empty dist/ meanwhile? Run again.`);
	return tarball;
}

/**
 * As users install a community package: the tarball into `<user folder>/.n8n/nodes`. Returns
 * the user folder to give n8n as N8N_USER_FOLDER.
 */
export function installAsCommunityPackage(tarball, userFolder) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	writeJson(path.join(nodesDir, 'package.json'), { name: 'installed-nodes', private: true, dependencies: {} });
	// n8n itself provides n8n-workflow; a community package must not bring its own copy.
	execFileSync('npm', ['install', tarball, '--omit=peer', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund'], {
		cwd: nodesDir,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	return userFolder;
}

/**
 * As users load a custom extension: the package's files, without node_modules (n8n loads every
 * *.node.js under that folder), unpacked into `folder`. Returns the folder to give n8n as
 * N8N_CUSTOM_EXTENSIONS.
 */
export function unpackAsCustomExtension(tarball, folder) {
	mkdirSync(folder, { recursive: true });
	execFileSync('tar', ['-xzf', tarball, '-C', folder, '--strip-components=1']);
	return folder;
}

/**
 * A copy of `workflow` whose Hypersender nodes (the node, its trigger and its AI tool variant)
 * have the types of `nodeType`'s install way and use `credential`. Example files name the
 * community-package types and a placeholder credential.
 */
export function pointWorkflowAt(workflow, nodeType, credential) {
	const copy = structuredClone(workflow);
	const prefix = nodeType.slice(0, nodeType.lastIndexOf('.') + 1);
	for (const node of copy.nodes) {
		const ours = new RegExp(`^(?:${PACKAGE_NAME}|CUSTOM)\\.(hypersender(?:Trigger|Tool)?)$`).exec(node.type);
		if (ours) node.type = `${prefix}${ours[1]}`;
		if (node.credentials?.hypersenderApi) node.credentials.hypersenderApi = { id: credential.id, name: credential.name };
	}
	return copy;
}

/**
 * Imports credentials (plain `data`, encrypted by n8n on import) and workflows with n8n's CLI,
 * one command for each kind. The JSON files go to `folder`. Throws with n8n's output on failure.
 */
export async function importIntoN8n(bins, env, folder, { credentials = [], workflows = [] }) {
	const imports = [];
	if (credentials.length) imports.push(['import:credentials', writeJson(path.join(folder, `credentials-${Date.now()}.json`), credentials)]);
	// import:workflow takes an array of workflows in one file: one n8n start-up for all of them.
	if (workflows.length) imports.push(['import:workflow', writeJson(path.join(folder, `workflows-${workflows.map((wf) => wf.id).join('-')}.json`), workflows)]);
	for (const [command, file] of imports) {
		const result = await runN8nCommand(bins, env, [command, `--input=${file}`]);
		if (result.status !== 0) {
			const error = new Error(`n8n ${command} --input=${file} failed (exit ${result.status}):\n${`${result.stderr}\n${result.stdout}`.slice(-3000)}`);
			error.n8nOutput = `${result.stderr}\n${result.stdout}`;
			throw error;
		}
	}
}
