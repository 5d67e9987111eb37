import * as assert from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { renderSuricataUserData, SuricataApplianceSettings, USER_DATA_LIMIT_BYTES } from "../../components/inspection/appliance/userData";

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

describe("the default appliance's boot script", () => {
    const script = renderSuricataUserData(SETTINGS);
    const files = embeddedFiles(script);
    const file = (p: string) => {
        const found = files.get(p);
        assert.ok(found, `the script does not write ${p}; it writes ${[...files.keys()].join(", ")}`);
        return found.body;
    };

    it("fills every placeholder with the settings and fits EC2's user data limit", () => {
        assert.doesNotMatch(script, /\{\{/);
        assert.ok(script.includes("readonly GENEVE_PORT='6081'"));
        assert.ok(script.includes("readonly HEALTH_PORT='9443'"));
        assert.ok(script.includes("readonly HEALTH_PATH='/ips/health'"));
        assert.ok(script.includes(`readonly GWLB_ENI_DESCRIPTION='${SETTINGS.gwlbEniDescription}'`));
        assert.ok(script.includes(`readonly ALERTS_LOG_GROUP='${SETTINGS.alertsLogGroup}'`));
        assert.ok(Buffer.byteLength(script) < USER_DATA_LIMIT_BYTES);
    });

    it("passes bash -n and shellcheck, and so do the scripts it installs", () => {
        const main = tmpFile("user-data.sh", script);
        check("bash", ["-n", main]);
        check("shellcheck", ["-s", "bash", main]);
        for (const installed of ["/usr/local/sbin/gwlb-hairpin", "/usr/local/sbin/suricata-rules-update"]) {
            const copy = tmpFile(path.basename(installed), file(installed));
            check("bash", ["-n", copy]);
            check("shellcheck", ["-s", "bash", "-e", "SC1091", copy]);
        }
        check("python3", ["-m", "py_compile", tmpFile("appliance-health.py", file("/usr/local/sbin/appliance-health"))]);
    });

    it("talks to instance metadata with an IMDSv2 token only", () => {
        const metadataCalls = script.split("\n").filter(line => line.includes("169.254.169.254"));
        assert.ok(metadataCalls.length >= 4);
        for (const line of metadataCalls) {
            assert.ok(/X-aws-ec2-metadata-token/.test(line), `metadata call without a token: ${line.trim()}`);
        }
    });

    it("enables forwarding and hairpins GENEVE back to every GWLB ENI the EC2 API lists", () => {
        assert.match(file("/etc/sysctl.d/60-inspected-api.conf"), /^net\.ipv4\.ip_forward = 1$/m);
        const hairpin = file("/usr/local/sbin/gwlb-hairpin");
        assert.match(hairpin, /describe_network_interfaces[\s\S]*"Name": "description", "Values": \[description\]/);
        assert.match(hairpin, /for ip in \$\{ips\}; do\n\s+iptables -t nat -A GWLB_HAIRPIN -p udp -s "\$\{ip\}" -d "\$\{self\}" --dport "\$\{GENEVE_PORT\}" -j DNAT --to-destination "\$\{ip\}:\$\{GENEVE_PORT\}"\n\s+done/);
        assert.match(hairpin, /iptables -t nat -A POSTROUTING -p udp --dport "\$\{GENEVE_PORT\}" -m conntrack --ctstate DNAT -j MASQUERADE/);
        assert.match(hairpin, /iptables -t nat -A PREROUTING -p udp --dport "\$\{GENEVE_PORT\}" -j GWLB_HAIRPIN/);
        assert.match(file("/etc/systemd/system/gwlb-hairpin.timer"), /^OnUnitActiveSec=/m);
    });

    it("writes an env file that bash sources as systemd reads it: every value whole", () => {
        const env = writeEnvFile(script);
        const dump = spawnSync("bash", ["-euo", "pipefail", "-c", `. "${env}"; printf '%s|' "$GWLB_ENI_DESCRIPTION" "$HEALTH_PATH" "$HOME_NET" "$SURICATA_QUEUES"`], { encoding: "utf8" });
        assert.strictEqual(dump.status, 0, dump.stderr);
        const queues = Array.from({ length: os.cpus().length }, (_, q) => `-q ${q}`).join(" ");
        assert.strictEqual(dump.stdout, `${SETTINGS.gwlbEniDescription}|/ips/health|[10.0.0.0/16]|${queues}|`);
        for (const line of fs.readFileSync(env, "utf8").trim().split("\n")) {
            assert.match(line, /^[A-Z_]+="[^"$`\\]*"$/, `systemd and bash read this line differently: ${line}`);
        }
    });

    it("queues every forwarded GENEVE packet to Suricata, fails closed, and forwards nothing else", () => {
        const hairpin = file("/usr/local/sbin/gwlb-hairpin");
        assert.match(hairpin, /^iptables -P FORWARD DROP$/m);
        const queued = hairpin.split("\n").filter(line => line.includes("-j NFQUEUE"));
        assert.ok(queued.length > 0);
        for (const line of queued) {
            assert.match(line, /FORWARD -p udp --dport "\$\{GENEVE_PORT\}" -m conntrack --ctstate DNAT -j NFQUEUE --queue-balance "0:\$\{queues\}"/);
            assert.doesNotMatch(line, /--queue-bypass/, "a bypass would pass packets uninspected when Suricata is down");
        }
    });

    it("runs Suricata inline on those queues with the GENEVE decoder and ET Open rules", () => {
        const service = unit(file("/etc/systemd/system/suricata-ips.service"));
        const exec = service.get("ExecStart")!;
        assert.match(exec, /^\/usr\/bin\/suricata /);
        assert.match(exec, / \$SURICATA_QUEUES /, "one -q per queue, word-split by systemd");
        for (const setting of [
            "decoder.geneve.enabled=true", "decoder.geneve.ports=${GENEVE_PORT}", "nfq.mode=accept", "nfq.fail-open=no",
            "stream.midstream=true", "vars.address-groups.HOME_NET=${HOME_NET}", "vars.address-groups.EXTERNAL_NET=any",
            "vars.port-groups.HTTP_PORTS=${HTTP_PORTS}",
        ]) {
            assert.ok(exec.includes(`--set ${setting}`), `suricata-ips.service lacks --set ${setting}`);
        }
        assert.match(exec, /-S \/var\/lib\/suricata\/rules\/suricata\.rules/);
        assert.strictEqual(service.get("Restart"), "always");
        assert.match(file("/usr/local/sbin/suricata-rules-update"), /^suricata-update --drop-conf \/etc\/suricata\/drop\.conf --local \/etc\/suricata\/rules\/inspected-api\.rules$/m);
        assert.match(file("/etc/suricata/drop.conf"), /^group:emerging-exploit\.rules$/m);
        assert.match(file("/etc/suricata/rules/inspected-api.rules"), /^drop http .*sid:9100001;/m);
        assert.match(script, /^systemctl mask suricata\.service$/m, "the packaged IDS-mode unit never runs");
        assert.match(script, /^retry \/usr\/local\/sbin\/suricata-rules-update$/m, "rules exist before Suricata first starts");
        assert.ok(script.includes("readonly HOME_NET='[10.0.0.0/16]'"));
    });

    it("binds the health unit to the configured port and path", () => {
        const health = unit(file("/etc/systemd/system/appliance-health.service"));
        assert.strictEqual(health.get("EnvironmentFile"), "/etc/inspected-api/appliance.env");
        assert.strictEqual(health.get("ExecStart"), "/usr/local/sbin/appliance-health");
        // Root, for the 0440 /proc queue table, with nothing but binding a port in its bounding set.
        assert.strictEqual(health.get("User"), undefined);
        assert.strictEqual(health.get("DynamicUser"), undefined);
        assert.strictEqual(health.get("CapabilityBoundingSet"), "CAP_NET_BIND_SERVICE");
        assert.strictEqual(health.get("NoNewPrivileges"), "yes");
        const env = fs.readFileSync(writeEnvFile(script), "utf8");
        assert.match(env, /^HEALTH_PORT="9443"$/m);
        assert.match(env, /^HEALTH_PATH="\/ips\/health"$/m);
    });

    it("survives a slow first boot and a reboot: retries, every unit enabled, nothing waited on", () => {
        assert.match(script, /^retry apt-get -o DPkg::Lock::Timeout=300 install /m);
        const enabled = /^systemctl enable (.*)$/m.exec(script)![1].split(" ");
        const started = /^systemctl start --no-block (.*)$/m.exec(script)![1].split(" ");
        const units = ["gwlb-hairpin.service", "gwlb-hairpin.timer", "suricata-ips.service", "suricata-rules-update.timer", "appliance-health.service"];
        assert.deepStrictEqual([...enabled].sort(), [...units].sort());
        assert.deepStrictEqual([...started].sort(), [...units].sort());
        assert.doesNotMatch(script, /systemctl (enable|start) --now/);
        for (const name of ["suricata-ips.service", "appliance-health.service"]) {
            assert.strictEqual(unit(file(`/etc/systemd/system/${name}`)).get("Restart"), "always", name);
        }
        assert.strictEqual(unit(file("/etc/systemd/system/gwlb-hairpin.service")).get("Restart"), "on-failure");
    });

    it("ships only alert events of eve.json to the alerts log group, one stream per instance", () => {
        const config = file("/opt/aws/amazon-cloudwatch-agent/etc/inspected-api.json");
        assert.strictEqual(files.get("/opt/aws/amazon-cloudwatch-agent/etc/inspected-api.json")!.quoted, false, "the group name is expanded");
        const parsed = JSON.parse(config.replace("${ALERTS_LOG_GROUP}", SETTINGS.alertsLogGroup));
        const [collect] = parsed.logs.logs_collected.files.collect_list;
        assert.deepStrictEqual(
            [collect.file_path, collect.log_group_name, collect.log_stream_name],
            ["/var/log/suricata/eve.json", SETTINGS.alertsLogGroup, "{instance_id}"],
        );
        assert.deepStrictEqual(collect.filters, [{ type: "include", expression: "\"event_type\":\"alert\"" }]);
        assert.strictEqual(parsed.agent.run_as_user, "cwagent");
    });

    it("refuses settings that could break out of the script, and templates it does not know", () => {
        assert.throws(() => renderSuricataUserData({ ...SETTINGS, healthPath: "/x'; rm -rf /" }), /HEALTH_PATH = .* may only hold/);
        assert.throws(() => renderSuricataUserData({ ...SETTINGS, alertsLogGroup: "$(reboot)" }), /ALERTS_LOG_GROUP/);
        assert.throws(() => renderSuricataUserData(SETTINGS, "echo {{NOPE}}"), /\{\{NOPE\}\}/);
        assert.throws(() => renderSuricataUserData(SETTINGS, "#".repeat(USER_DATA_LIMIT_BYTES + 1)), /at most 16384/);
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
