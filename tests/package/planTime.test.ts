/**
 * Through the component provider, another resource's output arrives as an Output even when its value is known. The
 * values that decide how many resources exist must then be refused by name, and there must be a way to wire the
 * system that needs none of them: WorkloadVpc's own inspection routes.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { FargateService, InspectedRouting, InspectionVpc, WorkloadVpc } from "../../index";
import { runProgram } from "../../tools/mock";
import { T } from "../../tools/mock/types";
import { proveInspection } from "../../tools/plan";

const logs = { retentionInDays: 30, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k" };
const zones = ["use1-az1", "use1-az2"];

async function failure(program: () => unknown): Promise<string> {
    const run = await runProgram({ program });
    assert.ok(run.error, "the program must fail");
    assert.strictEqual(run.resources.all.filter(r => r.custom).length, 0, "before any resource registers");
    return run.error.message;
}

describe("plan-time values through the component provider", function () {
    this.timeout(120_000);

    it("refuses a VPC CIDR or AZ list that is another resource's output, naming the argument", async () => {
        const message = await failure(() => new WorkloadVpc("w", { cidrBlock: pulumi.output("10.0.0.0/16") as unknown as string, availabilityZoneIds: zones, flowLogs: logs }));
        assert.match(message, /^WorkloadVpc w: args\.cidrBlock must be known while the program runs \(a literal or a config value\), not another resource's output/);
        const inspection = await failure(() => new InspectionVpc("i", {
            cidrBlock: "10.1.0.0/20", availabilityZoneIds: [pulumi.output("use1-az1")] as unknown as string[], egress: "nat", logs,
            appliance: { instanceType: "c6in.large", minPerAz: 1, maxPerAz: 1, healthCheck: { protocol: "HTTP", port: 8081, path: "/health" } },
        }));
        assert.match(inspection, /^InspectionVpc i: args\.availabilityZoneIds must be known while the program runs/);
    });

    it("refuses, built directly, a VPC CIDR that cannot hold the tier plan or is no CIDR, naming the argument", async () => {
        assert.match(await failure(() => new WorkloadVpc("w", { cidrBlock: "10.0.0.0/26", availabilityZoneIds: zones, flowLogs: logs })),
            /^WorkloadVpc w: args\.cidrBlock must hold the tier plan for 2 AZs \(10\.0\.0\.0\/26 is too small for the tier plan/);
        assert.match(await failure(() => new InspectionVpc("i", {
            cidrBlock: "10.1.0.1/20", availabilityZoneIds: zones, egress: "nat", logs,
            appliance: { instanceType: "c6in.large", minPerAz: 1, maxPerAz: 1, healthCheck: { protocol: "HTTP", port: 8081, path: "/health" } },
        })), /^InspectionVpc i: args\.cidrBlock must hold the tier plan for 2 AZs \("10\.1\.0\.1\/20" is not a valid IPv4 CIDR: host bits are set/);
    });

    it("refuses subnet tiers whose CIDRs or lists are outputs, and a service whose ingress CIDRs are", async () => {
        const tier = { subnetIds: ["subnet-1"], cidrBlocks: ["10.0.0.0/24"], routeTableIds: ["rtb-1"] };
        const message = await failure(() => new InspectedRouting("r", {
            vpcId: "vpc-1", endpointServiceName: "svc",
            endpointSubnets: pulumi.output(tier) as unknown as typeof tier,
            vpcLinkSubnets: { ...tier, cidrBlocks: [pulumi.output("10.0.1.0/24")] as unknown as string[] },
            serviceSubnets: { ...tier, subnetIds: pulumi.output(["subnet-3"]) as unknown as string[] },
        }));
        assert.strictEqual(message, [
            "InspectedRouting r: args.endpointSubnets must be known while the program runs (a literal or a config value), not another resource's output: it decides how many resources exist",
            "args.vpcLinkSubnets must be known while the program runs (a literal or a config value), not another resource's output: it decides how many resources exist",
            "args.serviceSubnets must be known while the program runs (a list, whose items may be outputs), not another resource's output: it decides how many resources exist",
        ].join("; "));
        const service = await failure(() => new FargateService("s", {
            clusterArn: "arn", clusterName: "c", vpcId: "vpc-1", subnetIds: ["subnet-1"], image: { context: "." }, logs,
            ingressCidrBlocks: pulumi.output(["10.0.0.0/24"]) as unknown as string[],
        }));
        assert.match(service, /^FargateService s: args\.ingressCidrBlocks must be known while the program runs/);
    });

    it("wires inspection inside WorkloadVpc from just the endpoint service name, and the route simulation proves it", async () => {
        const run = await runProgram({
            program: () => {
                const inspection = new InspectionVpc("inspection", {
                    cidrBlock: "10.1.0.0/20", availabilityZoneIds: zones, egress: "nat", logs,
                    appliance: { instanceType: "c6in.large", minPerAz: 1, maxPerAz: 1, healthCheck: { protocol: "HTTP", port: 8081, path: "/health" } },
                });
                const workload = new WorkloadVpc("workload", {
                    cidrBlock: "10.0.0.0/16", availabilityZoneIds: zones, flowLogs: logs,
                    inspectionEndpointServiceName: inspection.endpointServiceName,
                });
                return { endpoints: workload.gatewayLoadBalancerEndpointIds };
            },
        });
        assert.strictEqual(run.error, undefined, run.error?.message);
        const routing = run.resources.get(T.inspectedRouting, "workload-inspection");
        assert.strictEqual(run.resources.parentOf(routing)?.name, "workload", "a child of the VPC");
        assert.strictEqual(run.resources.descendants(routing).filter(r => r.type === T.route).length, 2 * zones.length ** 2);
        const proof = proveInspection(run);
        assert.ok(proof.ok, proof.text);
        assert.strictEqual(proof.flows.length, zones.length ** 2);
    });
});
