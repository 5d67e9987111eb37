import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { deploy, resolveStackConfig, runProgram, T } from "./kit";

/** The kit is what every other test stands on, so it is tested for the failures it must not hide. */
describe("test kit", () => {
    it("gives the same ids in every run, whatever the order of registration", async () => {
        // runProgram, not the memoizing deploy: two real runs.
        const ids = async () => Object.fromEntries((await runProgram()).resources.all.map(r => [r.urn, r.id]));
        const [first, second] = [await ids(), await ids()];
        assert.deepStrictEqual(first, second);
        assert.match(first[Object.keys(first).find(u => u.endsWith("::workload-vpc"))!]!, /^vpc-[0-9a-f]{17}$/);
    });

    it("fails loudly on an invoke it has no answer for, naming the token", async () => {
        const run = await runProgram({
            program: () => new aws.ec2.Subnet("s", { vpcId: aws.ec2.getVpcOutput({ default: true }).id, cidrBlock: "10.0.0.0/24" }),
        });
        assert.match(run.error?.message ?? "", /no answer for invoke aws:ec2\/getVpc:getVpc/);
    });

    it("waits for resources created inside apply callbacks", async () => {
        const run = await deploy({
            program: () => {
                const vpc = new aws.ec2.Vpc("outer", { cidrBlock: "10.0.0.0/16" });
                vpc.id.apply(() => vpc.arn.apply(() => new aws.ec2.Subnet("late", { vpcId: vpc.id, cidrBlock: "10.0.0.0/24" })));
            },
        });
        assert.strictEqual(run.resources.get(T.subnet, "late").inputs.cidrBlock, "10.0.0.0/24");
    });

    it("records parents and tells explicit dependencies from implied ones", async () => {
        const run = await deploy({
            program: () => {
                const parent = new pulumi.ComponentResource("test:index:Parent", "parent");
                const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.0.0.0/16" }, { parent });
                const marker = new aws.ec2.Vpc("marker", { cidrBlock: "10.1.0.0/16" });
                new aws.ec2.Subnet("child", { vpcId: vpc.id, cidrBlock: "10.0.0.0/24" }, { parent, dependsOn: [marker] });
            },
        });
        const child = run.resources.get(T.subnet, "child");
        const [parent, vpc, marker] = [run.resources.get("test:index:Parent", "parent"), run.resources.get(T.vpc, "vpc"), run.resources.get(T.vpc, "marker")];
        assert.strictEqual(run.resources.parentOf(child), parent);
        assert.deepStrictEqual(child.explicitDependencies, [marker.urn]);
        assert.deepStrictEqual([...child.dependencies].sort(), [marker.urn, vpc.urn].sort());
        assert.strictEqual(child.inputs.vpcId, vpc.id);
    });

    it("keeps runs apart: a run that failed halfway leaves nothing behind for the next", async () => {
        const clean = await deploy();
        const failed = await runProgram({
            program: () => {
                const vpc = new aws.ec2.Vpc("half", { cidrBlock: "10.0.0.0/16" });
                new aws.ec2.Subnet("half-ok", { vpcId: vpc.id, cidrBlock: "10.0.0.0/24" });
                new aws.ec2.Subnet("half-broken", { vpcId: vpc.id.apply((): string => { throw new Error("halfway"); }), cidrBlock: "10.0.1.0/24" });
                new aws.ec2.Subnet("half-late", { vpcId: vpc.id.apply(id => id), cidrBlock: "10.0.2.0/24" });
            },
        });
        assert.strictEqual(failed.error?.message, "halfway");
        assert.ok(failed.resources.find(T.subnet, "half-ok"), "what registered before the failure is reported");
        // A real run, not the memoized one.
        const again = await runProgram();
        assert.ifError(again.error);
        assert.deepStrictEqual(again.resources.all.filter(r => r.name.startsWith("half")), []);
        assert.deepStrictEqual(again.resources.all.map(r => r.urn), clean.resources.all.map(r => r.urn));
        assert.deepStrictEqual(again.outputs, clean.outputs);
    });

    it("reports a failure thrown inside an apply callback with its own message", async () => {
        const run = await runProgram({
            program: () => {
                const vpc = new aws.ec2.Vpc("v", { cidrBlock: "10.0.0.0/16" });
                new aws.ec2.Subnet("s", { vpcId: vpc.id.apply((): string => { throw new Error("boom in apply"); }), cidrBlock: "10.0.0.0/24" });
            },
        });
        assert.strictEqual(run.error?.message, "boom in apply");
        assert.strictEqual(run.resources.find(T.subnet, "s"), undefined);
    });
});

describe("stack config loading", () => {
    it("layers the stack file, then PULUMI_CONFIG, then overrides, qualifying bare keys", () => {
        const source = resolveStackConfig("dev", { availabilityZoneCount: 4, "aws:config:region": "eu-west-1" }, {
            PULUMI_CONFIG: JSON.stringify({ "inspected-api:availabilityZoneCount": "3", "inspected-api:logRetentionDays": "14" }),
        });
        assert.strictEqual(source.project, "inspected-api");
        assert.strictEqual(source.config["inspected-api:availabilityZoneCount"], "4");
        assert.strictEqual(source.config["inspected-api:logRetentionDays"], "14");
        assert.strictEqual(source.config["aws:region"], "eu-west-1");
        assert.deepStrictEqual(JSON.parse(source.config["aws:defaultTags"]), { tags: { project: "inspected-api", stack: "dev" } });
    });

    it("names the stacks that exist when asked for one that does not", () => {
        assert.throws(() => resolveStackConfig("staging", {}, {}), /stack "staging" has no Pulumi\.staging\.yaml; stacks here: dev, inspection, prod, workload-a, workload-b/);
    });

    it("refuses secrets it cannot decrypt rather than passing ciphertext", () => {
        assert.throws(() => resolveStackConfig("dev", { token: { secure: "v1:abc" } }, {}), /config token is a secret/);
    });
});
