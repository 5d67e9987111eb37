import * as assert from "assert";
import { spawnSync } from "child_process";
import { InspectedRouting, InspectedRoutingArgs } from "../components/inspection/inspectedRouting";
import { WorkloadVpc } from "../components/network/workloadVpc";
import { main, parseArgs, proveInspection } from "../tools/plan";
import { deploy, PROJECT_DIR } from "./kit";

/** Runs the plan in this process and captures what it prints. */
async function plan(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const [log, error] = [console.log, console.error];
    console.log = (...a: unknown[]) => out.push(a.join(" "));
    console.error = (...a: unknown[]) => err.push(a.join(" "));
    try {
        const code = await main(argv);
        return { code, out: out.join("\n"), err: err.join("\n") };
    } finally {
        [console.log, console.error] = [log, error];
    }
}

describe("npm run plan", () => {
    it("prints every resource of the dev stack with its type, name and parent", async () => {
        const { code, out } = await plan();
        assert.strictEqual(code, 0);
        assert.match(out, /stack dev · us-east-1 · \d+ resources/);
        assert.match(out, /^\s+aws:ec2\/subnet:Subnet\s+workload-service-0\s+workload$/m);
        assert.match(out, /^inspected-api:network:WorkloadVpc\s+workload\s+\(stack\)$/m);
        assert.match(out, /^\s+aws:ec2\/flowLog:FlowLog\s+workload-flow-logs-flow-log\s+workload-flow-logs$/m);
        assert.match(out, /^\s+12\s+aws:ec2\/subnet:Subnet$/m, "4 workload and 2 security tiers in 2 AZs");
        assert.match(out, /"vpcId": "vpc-[0-9a-f]{17}"/);
    });

    it("proves every vpcLink⇄service flow inspected", async () => {
        const { code, out } = await plan("--config", "availabilityZoneCount=3");
        assert.strictEqual(code, 0);
        assert.match(out, /^ok {3}9\/9 vpcLink⇄service flows inspected, symmetric$/m);
        assert.match(out, /^ok {3}9\/9 inspected flows enter through the endpoint in their vpcLink subnet's AZ$/m);
        assert.match(out, /^ok {3}0 routes AWS would reject$/m);
    });

    /** The workload VPC and routing through the components' public API, with one argument miswired. */
    function miswired(miswire: (workload: WorkloadVpc) => Partial<InspectedRoutingArgs>) {
        return deploy({
            program: () => {
                const workload = new WorkloadVpc("workload", {
                    cidrBlock: "10.0.0.0/16",
                    availabilityZoneIds: ["use1-az1", "use1-az2"],
                    egress: "endpoints",
                    flowLogs: { retentionInDays: 7, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k" },
                });
                new InspectedRouting("routing", {
                    vpcId: workload.vpcId,
                    endpointServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
                    endpointSubnets: workload.endpointSubnets,
                    vpcLinkSubnets: workload.vpcLinkSubnets,
                    serviceSubnets: workload.serviceSubnets,
                    ...miswire(workload),
                });
            },
        });
    }

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

    it("takes the stack and config overrides", async () => {
        const { code, out } = await plan("--stack", "prod", "--config", "availabilityZoneCount=6");
        assert.strictEqual(code, 0);
        assert.match(out, /stack prod · eu-west-1/);
        assert.match(out, /^\s+36\s+aws:ec2\/subnet:Subnet$/m);
    });

    it("exits 2 on invalid config, naming the key, and prints no inventory", async () => {
        const { code, out, err } = await plan("--config", "workloadEgress=internet");
        assert.strictEqual(code, 2);
        assert.match(err, /inspected-api:workloadEgress = "internet": must be exactly one of "endpoints", "nat"/);
        assert.strictEqual(out, "");
    });

    it("exits 2 on an unknown stack or argument", async () => {
        assert.strictEqual((await plan("--stack", "nope")).code, 2);
        assert.strictEqual((await plan("--verbose")).code, 2);
        assert.throws(() => parseArgs(["--config", "novalue"]), /key=value/);
    });

    it("runs as `npm run plan` from the project root", () => {
        const result = spawnSync("npm", ["run", "--silent", "plan", "--", "--config", "availabilityZoneCount=3"], { cwd: PROJECT_DIR, encoding: "utf8" });
        assert.strictEqual(result.status, 0, result.stderr);
        assert.match(result.stdout, /^\s+18\s+aws:ec2\/subnet:Subnet$/m);
    });
});
