#!/usr/bin/env node
// The npm package's build: the components compiled to dist/ with declarations, and the files the compiled code reads
// at run time copied beside it. Plain JavaScript, so that a git install can run it before anything is compiled.
"use strict";
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

const root = path.resolve(__dirname, "../..");
const dist = path.join(root, "dist");
/** Files that are read, not imported: tsc does not emit them. */
const ASSETS = ["components/inspection/appliance/suricata-ips.sh"];

fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit", cwd: root });
for (const asset of ASSETS) {
    fs.copyFileSync(path.join(root, asset), path.join(dist, asset));
}
console.log(`built ${path.relative(process.cwd(), dist) || "."}: ${ASSETS.length} asset(s) copied`);
