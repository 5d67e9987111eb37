/**
 * The default appliance, for real: its rendered user data booted by cloud-init under systemd in a Debian 13
 * container, with live GENEVE traffic from a namespace that plays the Gateway Load Balancer. npm run test:appliance.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as zlib from "zlib";
import { ApplianceLab, LAB, labUserData, REFRESHED_RULES, RULES } from "../../tools/appliance/lab";
import { GeneveSession, InnerFlow, Roundtrip } from "../../tools/appliance/geneveSession";

/** The target group checks every 10 s (components/inspection/inspectionVpc.ts). */
const HEALTH_CHECK_INTERVAL_MS = 10_000;
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

interface Alert { action: string; signatureId: number; flow: string }

describe("the default appliance, booted by cloud-init under systemd, with live GENEVE traffic", function () {
    this.timeout(600_000);
    const userData = labUserData();
    const script = zlib.gunzipSync(userData).toString("utf8");
    let lab: ApplianceLab;
    let gwlb: GeneveSession;
    let nextPort = 41000;

    const flow = async (name: string): Promise<string> => {
        // Both ends inside HOME_NET, as the VPC link ENIs and the tasks are: only EXTERNAL_NET "any" lets ET's
        // "$EXTERNAL_NET -> $HOME_NET" rules match such a client.
        const inner: InnerFlow = { client: "10.0.1.25", server: "10.0.2.30", sport: nextPort++, dport: 8080 };
        await gwlb.open(name, inner);
        return name;
    };
    const allBack = (trips: Roundtrip[]) => trips.length > 0 && trips.every(t => t.returned && t.identical && t.from === LAB.applianceAddress);
    const noneBack = (trips: Roundtrip[]) => trips.length > 0 && trips.every(t => !t.returned);
    const health = () => Number(lab.inGwlb(["curl", "-s", "-o", "/dev/null", "-m", "2", "-w", "%{http_code}",
        `http://${LAB.applianceAddress}:${LAB.healthPort}${LAB.healthPath}`], { allowFail: true }).stdout);
    const alerts = (): Alert[] => lab.readFile("var/log/suricata/eve.json").split("\n").filter(l => l.includes("\"event_type\":\"alert\""))
        .map(l => JSON.parse(l)).map(e => ({ action: e.alert.action, signatureId: e.alert.signature_id, flow: `${e.src_ip}:${e.src_port}>${e.dest_ip}:${e.dest_port}` }));
    const until = async (what: string, ok: () => boolean, limitMs: number): Promise<number> => {
        const start = Date.now();
        while (!ok()) {
            if (Date.now() - start > limitMs) {
                throw new Error(`${what}: not within ${limitMs} ms`);
            }
            await sleep(200);
        }
        return Date.now() - start;
    };
    const units = [...script.matchAll(/^cat > \/etc\/systemd\/system\/(\S+) <</gm)].map(m => m[1]);

    before(async () => {
        lab = await ApplianceLab.boot(userData);
        gwlb = new GeneveSession(lab);
    });
    after(async () => {
        gwlb?.close();
        await lab?.stop();
    });

    describe("boot", () => {
        it("cloud-init runs the user data, gzipped as EC2 is given it, to its last line without error", () => {
            assert.deepStrictEqual([...userData.subarray(0, 2)], [0x1f, 0x8b], "gzip, which cloud-init unpacks");
            const status = JSON.parse(lab.exec(["cloud-init", "status", "--format", "json"], { allowFail: true }).stdout);
            assert.deepStrictEqual([status.status, status.errors], ["done", []], lab.readFile("var/log/inspected-api-boot.log").slice(-3000));
            assert.match(lab.readFile("var/log/inspected-api-boot.log"), /^inspected-api appliance ready: health on :8080\/health$/m);
        });

        it("leaves every unit it installs active, or its timer scheduled, and the packaged IDS unit masked", () => {
            assert.deepStrictEqual(units.sort(), ["appliance-health.service", "gwlb-hairpin.service", "gwlb-hairpin.timer",
                "suricata-ips.service", "suricata-logrotate.service", "suricata-logrotate.timer", "suricata-rules-update.service",
                "suricata-rules-update.timer"]);
            const show = (unit: string, props: string) => Object.fromEntries(lab.exec(["systemctl", "show", unit, `--property=${props}`]).stdout
                .trim().split("\n").map(line => line.split(/=(.*)/s).slice(0, 2)));
            for (const unit of ["suricata-ips.service", "appliance-health.service", "amazon-ssm-agent.service", "amazon-cloudwatch-agent.service"]) {
                assert.strictEqual(show(unit, "ActiveState").ActiveState, "active", unit);
            }
            for (const timer of ["gwlb-hairpin.timer", "suricata-rules-update.timer", "suricata-logrotate.timer"]) {
                const t = show(timer, "ActiveState,NextElapseUSecRealtime,NextElapseUSecMonotonic");
                assert.strictEqual(t.ActiveState, "active", timer);
                const scheduled = (v: string | undefined) => v !== undefined && !["", "0", "n/a", "infinity"].includes(v);
                assert.ok(scheduled(t.NextElapseUSecRealtime) || scheduled(t.NextElapseUSecMonotonic), `${timer} has no next run: ${JSON.stringify(t)}`);
            }
            // A oneshot is inactive once done; done well is what counts.
            assert.deepStrictEqual(show("gwlb-hairpin.service", "Result,ExecMainStatus"), { Result: "success", ExecMainStatus: "0" });
            assert.strictEqual(show("suricata.service", "LoadState").LoadState, "masked");
            for (const unit of ["gwlb-hairpin.service", "gwlb-hairpin.timer", "suricata-ips.service", "appliance-health.service", "suricata-rules-update.timer",
                "suricata-logrotate.timer", "amazon-ssm-agent.service"]) {
                assert.strictEqual(lab.exec(["systemctl", "is-enabled", unit], { allowFail: true }).stdout.trim(), "enabled", `${unit} comes back after a reboot`);
            }
        });

        it("installs units that systemd-analyze verify accepts", () => {
            for (const unit of units) {
                const r = lab.exec(["systemd-analyze", "verify", `/etc/systemd/system/${unit}`], { allowFail: true });
                assert.strictEqual(r.status, 0, `${unit}: ${r.stderr}`);
                assert.doesNotMatch(r.stderr, /not executable|Unknown key|Failed/, unit);
            }
        });

        it("asks EC2 only as EC2 answers: IMDSv2 tokens, signed ENI lookups, the agents from their regional buckets", () => {
            const calls = fs.readFileSync(lab.callsLog, "utf8").trim().split("\n").map(l => JSON.parse(l) as Record<string, unknown>);
            const imds = calls.filter(c => c.service === "imds");
            assert.ok(imds.length >= 3 && imds.every(c => c.token), JSON.stringify(imds));
            assert.ok(calls.some(c => c.service === "ec2" && c.action === "DescribeNetworkInterfaces" && c.signed));
            assert.deepStrictEqual(calls.filter(c => c.service === "s3").map(c => [c.path, c.found]).sort(), [
                ["/amazon-ssm-us-east-1/latest/debian_amd64/amazon-ssm-agent.deb", true],
                ["/ubuntu/amd64/latest/amazon-cloudwatch-agent.deb", true],
            ]);
            const hairpins = lab.exec(["iptables", "-t", "nat", "-S", "GWLB_HAIRPIN"]).stdout.split("\n").filter(l => l.includes("DNAT"));
            assert.deepStrictEqual(hairpins, [`-A GWLB_HAIRPIN -s ${LAB.gwlbAddress}/32 -d ${LAB.applianceAddress}/32 -p udp -m udp --dport 6081 -j DNAT --to-destination ${LAB.gwlbAddress}:6081`],
                "only the ENIs described as this GWLB's");
        });
    });

    describe("hairpin", () => {
        it("returns GENEVE from the GWLB's address to it on 6081 with the inner packet byte for byte: a TCP handshake, a GET and its answer", async () => {
            const f = await flow("benign");
            assert.ok(allBack(await gwlb.handshake(f)), "handshake");
            assert.ok(allBack(await gwlb.request(f, "/petstore/pets/1")), "GET");
            assert.ok(allBack(await gwlb.response(f)), "200 and its ACK");
        });
    });

    describe("IPS", () => {
        it("drops the self-test request and logs it blocked in eve.json", async () => {
            const f = await flow("self-test");
            assert.ok(allBack(await gwlb.handshake(f)));
            assert.ok(noneBack(await gwlb.request(f, "/petstore/pets/1", ["X-Inspected-Api-Test: drop"])), "the request must not pass");
            await until("the self-test alert", () => alerts().some(a => a.signatureId === 9100001 && a.action === "blocked"), 5000);
        });

        it("drops a hit of a drop category (web_server), an alert rule in the source turned into drop by drop.conf", async () => {
            const f = await flow("web-server");
            assert.ok(allBack(await gwlb.handshake(f)));
            assert.ok(noneBack(await gwlb.request(f, "/static/../../etc/passwd")));
            await until("the web_server alert", () => alerts().some(a => a.signatureId === 2999001 && a.action === "blocked"), 5000);
        });

        it("only alerts on a category that is not dropped, and lets the request pass", async () => {
            const f = await flow("info");
            assert.ok(allBack(await gwlb.handshake(f)));
            assert.ok(allBack(await gwlb.request(f, "/petstore/pets", ["User-Agent: lab-info-marker"])));
            await until("the info alert", () => alerts().some(a => a.signatureId === 2999002 && a.action === "allowed"), 5000);
        });
    });

    describe("health", () => {
        it("answers 200 while Suricata inspects", () => {
            assert.strictEqual(health(), 200);
        });

        it("after kill -9 of Suricata: fails within one health-check interval and forwards nothing uninspected; after systemd restarts it, 200 and traffic again", async () => {
            const pid = lab.exec(["systemctl", "show", "-P", "MainPID", "suricata-ips.service"]).stdout.trim();
            // Never `kill -9 0`: that would kill this test's own process group.
            assert.match(pid, /^[1-9][0-9]*$/, "suricata-ips.service has no main process");
            lab.exec(["kill", "-9", pid]);
            const failedAfter = await until("health answering 503", () => health() === 503, HEALTH_CHECK_INTERVAL_MS);
            assert.ok(failedAfter < HEALTH_CHECK_INTERVAL_MS);
            const f = await flow("while-down");
            assert.ok(noneBack(await gwlb.handshake(f)), "fail closed: no verdict, no forwarding");
            await until("health back after the restart", () => health() === 200, 60_000);
            assert.notStrictEqual(lab.exec(["systemctl", "show", "-P", "MainPID", "suricata-ips.service"]).stdout.trim(), pid);
            const g = await flow("after-restart");
            assert.ok(allBack(await gwlb.handshake(g)));
            assert.ok(allBack(await gwlb.request(g, "/petstore/pets/2")));
        });
    });

    describe("rules refresh", () => {
        const rulesDigest = () => crypto.createHash("sha256").update(lab.readFile("var/lib/suricata/rules/suricata.rules")).digest("hex");

        it("refreshes from the rule source through its unit, reloads the engine past a broken rule, and keeps established flows", async () => {
            const f = await flow("across-reload");
            assert.ok(allBack(await gwlb.handshake(f)));
            assert.ok(allBack(await gwlb.request(f, "/petstore/pets/3")));
            const reloadsBefore = (lab.readFile("var/log/suricata/suricata.log").match(/rule reload complete/g) ?? []).length;
            lab.publishRules([RULES, REFRESHED_RULES]);
            const run = lab.exec(["systemctl", "start", "suricata-rules-update.service"], { allowFail: true, timeoutMs: 180_000 });
            assert.strictEqual(run.status, 0, run.stderr + lab.exec(["journalctl", "-u", "suricata-rules-update", "--no-pager"], { allowFail: true }).stdout);
            await until("the rule reload", () => (lab.readFile("var/log/suricata/suricata.log").match(/rule reload complete/g) ?? []).length > reloadsBefore, 60_000);
            assert.match(lab.readFile("var/log/suricata/suricata.log"), /no_such_keyword[\s\S]*rule reload complete/, "the broken rule was read, reported and skipped");
            assert.strictEqual(health(), 200, "a broken rule in a feed does not take the appliance out");
            assert.ok(allBack(await gwlb.response(f)), "the flow opened before the reload goes on");
            assert.ok(allBack(await gwlb.request(f, "/petstore/pets/4")));
            const g = await flow("new-rule");
            assert.ok(allBack(await gwlb.handshake(g)));
            assert.ok(noneBack(await gwlb.request(g, "/foodstore/foods?q=1%20UNION%20SELECT%20password")), "the refreshed rule drops");
            await until("the refreshed rule's alert", () => alerts().some(a => a.signatureId === 2999003 && a.action === "blocked"), 5000);
        });

        it("fails when a source cannot be fetched, keeps the rules it had, and logs the event its alarm counts", () => {
            const before = rulesDigest();
            lab.exec(["rm", "/srv/rules/lab-rules.tar.gz"]);
            const run = lab.exec(["env", "RETRY_DELAY_SECONDS=0", "/usr/local/sbin/suricata-rules-update"], { allowFail: true, timeoutMs: 180_000 });
            lab.publishRules([RULES, REFRESHED_RULES]);
            assert.strictEqual(run.status, 1, run.stderr);
            assert.match(run.stderr, /failed 5 times/);
            assert.strictEqual(rulesDigest(), before, "the rules it had stay");
            const events = lab.readFile("var/log/inspected-api/events.json").trim().split("\n").map(l => JSON.parse(l));
            assert.ok(events.some(e => e.event_type === "rules_update_failed"), JSON.stringify(events));
        });

        it("rotates eve.json with the appliance's own stanza, the packaged one diverted; Suricata and the agent's user move to the new file", async () => {
            assert.strictEqual(lab.exec(["test", "-e", "/etc/logrotate.d/suricata"], { allowFail: true }).status, 1, "the packaged stanza is out of logrotate's way");
            const agentReads = (file: string) => lab.exec(["runuser", "-u", "cwagent", "--", "head", "-c", "1", file], { allowFail: true }).status === 0;
            assert.ok(agentReads("/var/log/suricata/eve.json"), "the CloudWatch agent's user reads eve.json");
            const r = lab.exec(["logrotate", "--force", "--state", "/var/lib/logrotate/suricata.status", "/etc/inspected-api/logrotate-suricata.conf"], { allowFail: true });
            assert.strictEqual(r.status, 0, r.stderr);
            assert.ok(lab.readFile("var/log/suricata/eve.json.1").length > 0, "rotated");
            const hourly = lab.exec(["systemctl", "start", "suricata-logrotate.service"], { allowFail: true });
            assert.strictEqual(hourly.status, 0, `the hourly unit runs: ${hourly.stderr}`);
            const f = await flow("after-rotate");
            assert.ok(allBack(await gwlb.handshake(f)));
            assert.ok(noneBack(await gwlb.request(f, "/petstore/pets/5", ["X-Inspected-Api-Test: drop"])));
            await until("an alert in the new eve.json", () => alerts().some(a => a.signatureId === 9100001), 10_000);
            assert.ok(agentReads("/var/log/suricata/eve.json"), "and reads the new eve.json");
            assert.ok(agentReads("/var/log/inspected-api/events.json"), "and the appliance's events");
        });
    });
});
