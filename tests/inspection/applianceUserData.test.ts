import * as assert from "assert";
import * as crypto from "crypto";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { renderSuricataUserData, SuricataApplianceSettings, suricataUserData, USER_DATA_LIMIT_BYTES } from "../../components/inspection/appliance/userData";

const SETTINGS: SuricataApplianceSettings = {
    genevePort: 6081,
    healthPort: 9443,
    healthPath: "/ips/health",
    gwlbEniDescription: "ELB gwy/inspection-gwlb-1a2b3c4/0123456789abcdef",
    alertsLogGroup: "inspection-appliances-alerts-5d6e7f8",
    homeNet: ["10.0.0.0/16"],
    httpPorts: [80, 8080],
};

/** The files the script writes with `cat > PATH <<'EOF'` (or unquoted EOF), by path. */
function embeddedFiles(script: string): Map<string, { body: string; quoted: boolean }> {
    const files = new Map<string, { body: string; quoted: boolean }>();
    for (const m of script.matchAll(/^cat > (\S+) <<('?)EOF'?\n([\s\S]*?)^EOF$/gm)) {
        files.set(m[1], { body: m[3], quoted: m[2] === "'" });
    }
    return files;
}

function tmpFile(name: string, content: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "appliance-"));
    const file = path.join(dir, name);
    fs.writeFileSync(file, content, { mode: 0o755 });
    return file;
}

/** Runs a linter that CI installs; a missing one fails the test rather than skipping the check. */
function check(command: string, args: string[]): void {
    const result = spawnSync(command, args, { encoding: "utf8" });
    if (result.error) {
        assert.fail(`${command} is not installed (apt-get install ${command}): ${result.error.message}`);
    }
    assert.strictEqual(result.status, 0, `${command} ${args.join(" ")}:\n${result.stdout}${result.stderr}`);
}

/** The unit file's `Key=value` lines, continuation lines joined. */
function unit(body: string): Map<string, string> {
    const entries = new Map<string, string>();
    for (const line of body.replace(/\\\n\s*/g, " ").split("\n")) {
        const m = /^(\w+)=(.*)$/.exec(line);
        if (m) {
            entries.set(m[1], m[2]);
        }
    }
    return entries;
}

// Lints of the rendered script: cheap, and they catch a broken template before a boot does. The proof that it boots
// and inspects is npm run test:appliance (tests/appliance/boot.appliance.ts), which runs it under cloud-init.
describe("the default appliance's boot script", () => {
    const script = renderSuricataUserData(SETTINGS);
    const files = embeddedFiles(script);
    const file = (p: string) => {
        const found = files.get(p);
        assert.ok(found, `the script does not write ${p}; it writes ${[...files.keys()].join(", ")}`);
        return found.body;
    };

    it("fills every placeholder with the settings, and gzips to the same bytes each time, within EC2's limit", () => {
        assert.doesNotMatch(script, /\{\{/);
        assert.ok(script.includes("readonly GENEVE_PORT='6081'"));
        assert.ok(script.includes("readonly HEALTH_PORT='9443'"));
        assert.ok(script.includes("readonly HEALTH_PATH='/ips/health'"));
        assert.ok(script.includes(`readonly GWLB_ENI_DESCRIPTION='${SETTINGS.gwlbEniDescription}'`));
        assert.ok(script.includes(`readonly ALERTS_LOG_GROUP='${SETTINGS.alertsLogGroup}'`));
        assert.ok(script.includes("readonly RULE_URLS=''"), "no rule URL: suricata-update's default, ET Open");
        assert.ok(renderSuricataUserData({ ...SETTINGS, ruleUrls: ["https://rules.example/a.tar.gz", "file:///srv/b.tar.gz"] })
            .includes("readonly RULE_URLS='https://rules.example/a.tar.gz file:///srv/b.tar.gz'"));
        const gzipped = suricataUserData(SETTINGS);
        assert.strictEqual(zlib.gunzipSync(gzipped).toString("utf8"), script);
        assert.deepStrictEqual(suricataUserData(SETTINGS), gzipped, "no time stamp: the launch template only changes with the script");
        assert.ok(gzipped.length < USER_DATA_LIMIT_BYTES);
    });

    it("passes bash -n and shellcheck, and so do the scripts it installs", () => {
        const main = tmpFile("user-data.sh", script);
        check("bash", ["-n", main]);
        check("shellcheck", ["-s", "bash", main]);
        for (const installed of ["/usr/local/sbin/retry", "/usr/local/sbin/appliance-event", "/usr/local/sbin/gwlb-hairpin", "/usr/local/sbin/suricata-rules-update"]) {
            const copy = tmpFile(path.basename(installed), file(installed));
            check("bash", ["-n", copy]);
            check("shellcheck", ["-s", "bash", "-e", "SC1091", copy]);
        }
        check("python3", ["-m", "py_compile", tmpFile("appliance-health.py", file("/usr/local/sbin/appliance-health"))]);
    });

    it("calls retry as the file it installs, never as a shell function", () => {
        assert.doesNotMatch(script, /^retry\(\)/m);
        const uses = script.split("\n").filter(line => /\bretry\b/.test(line) && !line.trimStart().startsWith("#"));
        assert.ok(uses.length >= 4);
        assert.ok(script.indexOf("cat > /usr/local/sbin/retry") < script.indexOf("retry curl"), "installed before its first use");
        assert.doesNotMatch(script, /chmod [0-7]+ retry\b/);
        assert.doesNotMatch(script, /^Exec\w+=retry /m, "systemd runs files by absolute path");
    });

    it("talks to instance metadata with an IMDSv2 token only", () => {
        const metadataCalls = script.split("\n").filter(line => line.includes("169.254.169.254"));
        assert.ok(metadataCalls.length >= 4);
        for (const line of metadataCalls) {
            assert.ok(/X-aws-ec2-metadata-token/.test(line), `metadata call without a token: ${line.trim()}`);
        }
    });

    it("writes an env file that bash sources as systemd reads it: every value whole", () => {
        const env = writeEnvFile(script);
        const dump = spawnSync("bash", ["-euo", "pipefail", "-c", `. "${env}"; printf '%s|' "$GWLB_ENI_DESCRIPTION" "$HEALTH_PATH" "$RULE_URLS" "$SURICATA_QUEUES"`], { encoding: "utf8" });
        assert.strictEqual(dump.status, 0, dump.stderr);
        const queues = Array.from({ length: os.cpus().length }, (_, q) => `-q ${q}`).join(" ");
        assert.strictEqual(dump.stdout, `${SETTINGS.gwlbEniDescription}|/ips/health||${queues}|`);
        for (const line of fs.readFileSync(env, "utf8").trim().split("\n")) {
            assert.match(line, /^[A-Z_]+="[^"$`\\]*"$/, `systemd and bash read this line differently: ${line}`);
        }
    });

    it("runs Suricata from a config file, not --set flags a rule reload would forget, and with no pid file", () => {
        const exec = unit(file("/etc/systemd/system/suricata-ips.service")).get("ExecStart")!;
        assert.strictEqual(exec, "/usr/bin/suricata -c /etc/suricata/inspected-api.yaml $SURICATA_QUEUES -S /var/lib/suricata/rules/suricata.rules");
        for (const setting of ['"runmode": "workers"', '"HOME_NET": home_net', '"EXTERNAL_NET": "any"', '"HTTP_PORTS": http_ports',
            '"geneve": {"enabled": True, "ports": int(geneve_port)}', '"mode": "accept", "fail-open": False', '"midstream": True']) {
            assert.ok(script.includes(setting), `the Suricata config lacks ${setting}`);
        }
        assert.match(file("/usr/local/sbin/suricata-rules-update"), /suricata-update --no-test --fail --force --drop-conf/);
        assert.match(script, /^systemctl mask suricata\.service$/m, "the packaged IDS-mode unit never runs");
    });

    it("enables every unit it starts, so a reboot brings them back", () => {
        const enabled = /^systemctl enable (.*)$/m.exec(script)![1].split(" ");
        const started = /^systemctl start --no-block (.*)$/m.exec(script)![1].split(" ");
        assert.deepStrictEqual([...enabled].sort(), [...started].sort());
        assert.deepStrictEqual([...enabled].sort(), ["amazon-ssm-agent.service", "appliance-health.service", "gwlb-hairpin.service",
            "gwlb-hairpin.timer", "suricata-ips.service", "suricata-logrotate.timer", "suricata-rules-update.timer"]);
    });

    it("ships eve.json's alerts and the appliance's own events to the alerts log group, a stream each per instance", () => {
        const config = file("/opt/aws/amazon-cloudwatch-agent/etc/inspected-api.json");
        assert.strictEqual(files.get("/opt/aws/amazon-cloudwatch-agent/etc/inspected-api.json")!.quoted, false, "the group name is expanded");
        const parsed = JSON.parse(config.replaceAll("${ALERTS_LOG_GROUP}", SETTINGS.alertsLogGroup));
        const [alerts, events] = parsed.logs.logs_collected.files.collect_list;
        assert.deepStrictEqual([alerts.file_path, alerts.log_group_name, alerts.log_stream_name],
            ["/var/log/suricata/eve.json", SETTINGS.alertsLogGroup, "{instance_id}"]);
        assert.deepStrictEqual(alerts.filters, [{ type: "include", expression: "\"event_type\":\"alert\"" }]);
        assert.deepStrictEqual([events.file_path, events.log_group_name, events.log_stream_name],
            ["/var/log/inspected-api/events.json", SETTINGS.alertsLogGroup, "{instance_id}-events"]);
        assert.strictEqual(parsed.agent.run_as_user, "cwagent");
    });

    it("refuses settings that could break out of the script, templates it does not know, and user data over the limit", () => {
        assert.throws(() => renderSuricataUserData({ ...SETTINGS, healthPath: "/x'; rm -rf /" }), /HEALTH_PATH = .* may only hold/);
        assert.throws(() => renderSuricataUserData({ ...SETTINGS, alertsLogGroup: "$(reboot)" }), /ALERTS_LOG_GROUP/);
        assert.throws(() => renderSuricataUserData({ ...SETTINGS, ruleUrls: ["https://x/?a=1&b=2"] }), /RULE_URLS/);
        assert.throws(() => renderSuricataUserData(SETTINGS, "echo {{NOPE}}"), /\{\{NOPE\}\}/);
        const incompressible = crypto.randomBytes(USER_DATA_LIMIT_BYTES).toString("base64");
        assert.throws(() => suricataUserData(SETTINGS, incompressible), /gzipped appliance user data is \d+ bytes; EC2 accepts at most 16384/);
    });
});

/** Renders the env file the boot script writes, with the script's own values and region us-east-1. */
function writeEnvFile(script: string): string {
    const body = embeddedFiles(script).get("/etc/inspected-api/appliance.env")!.body;
    const readonly = script.split("\n").filter(line => /^readonly [A-Z_]+='/.test(line)).join("\n");
    const env = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "appliance-env-")), "appliance.env");
    const result = spawnSync("bash", ["-euo", "pipefail", "-c", `${readonly}\nREGION=us-east-1\ncat > "${env}" <<EOF\n${body}EOF\n`], { encoding: "utf8" });
    assert.strictEqual(result.status, 0, result.stderr);
    return env;
}

describe("the appliance's hairpin, run against stand-ins for IMDS, the EC2 API and iptables", () => {
    const script = renderSuricataUserData(SETTINGS);
    const hairpin = tmpFile("gwlb-hairpin", embeddedFiles(script).get("/usr/local/sbin/gwlb-hairpin")!.body);
    const env = writeEnvFile(script);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "hairpin-"));
    const bin = path.join(work, "bin");
    const log = path.join(work, "iptables.log");
    fs.mkdirSync(bin);
    // curl answers IMDS (token, then the instance's address); python3 answers the ENI lookup; iptables records.
    fs.writeFileSync(path.join(bin, "curl"), "#!/bin/sh\ncase \"$*\" in *local-ipv4*) echo 10.100.0.50 ;; *) echo token ;; esac\n", { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "python3"), `#!/bin/sh\ncat > /dev/null\n[ "$1" = - ] && [ "$2" = "${SETTINGS.gwlbEniDescription}" ] && cat "${work}/enis"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "iptables"), `#!/bin/sh\necho "$*" >> "${log}"\ncase "$*" in *" -C "*|"-C "*|*" -N "*) exit 1 ;; esac\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "sysctl"), `#!/bin/sh\necho "sysctl $*" >> "${log}"\n`, { mode: 0o755 });
    const run = (enis: string) => {
        fs.writeFileSync(path.join(work, "enis"), enis);
        fs.rmSync(log, { force: true });
        const result = spawnSync("bash", [hairpin], {
            encoding: "utf8",
            env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, APPLIANCE_ENV: env, HAIRPIN_STATE_DIR: path.join(work, "state") },
        });
        return { status: result.status, stderr: result.stderr, calls: fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [] };
    };
    const queues = os.cpus().length - 1;

    it("forwards only DNATed GENEVE, through Suricata's queues, and hairpins each GWLB ENI back to itself", () => {
        const { status, stderr, calls } = run("10.100.0.10\n10.100.32.10\n");
        assert.strictEqual(status, 0, stderr);
        assert.ok(calls.includes("-P FORWARD DROP"));
        assert.ok(calls.indexOf("-P FORWARD DROP") < calls.indexOf("sysctl -qw net.ipv4.ip_forward=1"), "forwarding only once DROP is the policy");
        assert.ok(calls.includes(`-A FORWARD -p udp --dport 6081 -m conntrack --ctstate DNAT -j NFQUEUE --queue-balance 0:${queues} --queue-cpu-fanout`));
        assert.ok(calls.includes("-t nat -A POSTROUTING -p udp --dport 6081 -m conntrack --ctstate DNAT -j MASQUERADE"));
        assert.ok(calls.includes("-t nat -A PREROUTING -p udp --dport 6081 -j GWLB_HAIRPIN"));
        assert.deepStrictEqual(calls.filter(c => c.includes("-j DNAT")), [
            "-t nat -A GWLB_HAIRPIN -p udp -s 10.100.0.10 -d 10.100.0.50 --dport 6081 -j DNAT --to-destination 10.100.0.10:6081",
            "-t nat -A GWLB_HAIRPIN -p udp -s 10.100.32.10 -d 10.100.0.50 --dport 6081 -j DNAT --to-destination 10.100.32.10:6081",
        ]);
        assert.strictEqual(fs.readFileSync(path.join(work, "state", "ips"), "utf8"), "10.100.0.10\n10.100.32.10\n");
    });

    it("leaves the rules alone while the ENIs stay the same, and rewrites them when an AZ is added", () => {
        run("10.100.0.10\n10.100.32.10\n");
        assert.deepStrictEqual(run("10.100.0.10\n10.100.32.10\n").calls.filter(c => c.includes("GWLB_HAIRPIN -p") || c.includes("-F GWLB")), []);
        const grown = run("10.100.0.10\n10.100.32.10\n10.100.64.10\n").calls;
        assert.ok(grown.includes("-t nat -F GWLB_HAIRPIN"));
        assert.strictEqual(grown.filter(c => c.includes("-j DNAT")).length, 3);
    });

    it("fails, so systemd retries, while the GWLB has no ENI yet", () => {
        const { status, stderr } = run("");
        assert.strictEqual(status, 1);
        assert.match(stderr, /no ENI described 'ELB gwy\//);
    });
});

describe("the appliance's health responder", () => {
    const script = renderSuricataUserData(SETTINGS);
    const responder = tmpFile("appliance-health", embeddedFiles(script).get("/usr/local/sbin/appliance-health")!.body);
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "health-state-"));
    // A stand-in for systemctl that reports suricata-ips.service active or not, as the test decides.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "health-bin-"));
    fs.writeFileSync(path.join(bin, "systemctl"), `#!/bin/sh\n[ -e "${state}/suricata-active" ]\n`, { mode: 0o755 });
    const queues = os.cpus().length;
    let child: ChildProcess;
    let port: number;

    const get = (urlPath: string) => new Promise<number>((resolve, reject) => {
        http.get({ host: "127.0.0.1", port, path: urlPath }, res => {
            res.resume();
            resolve(res.statusCode!);
        }).on("error", reject);
    });
    const setState = (active: boolean, boundQueues: number, ips: string) => {
        fs.rmSync(path.join(state, "suricata-active"), { force: true });
        if (active) {
            fs.writeFileSync(path.join(state, "suricata-active"), "");
        }
        fs.writeFileSync(path.join(state, "nfnetlink_queue"),
            Array.from({ length: boundQueues }, (_, q) => `    ${q}  4242     0 2 65531     0     0        0  1\n`).join(""));
        fs.writeFileSync(path.join(state, "ips"), ips);
    };

    before(async () => {
        port = await new Promise<number>(resolve => {
            const probe = net.createServer().listen(0, "127.0.0.1", () => {
                const { port: free } = probe.address() as net.AddressInfo;
                probe.close(() => resolve(free));
            });
        });
        setState(false, 0, "");
        child = spawn("python3", [responder], {
            env: {
                ...process.env, PATH: `${bin}:${process.env.PATH}`, HEALTH_PORT: String(port), HEALTH_PATH: SETTINGS.healthPath,
                NFQUEUE_STATE: path.join(state, "nfnetlink_queue"), HAIRPIN_IPS: path.join(state, "ips"),
            },
            stdio: "ignore",
        });
        for (let i = 0; i < 100; i++) {
            try {
                await get("/");
                return;
            } catch {
                await new Promise(r => setTimeout(r, 50));
            }
        }
        throw new Error("the health responder did not start");
    });
    after(() => child?.kill());

    it("answers 200 on the configured path only while Suricata runs, holds every queue and the hairpin knows an ENI", async () => {
        setState(true, queues, "10.100.0.10\n10.100.32.10\n");
        assert.strictEqual(await get(SETTINGS.healthPath), 200);
        assert.strictEqual(await get("/health"), 404, "only the configured path answers");
    });

    it("answers 503 when Suricata is not active", async () => {
        setState(false, queues, "10.100.0.10\n");
        assert.strictEqual(await get(SETTINGS.healthPath), 503);
    });

    it("answers 503 when a queue has no Suricata reader", async () => {
        setState(true, queues - 1, "10.100.0.10\n");
        assert.strictEqual(await get(SETTINGS.healthPath), 503);
    });

    it("answers 503 before the hairpin has found a GWLB ENI", async () => {
        setState(true, queues, "");
        assert.strictEqual(await get(SETTINGS.healthPath), 503);
        fs.rmSync(path.join(state, "ips"));
        assert.strictEqual(await get(SETTINGS.healthPath), 503);
    });
});
