#!/usr/bin/env node
// Installs the services' own dependencies (what their tests and bench run) when their lock file is newer than the
// install. An explicit step, never an install hook: a consumer's `npm install` of this package must not run it.
"use strict";
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

const services = path.resolve(__dirname, "../../services");
const lock = path.join(services, "package-lock.json");
const installed = path.join(services, "node_modules", ".package-lock.json");
const stale = !fs.existsSync(installed) || fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs;
if (stale) {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    execFileSync(npm, ["ci", "--prefix", services, "--no-audit", "--no-fund"], { stdio: "inherit" });
}
