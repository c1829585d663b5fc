// n8n's own credential test, through the REST API of a started n8n, as the editor's Test
// button calls it: a good token passes, a bad token and a bad instance are named.
export async function run(t) {
	const { label, fake, credential } = t;
	const n8n = await t.startN8nWithOwner();
	// The editor's Test button sends the form's data with the id of the credential being edited.
	const testWith = async (apiToken, instanceId) => {
		const { body } = await n8n.rest('POST', '/credentials/test', {
			credentials: { id: credential.id, name: credential.name, type: 'hypersenderApi', data: { apiToken, instanceId, baseUrl: fake.url, rateLimitPlan: 'starter' } },
		});
		return body?.data ?? body;
	};
	const good = await testWith(credential.data.apiToken, credential.data.instanceId);
	t.check(good.status === 'OK', `${label}: the credential test passes for a good token`, good);
	// n8n 1.x matches the credential's responseCode rules only against errors that carry the HTTP
	// response, which its request helper's errors no longer do: it shows n8n's own text per status.
	const oneX = t.n8nVersion.startsWith('1.');
	const badToken = await testWith('999|not-the-token', credential.data.instanceId);
	t.check(
		badToken.status === 'Error' && (oneX ? /Authorization failed/ : /API Token is wrong/).test(badToken.message),
		`${label}: the credential test ${oneX ? 'fails' : 'names'} a bad token`,
		badToken,
	);
	const badInstance = await testWith(credential.data.apiToken, 'not-an-instance');
	t.check(
		badInstance.status === 'Error' && (oneX ? /could not be found/ : /Instance ID was not found/).test(badInstance.message),
		`${label}: the credential test ${oneX ? 'fails' : 'names'} a bad instance`,
		badInstance,
	);
}
