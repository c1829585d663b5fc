// Copied to dist/index.js by the build (package.json "main"), next to the compiled files it
// names. n8n itself loads the files listed in package.json's "n8n" section; this entry point
// lets `require('n8n-nodes-hypersender')` reach the same classes.
module.exports = {
	...require('./nodes/Hypersender/Hypersender.node.js'),
	...require('./nodes/HypersenderTrigger/HypersenderTrigger.node.js'),
	...require('./credentials/HypersenderApi.credentials.js'),
};
