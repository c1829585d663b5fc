#!/usr/bin/env bash
# Provisions a pinned real n8n (and, where this machine's Node is older than n8n needs, a
# Node 24 from the npm registry) in a cache outside the repository, so the second run starts
# in seconds. The cache counts as ready only once n8n's native modules are proven to work with
# that Node; a cache that fails the proof is repaired, never trusted.
# Prints progress on stderr; on stdout, two lines for `eval`:
#   N8N_NODE=<node binary to run n8n with>
#   N8N_BIN=<n8n's bin/n8n script>
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.40.7}"
# n8n 2.x needs Node 24; isolated-vm in n8n 1.123 ships binaries for Node 22 and 24 only, so
# both lines run on the same Node.
NODE_MAJOR_FOR_N8N=24
CACHE_DIR="${HYPERSENDER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-hypersender}"
SCRIPTS_DIR="$(cd "$(dirname "$0")" && pwd)"

say() { printf '[provision] %s\n' "$*" >&2; }
seconds_since() { echo $(( $(date +%s) - $1 )); }

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
	# Judged by what it prints, not by its exit code: bash runs an empty file as an empty script.
	node_is_whole() { "$node_bin" -v 2>/dev/null | grep -q "^v$NODE_MAJOR_FOR_N8N\."; }
	if ! node_is_whole; then
		say "this machine has Node $(node -v); n8n $N8N_VERSION needs $NODE_MAJOR_FOR_N8N: installing $node_pkg@$NODE_MAJOR_FOR_N8N from the npm registry"
		# A damaged binary under intact package metadata is "up to date" to npm: start afresh.
		rm -rf "$node_prefix"
		mkdir -p "$node_prefix"
		npm install --prefix "$node_prefix" --no-save --ignore-scripts --no-audit --no-fund "$node_pkg@$NODE_MAJOR_FOR_N8N" >&2
		if ! node_is_whole; then
			say "the Node $NODE_MAJOR_FOR_N8N installed into $node_prefix does not run; nothing is marked ready"
			exit 1
		fi
	fi
	say "using Node $("$node_bin" -v) from $node_dir"
fi

n8n_prefix="$CACHE_DIR/n8n-$N8N_VERSION"
n8n_dir="$n8n_prefix/node_modules/n8n"
n8n_bin="$n8n_dir/bin/n8n"

# The cache works when n8n itself is there at the pinned version and its native modules load
# with the Node that runs it. Judged by the line the check prints, not only by its exit code.
native_modules_work() {
	local said
	said="$("$node_bin" "$SCRIPTS_DIR/verify-n8n-native-modules.cjs" "$n8n_dir" "$N8N_VERSION" 2>&1)"
	printf '%s\n' "$said" >&2
	printf '%s' "$said" | grep -Eq "^n8n $N8N_VERSION: sqlite3 and isolated-vm work with Node v[0-9]+\."
}

if [ -f "$n8n_prefix/.ready" ] && ! native_modules_work; then
	say "the cached n8n $N8N_VERSION in $n8n_prefix fails the native-module check: repairing it"
	rm -f "$n8n_prefix/.ready"
fi

if [ ! -f "$n8n_prefix/.ready" ]; then
	mkdir -p "$n8n_prefix"
	installed_version="$("$node_bin" -p "require('$n8n_dir/package.json').version" 2>/dev/null || true)"
	if [ "$installed_version" != "$N8N_VERSION" ]; then
		# n8n-nodes-base 1.x names xlsx as a tarball from a site outside the npm registry; 0.18.5
		# is its last registry release. 2.x does not depend on xlsx, so the override is inert there.
		echo '{"private":true,"overrides":{"xlsx":"0.18.5"}}' > "$n8n_prefix/package.json"
		say "installing n8n@$N8N_VERSION into $n8n_prefix (first time: about 5 minutes on 2 cores)"
		started=$(date +%s)
		# Without --ignore-scripts the install fails here: a Kafka client's install script
		# downloads sources from the internet. The two native modules n8n needs are built below.
		npm install --prefix "$n8n_prefix" --ignore-scripts --no-audit --no-fund --loglevel=error "n8n@$N8N_VERSION" >&2
		say "installed n8n@$N8N_VERSION in $(seconds_since "$started") s"
	fi
	say "building n8n's native modules (sqlite3, isolated-vm) against Node $("$node_bin" -v) (first time: about 6 minutes on 2 cores)"
	started=$(date +%s)
	(
		cd "$n8n_prefix"
		# `npm run` hands the project's .npmrc (ignore-scripts=true) to this child as
		# npm_config_ignore_scripts; a rebuild that runs no build scripts builds nothing.
		unset npm_config_ignore_scripts
		PATH="$(dirname "$node_bin"):$PATH" npm rebuild sqlite3 isolated-vm \
			--ignore-scripts=false --build-from-source --nodedir="$node_dir" --loglevel=error >&2
	)
	say "built the native modules in $(seconds_since "$started") s"
	if ! native_modules_work; then
		say "n8n $N8N_VERSION's native modules still do not load with Node $("$node_bin" -v); the cache is left unready so the next run tries again"
		exit 1
	fi
	touch "$n8n_prefix/.ready"
fi
say "n8n $N8N_VERSION ready (native modules checked)"
echo "N8N_NODE=$node_bin"
echo "N8N_BIN=$n8n_bin"
