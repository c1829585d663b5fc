#!/usr/bin/env bash
# Provisions a pinned real n8n (and, where this machine's Node is older than n8n needs, a
# Node 24 from the npm registry) in a cache outside the repository, so the second run starts
# in seconds. The cache counts as ready only once n8n's native modules are proven to work with
# that Node; a cache that fails the proof is repaired, never trusted.
# Prints progress on stderr; on stdout, two lines for `eval`:
#   N8N_NODE=<node binary to run n8n with>
#   N8N_BIN=<n8n's bin/n8n script>
# Safe to run several at once (.ci/run provisions every line in the background while the unit
# suite runs, and the e2e asks for each line again): each n8n version, the Node and each shared
# native build are provisioned under their own lock, and a second caller waits, then finds them ready.
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

# Takes an exclusive lock on "$CACHE_DIR/.lock-<name>" through file descriptor $2 (waiting for
# another provisioning that holds it); closing that descriptor, or this script's exit, releases it.
take_lock() {
	local name="$1" fd="$2"
	eval "exec $fd>\"\$CACHE_DIR/.lock-\$name\""
	if ! flock -n "$fd"; then
		say "waiting for another provisioning of $name to finish"
		flock "$fd"
	fi
}

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
	take_lock "node$NODE_MAJOR_FOR_N8N" 8
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
	exec 8>&-
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

# Runs npm in n8n's install folder with Node 24 first on PATH (native builds target the Node
# that runs them). `npm run` hands the project's .npmrc (ignore-scripts=true) to this script as
# npm_config_ignore_scripts; a rebuild that runs no build scripts builds nothing.
npm_in_n8n_prefix() {
	(
		cd "$n8n_prefix"
		unset npm_config_ignore_scripts npm_config_build_from_source
		PATH="$(dirname "$node_bin"):$PATH" npm "$@" --ignore-scripts=false --nodedir="$node_dir" --loglevel=error >&2
	)
}

# Where n8n's require('sqlite3') finds it.
sqlite3_dir() { "$node_bin" -p "require('node:path').dirname(require.resolve('sqlite3/package.json', { paths: ['$n8n_dir'] }))"; }
# sqlite3's binary uses Node-API, so one build serves every n8n line that pins the same sqlite3
# (1.123.81, 2.40.7 and 2.41.1 all pin 5.1.7); it is keyed on the Node ABI too, to stay safe.
shared_sqlite3_binary() {
	local version abi
	version="$("$node_bin" -p "require('$(sqlite3_dir)/package.json').version")"
	abi="$("$node_bin" -p 'process.versions.modules')"
	echo "$CACHE_DIR/native/sqlite3-$version-$("$node_bin" -p 'process.platform + "-" + process.arch')-abi$abi/node_sqlite3.node"
}

# isolated-vm: its own install script (node-gyp-build) takes the binary the package ships for
# this platform and Node ABI (6.2 and 7.0 ship linux-x64 ones for Node 22 and 24) and compiles
# only when none fits: a build from source cost 5 minutes for nothing. sqlite3: its prebuilt
# binaries are downloaded from GitHub, which CI machines may not reach, so it is built from
# source once and copied into every line that pins the same version. Arguments go to isolated-vm's
# rebuild (--build-from-source when its shipped binary did not load).
build_native_modules() {
	npm_in_n8n_prefix rebuild isolated-vm "$@"
	local shared sqlite3_dir
	shared="$(shared_sqlite3_binary)"
	sqlite3_dir="$(sqlite3_dir)"
	(
		take_lock "$(basename "$(dirname "$shared")")" 7
		if [ -f "$shared" ]; then
			say "sqlite3: reusing the build in $(dirname "$shared")"
		else
			npm_in_n8n_prefix rebuild sqlite3 --build-from-source
			mkdir -p "$(dirname "$shared")"
			cp "$sqlite3_dir/build/Release/node_sqlite3.node" "$shared.partial"
			mv "$shared.partial" "$shared"
		fi
		mkdir -p "$sqlite3_dir/build/Release"
		cp "$shared" "$sqlite3_dir/build/Release/node_sqlite3.node"
	)
}

take_lock "n8n-$N8N_VERSION" 9

if [ -f "$n8n_prefix/.ready" ] && ! native_modules_work; then
	say "the cached n8n $N8N_VERSION in $n8n_prefix fails the native-module check: repairing it"
	# A ready cache was installed whole: only its native modules are rebuilt.
	touch "$n8n_prefix/.installed"
	rm -f "$n8n_prefix/.ready"
fi

if [ ! -f "$n8n_prefix/.ready" ]; then
	mkdir -p "$n8n_prefix"
	installed_version="$("$node_bin" -p "require('$n8n_dir/package.json').version" 2>/dev/null || true)"
	# n8n's own package.json at the right version does not prove the install finished: an npm killed
	# part-way (SIGKILL, out of memory) leaves it beside missing dependencies, which the native-module
	# check does not notice. Only an npm install that exited 0 writes .installed.
	if [ "$installed_version" != "$N8N_VERSION" ] || [ ! -f "$n8n_prefix/.installed" ]; then
		rm -f "$n8n_prefix/.installed"
		# n8n-nodes-base 1.x names xlsx as a tarball from a site outside the npm registry; 0.18.5
		# is its last registry release. 2.x does not depend on xlsx, so the override is inert there.
		echo '{"private":true,"overrides":{"xlsx":"0.18.5"}}' > "$n8n_prefix/package.json"
		say "installing n8n@$N8N_VERSION into $n8n_prefix (first time: about 5 minutes on 2 cores)"
		started=$(date +%s)
		# Without --ignore-scripts the install fails here: a Kafka client's install script
		# downloads sources from the internet. The two native modules n8n needs are built below.
		npm install --prefix "$n8n_prefix" --ignore-scripts --no-audit --no-fund --loglevel=error "n8n@$N8N_VERSION" >&2
		touch "$n8n_prefix/.installed"
		say "installed n8n@$N8N_VERSION in $(seconds_since "$started") s"
	fi
	say "setting up n8n's native modules (sqlite3, isolated-vm) for Node $("$node_bin" -v) (first time: about 2 minutes on 2 cores, seconds once another line has built sqlite3)"
	started=$(date +%s)
	build_native_modules
	if ! native_modules_work; then
		# Neither a shared sqlite3 build nor isolated-vm's shipped binary is trusted again: both are built here.
		say "the native modules do not load with Node $("$node_bin" -v): building both from source"
		rm -f "$(shared_sqlite3_binary)"
		build_native_modules --build-from-source
	fi
	say "native modules ready in $(seconds_since "$started") s"
	if ! native_modules_work; then
		say "n8n $N8N_VERSION's native modules still do not load with Node $("$node_bin" -v); the cache is left unready so the next run tries again"
		exit 1
	fi
	touch "$n8n_prefix/.ready"
fi
say "n8n $N8N_VERSION ready (native modules checked)"
echo "N8N_NODE=$node_bin"
echo "N8N_BIN=$n8n_bin"
