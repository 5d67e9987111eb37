import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import { parseArgs, proveInspection, renderPosture } from "../tools/plan";
import { renderDiagram } from "../tools/plan/diagram";
import { checkPosture } from "../tools/plan/posture";
import { miswiredNetwork } from "./fixtures/miswiredNetwork";
import { deploy, PROJECT_DIR } from "./kit";
import { capture, outDir, plan } from "./kit/planCli";
import { redactSecrets } from "../tools/plan/diff";

describe("npm run plan", () => {
    // One in-process plan of the dev stack serves the tests that only read its output.
    let dev: Awaited<ReturnType<typeof plan>>;
    before(async () => {
        dev = await plan();
    });

    it("prints every resource of the dev stack with its type, name and parent", () => {
        const { code, out } = dev;
        assert.strictEqual(code, 0);
        assert.match(out, /stack dev · us-east-1 · \d+ resources/);
        assert.match(out, /^\s+aws:ec2\/subnet:Subnet\s+workload-service-0\s+workload$/m);
        assert.match(out, /^inspected-api:network:WorkloadVpc\s+workload\s+\(stack\)$/m);
        assert.match(out, /^\s+aws:ec2\/flowLog:FlowLog\s+workload-flow-logs-flow-log\s+workload-flow-logs$/m);
        assert.match(out, /^\s+12\s+aws:ec2\/subnet:Subnet$/m, "4 workload and 2 security tiers in 2 AZs");
        assert.match(out, /"vpcId": "vpc-[0-9a-f]{17}"/);
    });

    /** The workload VPC and routing through the components' public API, with one argument miswired. */
    const miswired = (miswire: Parameters<typeof miswiredNetwork>[0]) => deploy({ program: () => miswiredNetwork(miswire) });

    it("fails the proof for a miswired program, naming each broken flow hop by hop", async () => {
        // The vpcLink tables in the wrong AZ order: requests leave AZ x through endpoint y, responses return through x.
        const run = await miswired(w => ({ vpcLinkSubnets: { ...w.vpcLinkSubnets, routeTableIds: [...w.vpcLinkSubnets.routeTableIds].reverse() } }));
        const proof = proveInspection(run);
        assert.strictEqual(proof.ok, false);
        assert.match(proof.text, /^FAIL 0\/4 vpcLink⇄service flows inspected, symmetric$/m);
        assert.match(proof.text, /workload-vpcLink-0 ⇄ workload-service-1: asymmetric \(the request passes routing-gwlbe-1 but the response routing-gwlbe-0/);
        assert.match(proof.text, /request: {2}workload-vpcLink-0 \[workload-vpcLink-rt-0: 10\.0\.32\.0\/20 → GWLB endpoint routing-gwlbe-1\]/);
    });

    it("fails the proof when flows are inspected by an endpoint in another AZ", async () => {
        const run = await miswired(w => ({ endpointSubnets: { ...w.endpointSubnets, subnetIds: [...w.endpointSubnets.subnetIds].reverse() } }));
        const proof = proveInspection(run);
        assert.strictEqual(proof.ok, false);
        assert.match(proof.text, /^ok {3}4\/4 vpcLink⇄service flows inspected, symmetric$/m);
        assert.match(proof.text, /^FAIL 0\/4 inspected flows enter through the endpoint in their vpcLink subnet's AZ$/m);
        assert.match(proof.text, /workload-vpcLink-0 \(use1-az1\) → workload-service-0: enters through routing-gwlbe-0 in use1-az2/);
    });

    it("passes every posture check on the dev stack, and writes PLAN.md and plan.json", () => {
        const { code, out } = dev;
        assert.strictEqual(code, 0);
        for (const name of ["no-public-ips", "imdsv2", "customer-managed-keys", "pitr-and-backup", "security-group-sources", "put-only-jwt", "no-wildcard-data-actions", "log-retention"]) {
            assert.match(out, new RegExp(`^ok {3}${name}: .* \\([1-9]\\d* checked\\)$`, "m"), name);
        }
        const { dir } = dev;
        const report = JSON.parse(fs.readFileSync(path.join(dir, "plan.json"), "utf8"));
        assert.strictEqual(report.ok, true);
        assert.strictEqual(report.inspection.flows.length, 4);
        assert.strictEqual(report.resources.count, report.resources.all.length);
        assert.match(fs.readFileSync(path.join(dir, "PLAN.md"), "utf8"), /```mermaid\nflowchart LR\n/);
    });

    it("prints plan.json with --json", async () => {
        const { code, out } = await plan("--json");
        assert.strictEqual(code, 0);
        const report = JSON.parse(out);
        assert.deepStrictEqual(Object.keys(report), ["stack", "region", "ok", "resources", "outputs", "inspection", "posture", "cost", "diagram"]);
    });

    it("fails posture checks naming the offending resources", async () => {
        const run = await deploy({
            program: () => {
                const vpc = new aws.ec2.Vpc("v", { cidrBlock: "10.0.0.0/16" });
                new aws.ec2.Subnet("public-by-mistake", { vpcId: vpc.id, cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: true });
                new aws.cloudwatch.LogGroup("forever", {});
                const sg = new aws.ec2.SecurityGroup("sg", { vpcId: vpc.id });
                new aws.vpc.SecurityGroupIngressRule("open", { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" });
                const role = new aws.iam.Role("r", { assumeRolePolicy: "{}" });
                new aws.iam.RolePolicy("greedy", { role: role.id, policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "dynamodb:*", Resource: "*" }] }) });
            },
        });
        const checks = checkPosture(run.resources);
        const failed = Object.fromEntries(checks.filter(c => c.offenders.length > 0).map(c => [c.name, c.offenders]));
        assert.deepStrictEqual(failed["no-public-ips"], ["public-by-mistake: maps public IPs on launch"]);
        assert.deepStrictEqual(failed["customer-managed-keys"], ["forever: not under a CMK"]);
        assert.deepStrictEqual(failed["log-retention"], ["forever: kept forever"]);
        assert.deepStrictEqual(failed["security-group-sources"], ["open: open to the internet"]);
        assert.deepStrictEqual(failed["no-wildcard-data-actions"], ["greedy: allows dynamodb:*"]);
        // Checks with nothing to look at fail rather than pass vacuously.
        assert.match(failed["imdsv2"][0], /nothing to check/);
        assert.match(renderPosture(checks), /^FAIL no-public-ips: .*\n {7}public-by-mistake: maps public IPs on launch$/m);
    });

    it("draws every AZ's GWLB endpoint in its endpoint subnet", async () => {
        const run = await deploy({ config: { availabilityZoneCount: 3 } });
        const diagram = renderDiagram(run.resources);
        for (let az = 0; az < 3; az++) {
            assert.match(diagram, new RegExp(`workload_endpoint_${az} --- routing_gwlbe_${az}\n`));
            assert.match(diagram, new RegExp(`routing_gwlbe_${az} <-->\\|GENEVE 6081\\| inspection_gwlb`));
        }
        assert.match(diagram, /petstore_service --> data_petstore\[\("DynamoDB data-petstore"\)\]/);
    });

    it("takes the stack and config overrides", async () => {
        const { code, out } = await plan("--stack", "prod", "--config", "availabilityZoneCount=6");
        assert.strictEqual(code, 0);
        assert.match(out, /stack prod · eu-west-1/);
        assert.match(out, /^\s+36\s+aws:ec2\/subnet:Subnet$/m);
    });

    it("exits 2 on invalid config, naming the key, and prints and writes nothing", async () => {
        const { code, out, err, dir } = await plan("--config", "workloadEgress=internet");
        assert.strictEqual(code, 2);
        assert.ok(!fs.existsSync(dir), "nothing written");
        assert.match(err, /inspected-api:workloadEgress = "internet": must be exactly one of "endpoints", "nat"/);
        assert.strictEqual(out, "");
    });

    it("exits 2 on an unknown stack or argument", async () => {
        assert.strictEqual((await plan("--stack", "nope")).code, 2);
        assert.strictEqual((await plan("--verbose")).code, 2);
        assert.throws(() => parseArgs(["--config", "novalue"]), /key=value/);
    });

    it("runs as `npm run plan` from the project root, proving every vpcLink⇄service flow inspected", () => {
        const result = spawnSync("npm", ["run", "--silent", "plan", "--", "--config", "availabilityZoneCount=3", "--out", outDir()], { cwd: PROJECT_DIR, encoding: "utf8" });
        assert.strictEqual(result.status, 0, result.stderr);
        assert.match(result.stdout, /^\s+18\s+aws:ec2\/subnet:Subnet$/m);
        assert.match(result.stdout, /^ok {3}9\/9 vpcLink⇄service flows inspected, symmetric$/m);
        assert.match(result.stdout, /^ok {3}9\/9 inspected flows enter through the endpoint in their vpcLink subnet's AZ$/m);
        assert.match(result.stdout, /^ok {3}0 routes AWS would reject$/m);
    });

    it("exits 3 from the command line for a program of one's own with a broken route, naming the flow hop by hop", () => {
        const out = outDir();
        const result = spawnSync("npm", ["run", "--silent", "plan", "--", "--program", "tests/fixtures/asymmetricProgram.ts", "--out", out],
            { cwd: PROJECT_DIR, encoding: "utf8" });
        assert.strictEqual(result.status, 3, result.stderr);
        assert.match(result.stdout, /^FAIL 0\/4 vpcLink⇄service flows inspected, symmetric$/m);
        assert.match(result.stdout, /workload-vpcLink-1 ⇄ workload-service-0: asymmetric \(the request passes routing-gwlbe-0 but the response routing-gwlbe-1/);
        assert.match(result.stdout, /response: workload-service-0 \[workload-service-rt-0: 10\.0\.\d+\.0\/\d+ → GWLB endpoint routing-gwlbe-1\]/);
        // Written where asked, not over the dev stack's plan.
        const report = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8"));
        assert.strictEqual(report.ok, false);
        assert.match(fs.readFileSync(path.join(out, "PLAN.md"), "utf8"), /mock run of `tests\/fixtures\/asymmetricProgram\.ts`/);
        fs.rmSync(out, { recursive: true });
    });

    it("writes a program of one's own beside the stack's plan, never over it, and reads paths from where npm was run", async () => {
        const committed = path.join(PROJECT_DIR, "plan", "dev", "PLAN.md");
        const before = fs.existsSync(committed) ? fs.readFileSync(committed, "utf8") : undefined;
        const own = path.join(PROJECT_DIR, "plan", "dev-asymmetricProgram");
        fs.rmSync(own, { recursive: true, force: true });
        const initCwd = process.env.INIT_CWD;
        process.env.INIT_CWD = path.join(PROJECT_DIR, "tests");
        try {
            // Without --out, as a user would run it.
            assert.strictEqual((await capture(["--program", "fixtures/asymmetricProgram.ts"])).code, 3);
            assert.ok(fs.existsSync(path.join(own, "PLAN.md")), "written to plan/dev-asymmetricProgram");
            assert.strictEqual(fs.existsSync(committed) ? fs.readFileSync(committed, "utf8") : undefined, before, "plan/dev untouched");
            const out = outDir();
            const { code } = await capture(["--program", "fixtures/asymmetricProgram.ts", "--out", path.relative(process.env.INIT_CWD, out)]);
            assert.strictEqual(code, 3);
            assert.ok(fs.existsSync(path.join(out, "plan.json")), "--out resolved from INIT_CWD");
        } finally {
            process.env.INIT_CWD = initCwd;
            fs.rmSync(own, { recursive: true, force: true });
        }
    });

    it("exits 2 when --out is a file or --program does not exist", async () => {
        const file = path.join(path.dirname(outDir()), "taken");
        fs.writeFileSync(file, "");
        assert.throws(() => parseArgs(["--out", file]), /--out: .*taken exists and is not a directory/);
        assert.throws(() => parseArgs(["--program", "no/such/program.ts"]), /--program: no such file .*no\/such\/program\.ts/);
        assert.strictEqual((await plan("--program", "no/such/program.ts")).code, 2);
    });
});

describe("npm run plan --program, for a program that is part of a system", function () {
    this.timeout(120_000);

    it("plans examples/existing-vpc with exit 0: the VPC outside it is reported as not simulated, not failed", async () => {
        const { code, out } = await plan("--program", "examples/existing-vpc/index.ts");
        assert.strictEqual(code, 0, out);
        assert.match(out, /^n\/a {2}no vpcLink⇄service flows: this program has no subnets tagged tier=vpcLink and tier=service/m);
        assert.match(out, /^n\/a {2}8 routes into 4 route tables outside this program: not simulated$/m);
        assert.match(out, /^ok {3}0 routes AWS would reject$/m);
        assert.match(out, /^n\/a {2}pitr-and-backup: .*\(0 checked\)$/m);
        assert.match(out, /^ok {3}imdsv2: .*\(1 checked\)$/m);
    });

    it("still checks what the program has, and the stack program must be the whole system", async () => {
        const run = await deploy({
            program: () => {
                const ok = new aws.cloudwatch.LogGroup("kept", { retentionInDays: 30, kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k" });
                const forever = new aws.cloudwatch.LogGroup("forever", { kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k" });
                return { ok: ok.name, forever: forever.name };
            },
        });
        const partial = checkPosture(run.resources, true);
        assert.deepStrictEqual(partial.find(c => c.name === "log-retention")?.offenders, ["forever: kept forever"]);
        assert.deepStrictEqual(partial.find(c => c.name === "pitr-and-backup")?.offenders, []);
        assert.deepStrictEqual(checkPosture(run.resources).find(c => c.name === "pitr-and-backup")?.offenders,
            ["(nothing to check: the plan has none of these resources)"]);
        assert.strictEqual(proveInspection(run, true).ok, true, "nothing to simulate in a partial program");
        assert.strictEqual(proveInspection(run).ok, false, "the stack program must have flows to prove");
    });

    it("plans examples/whole-system with every flow proven", async () => {
        const { code, out } = await plan("--program", "examples/whole-system/index.ts");
        assert.strictEqual(code, 0, out);
        assert.match(out, /^ok {3}9\/9 vpcLink⇄service flows inspected, symmetric$/m);
        assert.doesNotMatch(out, /^n\/a/m);
    });
});

describe("npm run plan, as a reviewer and a new user meet it", function () {
    this.timeout(120_000);

    it("prints usage for --help and exits 0", async () => {
        const { code, out } = await capture(["--help"]);
        assert.strictEqual(code, 0);
        assert.match(out, /^usage: npm run plan/);
    });

    it("refuses a region AWS does not have, naming the one meant, with exit 2", async () => {
        const { code, err } = await plan("--config", "aws:region=us-east1");
        assert.strictEqual(code, 2);
        assert.match(err, /aws:region = "us-east1": not an AWS region; did you mean us-east-1\?/);
    });

    it("writes a run with other config beside the committed plan, never over it", async () => {
        const committed = path.join(PROJECT_DIR, "plan", "dev", "PLAN.md");
        const before = fs.readFileSync(committed, "utf8");
        const custom = path.join(PROJECT_DIR, "plan", "dev-custom");
        try {
            const { code, out } = await capture(["--config", "availabilityZoneCount=3"]);
            assert.strictEqual(code, 0);
            assert.match(out, /Wrote plan\/dev-custom\/PLAN\.md and plan\.json$/);
            assert.strictEqual(fs.readFileSync(committed, "utf8"), before);
            const json = fs.readFileSync(path.join(custom, "plan.json"), "utf8");
            assert.deepStrictEqual(json.match(/\d+\.\d{7,}/g), null, "no float noise");
        } finally {
            fs.rmSync(custom, { recursive: true, force: true });
        }
    });

    it("exits 2 with a message when --out cannot be written", async () => {
        const file = path.join(outDir(), "..", "a-file");
        fs.writeFileSync(file, "");
        const { code, err } = await capture(["--out", path.join(file, "plan")]);
        assert.strictEqual(code, 2);
        assert.match(err, /^--out: cannot write the plan to .*a-file\/plan: /);
    });

    it("says so when a program registers nothing (a function exported by name is not run)", async () => {
        const { code, err } = await plan("--program", "tests/fixtures/namedExportProgram.ts");
        assert.strictEqual(code, 1);
        assert.match(err, /namedExportProgram\.ts registered no resources: .*a function exported by name is not run/);
    });
});

describe("npm run plan --diff, for a reviewer", function () {
    this.timeout(120_000);
    const custom = path.join(PROJECT_DIR, "plan", "dev-custom");
    after(() => fs.rmSync(custom, { recursive: true, force: true }));

    it("shows the security group rules and the rest that a new servicePort changes, against the committed plan.json", async () => {
        const { code, out } = await capture(["--config", "servicePort=8443", "--diff"]);
        assert.strictEqual(code, 0, out);
        assert.match(out, /^Changes against plan\/dev\/plan\.json at HEAD: 0 added, 0 removed, \d+ changed$/m);
        for (const rule of ["petstore-from-vpc-link-0", "foodstore-from-vpc-link-1", "api-vpc-link-to-service-0"]) {
            const type = rule.startsWith("api") ? "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule" : "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
            assert.ok(out.includes(`  ~ ${type} ${rule}\n      fromPort: 8080 → 8443\n      toPort: 8080 → 8443`), `${rule} in:\n${out}`);
        }
    });

    it("shows no change when nothing changed, and exits 2 for a ref without a committed plan", async () => {
        const same = await capture(["--diff", "HEAD"]);
        assert.strictEqual(same.code, 0);
        assert.match(same.out, /^Changes against plan\/dev\/plan\.json at HEAD: 0 added, 0 removed, 0 changed \(none\)$/m);
        const none = await plan("--diff", "24af099");
        assert.strictEqual(none.code, 2);
        assert.match(none.err, /^--diff: no plan\/dev\/plan\.json committed at 24af099/);
    });

    it("keeps secrets and checkout paths out of plan.json", () => {
        const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "hunter2" };
        assert.deepStrictEqual(redactSecrets({ a: [secret], b: path.join(PROJECT_DIR, "services"), c: "/elsewhere" }),
            { a: ["[secret]"], b: "./services", c: "/elsewhere" });
    });
});

describe("PLAN.md's section for a reviewer", function () {
    this.timeout(120_000);

    it("states the effective config with origins, every flow's endpoints, the security group rules, IAM and what survives a destroy", async () => {
        const { code, dir } = await plan("--stack", "prod", "--config", "servicePort=8443");
        assert.strictEqual(code, 0);
        const md = fs.readFileSync(path.join(dir, "PLAN.md"), "utf8");
        assert.match(md, /^\| `servicePort` \| `8443` \| --config \|$/m);
        assert.match(md, /^\| `protectData` \| `true` \| Pulumi\.prod\.yaml \|$/m);
        assert.match(md, /^\| `apiThrottleRate` \| `50` \| default \|$/m);
        assert.match(md, /^\| workload-vpcLink-0 \(euw1-az1\) \| workload-service-2 \(euw1-az3\) \| inspected \| routing-gwlbe-0 \| routing-gwlbe-0 \|$/m);
        assert.match(md, /^\| petstore-sg \| in from \| 10\.10\.16\.0\/24 \(workload-vpcLink-0\) \| tcp\/8443 \|$/m);
        assert.match(md, /^\| petstore-task-role \| Allow \| dynamodb:GetItem, dynamodb:PutItem, dynamodb:Scan \| arn:aws:dynamodb:[^|]+:table\/data-petstore-[0-9a-f]+ \|$/m);
        assert.match(md, /^\| aws:dynamodb\/table:Table data-petstore \| retained on destroy, deletion protection \|$/m);
        assert.match(md, /^@pulumi\/pulumi \d+\.\d+\.\d+, @pulumi\/aws \d+\.\d+\.\d+/m);
    });
});
