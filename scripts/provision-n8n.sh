#!/usr/bin/env bash
# Provisions a pinned real n8n (and, where this machine's Node is older than n8n 2.x needs,
# a Node 24 from the npm registry) in a cache outside the repository, so the second run
# starts in seconds. Prints progress on stderr; on stdout, two lines for `eval`:
#   N8N_NODE=<node binary to run n8n with>
#   N8N_BIN=<n8n's bin/n8n script>
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.40.7}"
NODE_MAJOR_FOR_N8N=24
CACHE_DIR="${HYPERSENDER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-hypersender}"

say() { printf '[provision] %s\n' "$*" >&2; }

mkdir -p "$CACHE_DIR"

current_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$current_major" -ge "$NODE_MAJOR_FOR_N8N" ]; then
	node_bin="$(command -v node)"
	node_dir="$(cd "$(dirname "$node_bin")/.." && pwd)"
	say "using this machine's Node $(node -v)"
else
	node_pkg="node-$(node -p 'process.platform + "-" + process.arch')"
	node_prefix="$CACHE_DIR/node$NODE_MAJOR_FOR_N8N"
	node_dir="$node_prefix/node_modules/$node_pkg"
	node_bin="$node_dir/bin/node"
	if [ ! -x "$node_bin" ]; then
		say "this machine has Node $(node -v); n8n $N8N_VERSION needs $NODE_MAJOR_FOR_N8N: installing $node_pkg@$NODE_MAJOR_FOR_N8N from the npm registry"
		mkdir -p "$node_prefix"
		npm install --prefix "$node_prefix" --no-save --ignore-scripts --no-audit --no-fund "$node_pkg@$NODE_MAJOR_FOR_N8N" >&2
	fi
	say "using Node $("$node_bin" -v) from $node_dir"
fi

n8n_prefix="$CACHE_DIR/n8n-$N8N_VERSION"
n8n_bin="$n8n_prefix/node_modules/n8n/bin/n8n"
if [ ! -f "$n8n_prefix/.ready" ]; then
	mkdir -p "$n8n_prefix"
	[ -f "$n8n_prefix/package.json" ] || echo '{"private":true}' > "$n8n_prefix/package.json"
	say "installing n8n@$N8N_VERSION into $n8n_prefix (first time: about 3 minutes)"
	# Without --ignore-scripts the install fails here: a Kafka client's install script
	# downloads sources from the internet. The two native modules n8n needs are rebuilt below.
	npm install --prefix "$n8n_prefix" --ignore-scripts --no-audit --no-fund --loglevel=error "n8n@$N8N_VERSION" >&2
	say "building n8n's native modules (sqlite3, isolated-vm) against Node $("$node_bin" -v) (first time: about 4 minutes)"
	(
		cd "$n8n_prefix"
		PATH="$(dirname "$node_bin"):$PATH" npm rebuild sqlite3 isolated-vm --build-from-source --nodedir="$node_dir" >&2
	)
	touch "$n8n_prefix/.ready"
fi
say "n8n $N8N_VERSION ready"
echo "N8N_NODE=$node_bin"
echo "N8N_BIN=$n8n_bin"
