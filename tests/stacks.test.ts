/**
 * One inspection service, many workload stacks: what each stack role builds, and the plan across stacks, which
 * follows every workload's endpoints to the shared service and fails naming the stack and the reason.
 */
import * as assert from "assert";
import { InvalidConfigError } from "../components/config";
import { InspectionVpc } from "../components/inspection/inspectionVpc";
import { ConfigValue, ProgramRun, resolveStackConfig, runProgram } from "../tools/mock";
import { T } from "../tools/mock/types";
import { crossStackChecks, orderStacks, quotaChecks, runStacks, StackCheck } from "../tools/plan/stacks";
import { deploy, deployInvalid } from "./kit";

const SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0";
const STACKS = ["workload-b", "inspection", "workload-a"];
const references = (stack: string) => resolveStackConfig(stack).config["inspected-api:inspectionStack"];
const failures = (checks: readonly StackCheck[]) => checks.filter(c => c.problems.length > 0).map(c => `${c.stack}: ${c.name}: ${c.problems.join("; ")}`);

describe("stack roles", function () {
    this.timeout(120_000);

    it("workload: no GWLB, target group, Auto Scaling group or security VPC; its endpoints use the service it was given", async () => {
        const run = await deploy({ config: { stackRole: "workload", inspectionEndpointServiceName: SERVICE } });
        for (const type of [T.loadBalancer, T.targetGroup, T.autoScalingGroup, T.vpcEndpointService, T.launchTemplate]) {
            assert.deepStrictEqual(run.resources.ofType(type).map(r => r.name), [], type);
        }
        assert.deepStrictEqual(run.resources.ofType(T.vpc).map(v => v.name), ["workload-vpc"], "the workload VPC only");
        const endpoints = run.resources.ofType(T.vpcEndpoint).filter(e => e.inputs.vpcEndpointType === "GatewayLoadBalancer");
        assert.strictEqual(endpoints.length, 2);
        assert.ok(endpoints.every(e => e.inputs.serviceName === SERVICE));
        assert.strictEqual((run.outputs.inspection as { endpointServiceName: string }).endpointServiceName, SERVICE);
    });

    it("inspection: no workload resource; the endpoint service allows exactly this account and consumerPrincipals", async () => {
        const run = await deploy({ config: { stackRole: "inspection", consumerPrincipals: "222222222222,arn:aws:iam::333333333333:role/deployer" } });
        for (const type of [T.ecsService, T.table, T.apiRoute, T.userPool]) {
            const found = run.resources.ofType(type).filter(r => !r.name.startsWith("inspection-"));
            assert.deepStrictEqual(found.map(r => r.name), [], type);
        }
        assert.deepStrictEqual(run.resources.ofType(T.vpc).map(v => v.name), ["inspection-vpc"]);
        const service = run.resources.ofType(T.vpcEndpointService)[0];
        assert.deepStrictEqual(service.inputs.allowedPrincipals, [
            `arn:aws:iam::${run.accountId}:root`, "arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:role/deployer",
        ]);
        assert.deepStrictEqual(Object.keys(run.outputs).sort(), ["alertsLogGroupName", "allowedPrincipals", "availabilityZoneIds",
            "endpointServiceId", "endpointServiceName", "gatewayLoadBalancerArn", "logKmsKeyArn", "noHealthyApplianceAlarmArn", "securityVpcCidr"]);
    });

    it("all (the default): the endpoint service allows this account only, as before", async () => {
        const run = await deploy({ stack: "dev" });
        assert.deepStrictEqual(run.resources.ofType(T.vpcEndpointService)[0].inputs.allowedPrincipals, [`arn:aws:iam::${run.accountId}:root`]);
        assert.strictEqual(run.resources.ofType(T.vpc).length, 2);
    });

    it("workload: refuses neither an inspection stack nor a service name, naming inspectionStack, before anything registers", async () => {
        const run = await deployInvalid({ config: { stackRole: "workload" } });
        assert.strictEqual(run.error.name, "InvalidConfigError");
        assert.deepStrictEqual((run.error as InvalidConfigError).problems.map(p => p.key), ["inspected-api:inspectionStack"]);
        assert.strictEqual(run.resources.size, 0);
    });
});

describe("npm run plan across stacks", function () {
    this.timeout(300_000);
    const plan = (overrides: Record<string, Record<string, ConfigValue>> = {}) =>
        runStacks(STACKS, stack => overrides[stack] ?? {}, references);
    let together: ProgramRun[];
    before(async () => {
        together = await plan();
    });

    it("plans the inspection stack first, then each workload against its outputs, and every check passes", () => {
        assert.deepStrictEqual(orderStacks(STACKS, references), ["inspection", "workload-b", "workload-a"]);
        assert.deepStrictEqual(together.map(r => r.error?.message), [undefined, undefined, undefined]);
        const checks = crossStackChecks(together);
        assert.deepStrictEqual(failures(checks), []);
        assert.strictEqual(checks.length, 8, "four checks per workload");
        assert.deepStrictEqual(failures(together.flatMap(quotaChecks)), []);
        const service = (together[0].outputs as { endpointServiceName: string }).endpointServiceName;
        for (const workload of together.slice(1)) {
            const endpoints = workload.resources.ofType(T.vpcEndpoint).filter(e => e.inputs.vpcEndpointType === "GatewayLoadBalancer");
            assert.ok(endpoints.length > 0 && endpoints.every(e => e.inputs.serviceName === service), workload.source.stack);
        }
        assert.strictEqual(together[1].accountId, "222222222222", "workload-b deploys to its own account");
    });

    it("fails a workload whose account the service does not allow, naming the stack and the account", async () => {
        const runs = await plan({ "workload-b": { "aws:allowedAccountIds": "[\"444444444444\"]" } });
        assert.deepStrictEqual(failures(crossStackChecks(runs)), [
            "workload-b: allowed-principal: its account 444444444444 is not among inspection's allowed principals " +
            "(arn:aws:iam::111111111111:root, arn:aws:iam::222222222222:root): add it to consumerPrincipals there, or AWS refuses its endpoints",
        ]);
    });

    it("fails a workload with an endpoint in an AZ where the GWLB has no node, naming the stack and the zone", async () => {
        const runs = await plan({ inspection: { availabilityZoneCount: 2 } });
        const failed = failures(crossStackChecks(runs));
        assert.strictEqual(failed.length, 1, failed.join("\n"));
        assert.match(failed[0], /^workload-b: gwlb-zones: an endpoint in use1-az3, where inspection.s Gateway Load Balancer has no node \(it has use1-az1, use1-az2\): an endpoint there cannot reach the service$/);
    });

    it("fails a workload whose VPC overlaps the shared security VPC", async () => {
        const runs = await plan({ "workload-a": { workloadVpcCidr: "10.100.0.0/16" } });
        assert.deepStrictEqual(failures(crossStackChecks(runs)), [
            "workload-a: address-space: its VPC 10.100.0.0/16 overlaps inspection's security VPC 10.100.0.0/16",
        ]);
    });

    it("fails a quota: more appliances per AZ than a Gateway Load Balancer takes as targets", async () => {
        const fleet = (maxPerAz: number) => runProgram({
            program: () => new InspectionVpc("big", {
                cidrBlock: "10.100.0.0/16", availabilityZoneIds: ["use1-az1", "use1-az2"], egress: "nat",
                appliance: { instanceType: "c6in.large", minPerAz: 1, maxPerAz, healthCheck: { protocol: "HTTP", port: 8081, path: "/health" } },
                logs: { retentionInDays: 30, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k" },
            }),
        });
        assert.deepStrictEqual(failures(quotaChecks(await fleet(300))), []);
        assert.deepStrictEqual(failures(quotaChecks(await fleet(301))), ["dev: targets-per-gwlb-az (300): big-appliances-asg: up to 301 appliances per AZ"]);
    });
});
