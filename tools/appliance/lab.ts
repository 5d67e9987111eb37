/**
 * The appliance lab: boots the default appliance's real user data under cloud-init and systemd in a Debian 13
 * container (systemd-nspawn), wired by a veth to a namespace that plays the Gateway Load Balancer and serves the
 * stand-ins for what EC2 provides (tools/appliance/standins.py). Used by npm run test:appliance and
 * npm run bench:appliance. Root only: it mounts, makes namespaces and boots a container.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SuricataApplianceSettings, suricataUserData } from "../../components/inspection/appliance/userData";
import { Result, run } from "./run";
import { standInAgent, standInCertificate } from "./standInFiles";

const HERE = __dirname;
const TEMPLATE = path.join(HERE, "..", "..", "components", "inspection", "appliance", "suricata-ips.sh");
const PYTHON = "/usr/bin/python3";

/** Addresses of the lab, from the benchmarking range (RFC 2544): nothing outside this machine's namespaces. */
export const LAB = {
    region: "us-east-1",
    gwlbAddress: "198.18.0.1",
    applianceAddress: "198.18.0.10",
    prefix: 24,
    instanceId: "i-0b007e57a991a4ce0",
    gwlbEniDescription: "ELB gwy/inspection-gwlb-0a1b2c3/0123456789abcdef",
    homeNet: ["10.0.0.0/16"],
    httpPorts: [80, 8080],
    healthPort: 8080,
    healthPath: "/health",
} as const;

/** Where the lab's rule source (a stand-in for ET Open) is, inside the appliance: the user data's RULE_URLS. */
export const LAB_RULE_URL = "file:///srv/rules/lab-rules.tar.gz";
/** The lab's rule source, and what a refresh adds to it. */
export const RULES = path.join(HERE, "rules");
export const REFRESHED_RULES = path.join(HERE, "rules-refresh");

/** The AWS hosts the user data reaches over HTTPS; the lab resolves them to the stand-ins. */
const AWS_HOSTS = [
    `ec2.${LAB.region}.amazonaws.com`,
    `s3.${LAB.region}.amazonaws.com`,
    `amazoncloudwatch-agent-${LAB.region}.s3.${LAB.region}.amazonaws.com`,
];

/** The user data the lab boots: the production template, rendered for the lab's addresses and rule source. */
export function labUserData(): Buffer {
    const settings: SuricataApplianceSettings = {
        genevePort: 6081,
        healthPort: LAB.healthPort,
        healthPath: LAB.healthPath,
        gwlbEniDescription: LAB.gwlbEniDescription,
        alertsLogGroup: "inspection-appliances-alerts-lab",
        homeNet: LAB.homeNet,
        httpPorts: LAB.httpPorts,
        ruleUrls: [LAB_RULE_URL],
    };
    return suricataUserData(settings);
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** What the lab needs of this machine; each missing piece named, never skipped over. */
export function missingPrerequisites(): string[] {
    const missing: string[] = [];
    if (process.getuid?.() !== 0) {
        missing.push("root (the lab mounts an overlay, makes network namespaces and boots a container)");
    }
    for (const [tool, pkg] of [["systemd-nspawn", "systemd-container"], ["debootstrap", "debootstrap"], ["dpkg-scanpackages", "dpkg-dev"],
        ["ip", "iproute2"], ["nsenter", "util-linux"], ["openssl", "openssl"], ["dpkg-deb", "dpkg"]] as const) {
        if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) {
            missing.push(`${tool} (apt-get install ${pkg})`);
        }
    }
    if (spawnSync(PYTHON, ["-c", "import scapy.all"]).status !== 0) {
        missing.push("scapy for /usr/bin/python3 (apt-get install python3-scapy)");
    }
    return missing;
}

/** The cached Debian 13 root (tools/appliance/root.sh builds it on first use). */
export function applianceRoot(): string {
    return run("bash", [path.join(HERE, "root.sh"), TEMPLATE], { timeoutMs: 15 * 60_000 }).stdout.trim();
}

export class ApplianceLab {
    readonly work: string;
    private readonly id = `${process.pid}`;
    private readonly gwlbNs = `ia-gwlb-${this.id}`;
    private readonly applianceNs = `ia-appliance-${this.id}`;
    private readonly merged: string;
    private nspawn?: ChildProcess;
    private standins?: ChildProcess;
    private initPid?: number;
    readonly console: string;
    readonly callsLog: string;

    private constructor(readonly root: string) {
        this.work = fs.mkdtempSync(path.join(os.tmpdir(), "ia-appliance-lab-"));
        this.merged = path.join(this.work, "merged");
        this.console = path.join(this.work, "console.log");
        this.callsLog = path.join(this.work, "stand-in-calls.jsonl");
    }

    /** Boots `userData` (the bytes EC2 would be given) and waits until cloud-init has run it. */
    static async boot(userData: Buffer, bootTimeoutMs = 300_000): Promise<ApplianceLab> {
        const missing = missingPrerequisites();
        if (missing.length > 0) {
            throw new Error(`the appliance lab cannot run here; missing: ${missing.join("; ")}`);
        }
        const lab = new ApplianceLab(applianceRoot());
        // Interrupted, it still unmounts, deletes its namespaces and stops the container.
        for (const signal of ["SIGINT", "SIGTERM"] as const) {
            process.once(signal, () => void lab.stop().finally(() => process.exit(130)));
        }
        try {
            lab.mountOverlay();
            lab.seed(userData);
            lab.publishRules([RULES]);
            lab.network();
            await lab.startStandins();
            await lab.startContainer(bootTimeoutMs);
        } catch (e) {
            await lab.stop();
            throw e;
        }
        return lab;
    }

    private mountOverlay(): void {
        for (const dir of ["upper", "workdir", "merged"]) {
            fs.mkdirSync(path.join(this.work, dir));
        }
        run("mount", ["-t", "overlay", "overlay", "-o",
            `lowerdir=${this.root},upperdir=${path.join(this.work, "upper")},workdir=${path.join(this.work, "workdir")}`, this.merged]);
    }

    /** NoCloud seed with the user data, the stand-ins' names and test CA, and the stand-in agent packages. */
    private seed(userData: Buffer): void {
        const m = (p: string) => path.join(this.merged, p);
        fs.mkdirSync(m("var/lib/cloud/seed/nocloud"), { recursive: true });
        fs.writeFileSync(m("var/lib/cloud/seed/nocloud/meta-data"), `instance-id: ${LAB.instanceId}\nlocal-hostname: appliance\n`);
        fs.writeFileSync(m("var/lib/cloud/seed/nocloud/user-data"), userData);
        // The VPC configures an instance's network; here the lab does, before boot.
        fs.writeFileSync(m("etc/cloud/cloud.cfg.d/90-appliance-lab.cfg"), "datasource_list: [ NoCloud ]\nnetwork: { config: disabled }\n");
        fs.appendFileSync(m("etc/hosts"), `127.0.0.1 localhost\n${AWS_HOSTS.map(h => `${LAB.gwlbAddress} ${h}`).join("\n")}\n`);

        const pki = standInCertificate(path.join(this.work, "pki"), AWS_HOSTS);
        fs.copyFileSync(pki.ca, m("usr/local/share/ca-certificates/appliance-lab-ca.crt"));
        run("chroot", [this.merged, "update-ca-certificates"]);

        const debs = path.join(this.work, "debs");
        fs.mkdirSync(debs);
        const objects: Record<string, string> = {
            [`s3.${LAB.region}.amazonaws.com/amazon-ssm-${LAB.region}/latest/debian_amd64/amazon-ssm-agent.deb`]: standInAgent(debs, "amazon-ssm-agent"),
            [`amazoncloudwatch-agent-${LAB.region}.s3.${LAB.region}.amazonaws.com/ubuntu/amd64/latest/amazon-cloudwatch-agent.deb`]: standInAgent(debs, "amazon-cloudwatch-agent"),
        };
        fs.writeFileSync(path.join(this.work, "standins.json"), JSON.stringify({
            region: LAB.region, applianceAddress: LAB.applianceAddress, instanceId: LAB.instanceId, awsAddress: LAB.gwlbAddress,
            certificate: pki.certificate, key: pki.key, callsLog: this.callsLog, objects,
            enis: [{ description: LAB.gwlbEniDescription, address: LAB.gwlbAddress }, { description: "ELB app/someone-else/1", address: "198.18.0.99" }],
        }));
    }

    private network(): void {
        run("ip", ["netns", "add", this.gwlbNs]);
        run("ip", ["netns", "add", this.applianceNs]);
        run("ip", ["link", "add", "gwlb0", "netns", this.gwlbNs, "type", "veth", "peer", "name", "eth0", "netns", this.applianceNs]);
        this.inGwlb(["ip", "addr", "add", `${LAB.gwlbAddress}/${LAB.prefix}`, "dev", "gwlb0"]);
        this.inGwlb(["ip", "addr", "add", "169.254.169.254/32", "dev", "lo"]);
        for (const [ns, dev] of [[this.gwlbNs, "gwlb0"], [this.applianceNs, "eth0"]]) {
            run("ip", ["-n", ns, "link", "set", "lo", "up"]);
            run("ip", ["-n", ns, "link", "set", dev, "up"]);
        }
        run("ip", ["-n", this.applianceNs, "addr", "add", `${LAB.applianceAddress}/${LAB.prefix}`, "dev", "eth0"]);
        run("ip", ["-n", this.applianceNs, "route", "add", "default", "via", LAB.gwlbAddress]);
    }

    private async startStandins(): Promise<void> {
        const log = fs.openSync(path.join(this.work, "standins.log"), "a");
        this.standins = spawn("ip", ["netns", "exec", this.gwlbNs, PYTHON, path.join(HERE, "standins.py"), path.join(this.work, "standins.json")],
            { stdio: ["ignore", log, log] });
        for (let i = 0; i < 100; i++) {
            if (fs.readFileSync(path.join(this.work, "standins.log"), "utf8").includes("stand-ins ready")) {
                return;
            }
            if (this.standins.exitCode !== null) {
                break;
            }
            await sleep(100);
        }
        throw new Error(`the stand-ins did not start:\n${fs.readFileSync(path.join(this.work, "standins.log"), "utf8")}`);
    }

    private async startContainer(bootTimeoutMs: number): Promise<void> {
        fs.mkdirSync("/run/systemd/nspawn", { recursive: true });
        if (run("mountpoint", ["-q", "/run/systemd/nspawn"], { allowFail: true }).status !== 0) {
            run("mount", ["-t", "tmpfs", "tmpfs", "/run/systemd/nspawn"]);
        }
        const consoleFd = fs.openSync(this.console, "a");
        this.nspawn = spawn("systemd-nspawn", [
            "--register=no", "--keep-unit", "--quiet", "--console=read-only", "-D", this.merged, `--machine=ia-appliance-${this.id}`,
            `--network-namespace-path=/run/netns/${this.applianceNs}`, "--private-network", "-b",
        ], { stdio: ["ignore", consoleFd, consoleFd] });
        const deadline = Date.now() + bootTimeoutMs;
        while (this.initPid === undefined) {
            const child = run("pgrep", ["-P", String(this.nspawn.pid), "-x", "systemd"], { allowFail: true }).stdout.trim();
            if (child) {
                this.initPid = Number(child.split("\n")[0]);
            } else if (this.nspawn.exitCode !== null || Date.now() > deadline) {
                throw new Error(`the container did not start:\n${this.consoleTail()}`);
            } else {
                await sleep(200);
            }
        }
        const left = () => Math.max(1000, deadline - Date.now());
        // systemctl cannot answer until systemd has its socket; --wait then waits for the boot to settle.
        let state = this.exec(["systemctl", "is-system-running", "--wait"], { allowFail: true, timeoutMs: left() });
        while (state.stdout.trim() === "" && Date.now() < deadline) {
            await sleep(500);
            state = this.exec(["systemctl", "is-system-running", "--wait"], { allowFail: true, timeoutMs: left() });
        }
        if (!["running", "degraded"].includes(state.stdout.trim())) {
            throw new Error(`systemd in the container reached '${state.stdout.trim()}' (${state.stderr.trim()}):\n${this.consoleTail()}`);
        }
        this.exec(["cloud-init", "status", "--wait"], { allowFail: true, timeoutMs: left() });
    }

    /** Runs a command inside the booted appliance, as root, in all its namespaces. */
    exec(command: readonly string[], options: { input?: string; allowFail?: boolean; timeoutMs?: number } = {}): Result {
        if (this.initPid === undefined) {
            throw new Error("the appliance is not running");
        }
        return run("nsenter", ["-t", String(this.initPid), "-m", "-u", "-i", "-n", "-p", "--",
            "/usr/bin/env", "-i", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ...command], options);
    }

    /** Runs a command in the namespace that plays the Gateway Load Balancer. */
    inGwlb(command: readonly string[], options: { input?: string; allowFail?: boolean; timeoutMs?: number } = {}): Result {
        return run("ip", ["netns", "exec", this.gwlbNs, ...command], options);
    }

    /** Starts the GENEVE driver (tools/appliance/geneve.py) in the GWLB's namespace. */
    geneve(mode: "session" | "bench", args: readonly string[] = []): ChildProcess {
        return spawn("ip", ["netns", "exec", this.gwlbNs, PYTHON, path.join(HERE, "geneve.py"), mode,
            "--gwlb", LAB.gwlbAddress, "--appliance", LAB.applianceAddress, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    }

    /** Replaces the archive at {@link LAB_RULE_URL} with the .rules files of `dirs`, as ET lays them out. */
    publishRules(dirs: readonly string[]): void {
        const staging = fs.mkdtempSync(path.join(this.work, "rules-"));
        fs.mkdirSync(path.join(staging, "rules"));
        for (const dir of dirs) {
            for (const file of fs.readdirSync(dir).filter(f => f.endsWith(".rules"))) {
                fs.copyFileSync(path.join(dir, file), path.join(staging, "rules", file));
            }
        }
        fs.mkdirSync(path.join(this.merged, "srv", "rules"), { recursive: true });
        run("tar", ["-czf", path.join(this.merged, new URL(LAB_RULE_URL).pathname), "-C", staging, "rules"]);
    }

    readFile(p: string): string {
        const file = path.join(this.merged, p);
        return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    }

    consoleTail(lines = 60): string {
        return fs.existsSync(this.console) ? fs.readFileSync(this.console, "utf8").split("\n").slice(-lines).join("\n") : "";
    }

    async stop(): Promise<void> {
        if (this.nspawn && this.nspawn.exitCode === null) {
            const exited = new Promise(resolve => this.nspawn!.once("exit", resolve));
            this.nspawn.kill("SIGTERM");
            await Promise.race([exited, sleep(20_000)]);
            if (this.nspawn.exitCode === null) {
                this.nspawn.kill("SIGKILL");
                await Promise.race([exited, sleep(5_000)]);
            }
        }
        this.standins?.kill("SIGTERM");
        run("umount", ["-R", this.merged], { allowFail: true });
        run("ip", ["netns", "del", this.gwlbNs], { allowFail: true });
        run("ip", ["netns", "del", this.applianceNs], { allowFail: true });
        if (!process.env.KEEP_APPLIANCE_LAB) {
            fs.rmSync(this.work, { recursive: true, force: true });
        }
    }
}
