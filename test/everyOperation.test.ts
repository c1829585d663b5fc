/**
 * Every operation of the built node, run once through n8n's WorkflowExecute against the fake
 * Hypersender. What test/description.test.ts cannot see from the description alone:
 *  - every operation has an example here (a new one fails until it gets one);
 *  - every parameter its hooks and runner read is one the editor shows for it: an operation left
 *    out of its resource's recipient list, or an option whose displayOptions miss it, would read a
 *    value the user cannot set (n8n drops hidden parameters) and silently go on with the default;
 *  - each field is read once per item (a second read evaluates its expression again);
 *  - a Message operation is treated as a send (never sent again once it may have gone out, paced
 *    as a message) exactly when the fake's contract counts its endpoint as a message.
 * Waits run on the virtual clock.
 */
import { NodeHelpers } from 'n8n-workflow';
import type { IBinaryKeyData, IDataObject, INodeParameters, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import * as itemParameters from '../nodes/Hypersender/shared/itemParameters';
import { SEND_ENDPOINTS } from './fake-hypersender/server';
import { credentialsFor, errorOf, useFakeHypersender } from './fixtures';
import { description, nodeWith, operationSelectorsOf, resources } from './helpers/nodeDescription';
import { runHypersender } from './helpers/runWorkflow';

jest.mock('../nodes/Hypersender/transport/clock', () => ({
	...jest.requireActual('../nodes/Hypersender/transport/clock'),
	systemClock: jest.requireActual('./helpers/virtualPacingClock').virtualPacingClock,
}));

const fake = useFakeHypersender();

const MESSAGE_ID = 'true_12132132130@c.us_3EB08F6AD2A432386EFA0E';
const QUEUED_UUID = '{{QUEUED_UUID}}';
/** Replaced by a media link of the fake (its port is known only once it listens). */
const MEDIA_URL = '{{MEDIA_URL}}';
/** The item's binary data, for the operations that upload a file. */
const FILE = { data: { data: Buffer.from('89504e470d0a1a0a', 'hex').toString('base64'), mimeType: 'image/png', fileName: 'photo.png' } } as unknown as IBinaryKeyData;

/** One run of each operation, with every field its form shows for it set (options included). */
const EXAMPLES: Record<string, IDataObject> = {
	'contact.get': { chatId: '+1 213 213 2130', options: { ifNotFound: 'outputItem', defaultCountryCode: 'US', maxRetries: 1, requestsPerMinute: 0 } },
	'contact.getAll': { returnAll: false, limit: 5, options: { sortBy: 'id', sortOrder: 'desc', maxRetries: 1 } },
	'contact.upsert': { chatId: '2132132130', firstName: 'Maria', lastName: 'Doe', options: { defaultCountryCode: 'US', syncAttempts: 2, syncDelaySeconds: 1, verify: true } },
	'message.downloadMedia': { downloadUrl: MEDIA_URL, outputBinaryField: 'voice', options: { maxFileSizeMb: 5, downloadTimeoutSeconds: 20 } },
	'message.delete': { chatId: '12132132130', messageId: MESSAGE_ID, options: { waitForResult: false } },
	'message.forward': { chatId: '12132132130', messageId: MESSAGE_ID, options: { waitForResult: false } },
	'message.markSeen': { chatId: '12132132130', messageId: MESSAGE_ID, options: { participant: '12132132130', waitForResult: false } },
	'message.react': { messageId: MESSAGE_ID, reaction: '👍', options: { waitForResult: false, maxWaitSeconds: 5 } },
	'message.sendAndWait': {
		chatId: '12132132130',
		message: 'Refund?',
		responseType: 'approval',
		approvalOptions: { values: { approvalType: 'double', approveLabel: 'Yes', disapproveLabel: 'No' } },
		humanLike: false,
		options: { appendAttribution: false, limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 1, resumeUnit: 'hours' } }, waitForResult: false },
	},
	'message.sendContactCard': { chatId: '12132132130', cardSource: 'fields', cardFullName: 'Maria Doe', cardPhone: '+44 20 7946 0958', cardOrganization: 'ACME', options: { waitForResult: false } },
	'message.sendLocation': { chatId: '12132132130', latitude: 52.52, longitude: 13.405, title: 'Shop', options: { replyTo: MESSAGE_ID, waitForResult: false } },
	'message.sendMedia': { chatId: '12132132130', mediaType: 'image', source: 'binary', binaryPropertyName: 'data', caption: 'Hi', options: { fileName: 'a.png', mimeType: 'image/png', waitForResult: false } },
	'message.sendPoll': { chatId: '12132132130', pollQuestion: 'When?', pollOptions: ['Monday', 'Tuesday'], multipleAnswers: true, options: { waitForResult: false } },
	'message.sendText': { chatId: '12132132130', text: 'Hello', humanLike: false, options: { linkPreview: false, replyTo: MESSAGE_ID, waitForResult: false } },
	'message.startTyping': { chatId: '12132132130', options: { waitForResult: false } },
	'message.stopTyping': { chatId: '12132132130', options: { waitForResult: false } },
	'queuedRequest.get': { queuedRequestUuid: QUEUED_UUID, options: { maxRetries: 1 } },
};

const operations = resources.flatMap((resource) =>
	operationSelectorsOf(String(resource.value)).flatMap((selector) => (selector.options as INodePropertyOptions[]).map((operation) => `${String(resource.value)}.${String(operation.value)}`)),
);
const optionsCollection = description.properties.find((property) => property.name === 'options');

/** The parameters read that the editor does not show for these node parameters (n8n drops those from a saved workflow). */
function hiddenReads(read: string[], parameters: INodeParameters): string[] {
	const root = NodeHelpers.getNodeParameters(description.properties, parameters, true, false, null, description) ?? {};
	const setOptions = (parameters.options ?? {}) as INodeParameters;
	return [...new Set(read)].filter((name) => {
		if (name.startsWith('options.')) {
			const option = (optionsCollection?.options as INodeProperties[] | undefined)?.find((candidate) => candidate.name === name.slice('options.'.length));
			return !option || !NodeHelpers.displayParameter(setOptions, option, nodeWith(root), description, root);
		}
		const shown = description.properties.filter((property) => property.name === name && NodeHelpers.displayParameter(root, property, nodeWith(root), description, root));
		return shown.length === 0;
	});
}

async function queuedUuid(): Promise<string> {
	const { output } = await runHypersender({
		items: [{}],
		parameters: { resource: 'message', operation: 'sendText', chatId: '12132132130', text: 'x', options: { waitForResult: false } },
		credentials: credentialsFor(fake),
		continueOnFail: true,
	});
	return String(output?.[0].json.queued_request_uuid);
}

/** Runs the example of `key` on one item; what comes before it (a contact to list, a send to read back) is not watched. */
async function runExample(key: string, watch: () => void = () => undefined) {
	const [resource, operation] = key.split('.');
	const example = { ...EXAMPLES[key] };
	if (example.queuedRequestUuid === QUEUED_UUID) example.queuedRequestUuid = await queuedUuid();
	if (example.downloadUrl === MEDIA_URL) example.downloadUrl = fake.mediaLink('voice.ogg');
	fake.addContact('12132132130@c.us', 'Maria Doe');
	fake.requests.length = 0;
	watch();
	const parameters = { resource, operation, ...example };
	const { output, error } = await runHypersender({ items: [{}], binary: [FILE], parameters, credentials: credentialsFor(fake), continueOnFail: true });
	expect(error).toBeUndefined();
	expect(output).toHaveLength(1);
	return { parameters, item: output![0] };
}

test('every operation of the node has an example here', () => {
	expect(Object.keys(EXAMPLES).sort()).toEqual([...operations].sort());
});

describe('every parameter an operation reads is shown for it, and each field is read once per item', () => {
	test.each(operations)('%s', async (key) => {
		const reads = jest.spyOn(itemParameters, 'parameterOfItem');
		try {
			const { parameters, item } = await runExample(key, () => reads.mockClear());
			expect(item.error).toBeUndefined();
			const read = reads.mock.calls.map(([, name]) => name);
			expect(read.length).toBeGreaterThan(0);
			expect(hiddenReads(read, parameters as INodeParameters)).toEqual([]);
			// Options come from one read of the collection; a field read again evaluates its expression again.
			expect(read.filter((name, at) => !name.startsWith('options.') && read.indexOf(name) !== at)).toEqual([]);
		} finally {
			reads.mockRestore();
		}
	});
});

// Download Media fetches a media link, not an API endpoint: it sends nothing to Hypersender.
const API_MESSAGE_OPERATIONS = operations.filter((key) => key.startsWith('message.') && key !== 'message.downloadMedia');

describe('a Message operation is a send exactly when its endpoint sends a message', () => {
	test.each(API_MESSAGE_OPERATIONS)('%s', async (key) => {
		// Accepted, then the connection drops: a send must not go out again; anything else is retried.
		const { item } = await runExample(key, () => fake.acceptThenDropNext(1));
		const endpoint = fake.messages[0]?.endpoint;
		expect(endpoint).toBeDefined();
		if (SEND_ENDPOINTS.has(endpoint)) {
			expect(fake.requests).toHaveLength(1);
			expect(errorOf(item).message).toMatch(/may have been sent/);
		} else {
			expect(item.error).toBeUndefined();
			expect(fake.requests).toHaveLength(2);
		}
	});
});
