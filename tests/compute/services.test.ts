import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { FargateService, FargateServiceArgs } from "../../components/compute/fargateService";
import { deploy, ProgramRun, Registration, runProgram, T } from "../kit";

const SERVICES = ["petstore", "foodstore"];

function policyOf(run: ProgramRun, roleName: string): { Statement: { Action: string | string[]; Resource: string | string[]; Condition?: unknown }[] } {
    const role = run.resources.get(T.iamRole, roleName);
    const policies = run.resources.ofType(T.iamRolePolicy).filter(p => p.inputs.role === role.id);
    assert.strictEqual(policies.length, 1, `${roleName} has ${policies.length} inline policies`);
    assert.strictEqual(run.resources.ofType(T.iamRolePolicyAttachment).filter(a => a.inputs.role === role.name || a.inputs.role === role.state.name).length, 0, `${roleName} has managed policies`);
    return JSON.parse(policies[0].inputs.policy);
}

const list = (x: string | string[]) => (Array.isArray(x) ? x : [x]);

describe("services on Fargate with their tables (dev stack)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await deploy();
    });

    for (const service of SERVICES) {
        describe(service, () => {
            const table = () => run.resources.get(T.table, `data-${service}`);
            const key = () => run.resources.get(T.kmsKey, `data-${service}-key`);

            it("limits the task role to its own table's item actions and its own key, through DynamoDB", () => {
                const policy = policyOf(run, `${service}-task-role`);
                const dynamo = policy.Statement.filter(s => list(s.Action).some(a => a.startsWith("dynamodb:")));
                assert.strictEqual(dynamo.length, 1);
                assert.deepStrictEqual(list(dynamo[0].Resource), [table().state.arn]);
                list(dynamo[0].Action).forEach(a => assert.match(a, /^dynamodb:[A-Z][A-Za-z]+$/, "no wildcard actions"));
                const kms = policy.Statement.filter(s => list(s.Action).some(a => a.startsWith("kms:")));
                assert.strictEqual(kms.length, 1);
                assert.deepStrictEqual(list(kms[0].Resource), [key().state.arn]);
                assert.deepStrictEqual(kms[0].Condition, { StringEquals: { "kms:ViaService": "dynamodb.us-east-1.amazonaws.com" } });
                assert.strictEqual(policy.Statement.length, 2);
            });

            it("lets the execution role pull only its own image and write only its own logs", () => {
                const policy = policyOf(run, `${service}-execution-role`);
                const repo = run.resources.get(T.ecrRepository, `${service}-repo`);
                const logs = run.resources.get(T.logGroup, `${service}-logs`);
                const seen: string[] = [];
                for (const s of policy.Statement) {
                    const actions = list(s.Action);
                    if (actions.includes("ecr:GetAuthorizationToken")) {
                        assert.deepStrictEqual(actions, ["ecr:GetAuthorizationToken"], "only the token action may have Resource *");
                        seen.push("token");
                    } else if (actions.some(a => a.startsWith("ecr:"))) {
                        assert.deepStrictEqual(list(s.Resource), [repo.state.arn]);
                        seen.push("pull");
                    } else {
                        assert.deepStrictEqual(list(s.Resource), [`${logs.state.arn}:log-stream:*`]);
                        seen.push("logs");
                    }
                }
                assert.deepStrictEqual(seen.sort(), ["logs", "pull", "token"]);
            });

            it("runs tasks in the service subnets without public IPs, admitting the service port from the vpcLink subnets only", () => {
                const svc = run.resources.get(T.ecsService, `${service}-service`).inputs;
                const subnets = (tier: string) => run.resources.ofType(T.subnet).filter(s => s.inputs.tags.tier === tier && s.name.startsWith("workload-"));
                assert.strictEqual(svc.networkConfiguration.assignPublicIp, false);
                assert.deepStrictEqual([...svc.networkConfiguration.subnets].sort(), subnets("service").map(s => s.id).sort());
                const sg = run.resources.get(T.securityGroup, `${service}-sg`);
                assert.deepStrictEqual(svc.networkConfiguration.securityGroups, [sg.id]);
                const ingress = run.resources.ofType(T.ingressRule).filter(r => r.inputs.securityGroupId === sg.id);
                assert.deepStrictEqual(ingress.map(r => r.inputs.cidrIpv4).sort(), subnets("vpcLink").map(s => s.inputs.cidrBlock).sort());
                ingress.forEach(r => assert.deepStrictEqual([r.inputs.fromPort, r.inputs.toPort, r.inputs.referencedSecurityGroupId], [8080, 8080, undefined]));
            });

            it("runs a read-only, non-root container of its own image, logging to an encrypted, expiring group", () => {
                const task = run.resources.get(T.taskDefinition, `${service}-task`).inputs;
                const [container, ...more] = JSON.parse(task.containerDefinitions);
                assert.strictEqual(more.length, 0);
                assert.strictEqual(container.readonlyRootFilesystem, true);
                assert.match(container.user, /^[1-9]\d*:[1-9]\d*$/, "a non-root uid:gid");
                assert.strictEqual(container.image, run.resources.get(T.ecrImage, `${service}-image`).state.imageUri);
                assert.deepStrictEqual(container.environment.map((e: { name: string }) => e.name).sort(), ["AWS_REGION", "PORT", "TABLE_NAME"]);
                assert.strictEqual(container.environment.find((e: { name: string }) => e.name === "TABLE_NAME").value, run.resources.get(T.table, `data-${service}`).state.name);
                const logs = run.resources.get(T.logGroup, `${service}-logs`).inputs;
                assert.strictEqual(logs.kmsKeyId, run.resources.get(T.kmsKey, "logs-key").state.arn);
                assert.strictEqual(logs.retentionInDays, 7);
                assert.deepStrictEqual([task.cpu, task.memory, task.networkMode], ["256", "512", "awsvpc"]);
            });

            it("registers in its own Cloud Map service, rolls back failed deployments, and scales between desired and max", () => {
                const svc = run.resources.get(T.ecsService, `${service}-service`).inputs;
                assert.deepStrictEqual(svc.deploymentCircuitBreaker, { enable: true, rollback: true });
                assert.strictEqual(svc.serviceRegistries.registryArn, run.resources.get(T.discoveryService, `discovery-${service}`).state.arn);
                assert.deepStrictEqual([svc.serviceRegistries.containerName, svc.serviceRegistries.containerPort], [service, 8080]);
                const target = run.resources.get(T.scalingTarget, `${service}-scaling`).inputs;
                assert.deepStrictEqual([target.minCapacity, target.maxCapacity], [1, 6]);
            });

            it("builds its image into a scanned repository with immutable tags", () => {
                const repo = run.resources.get(T.ecrRepository, `${service}-repo`).inputs;
                assert.strictEqual(repo.imageTagMutability, "IMMUTABLE");
                assert.strictEqual(repo.imageScanningConfiguration.scanOnPush, true);
                const image = run.resources.get(T.ecrImage, `${service}-image`).inputs;
                assert.deepStrictEqual(image.args, { SERVICE: service });
                // A tag per source content: immutable tags refuse a second push of one tag with new code.
                assert.match(image.imageTag, /^src-[0-9a-f]{20}$/);
                assert.match(image.context, /services$/);
            });

            it("keeps its table on demand, keyed by its id, encrypted with its own rotating key, with PITR", () => {
                const t = table().inputs;
                assert.strictEqual(t.billingMode, "PAY_PER_REQUEST");
                assert.strictEqual(t.hashKey, service === "petstore" ? "petId" : "foodId");
                assert.deepStrictEqual(t.serverSideEncryption, { enabled: true, kmsKeyArn: key().state.arn });
                assert.strictEqual(key().inputs.enableKeyRotation, true);
                assert.deepStrictEqual(t.pointInTimeRecovery, { enabled: true });
                assert.strictEqual(t.deletionProtectionEnabled, false);
            });
        });
    }

    it("backs both tables up every 12 hours into a vault under its own key, kept 30 days", () => {
        const { resources } = run;
        const selection = resources.ofType(T.backupSelection);
        assert.strictEqual(selection.length, 1);
        assert.deepStrictEqual([...selection[0].inputs.resources].sort(), SERVICES.map(s => resources.get(T.table, `data-${s}`).state.arn).sort());
        const [rule] = resources.get(T.backupPlan, "data-plan").inputs.rules;
        assert.strictEqual(rule.schedule, "cron(0 0/12 * * ? *)");
        assert.strictEqual(rule.lifecycle.deleteAfter, 30);
        assert.strictEqual(rule.targetVaultName, resources.get(T.backupVault, "data-vault").state.name);
        assert.strictEqual(resources.get(T.backupVault, "data-vault").inputs.kmsKeyArn, resources.get(T.kmsKey, "data-backup-key").state.arn);
    });

    it("limits the DynamoDB gateway endpoint to the services' item actions on their tables", () => {
        const endpoint = run.resources.get(T.vpcEndpoint, "workload-dynamodb");
        const [statement, ...more] = JSON.parse(endpoint.inputs.policy).Statement;
        assert.strictEqual(more.length, 0);
        assert.deepStrictEqual([...statement.Resource].sort(), SERVICES.map(s => run.resources.get(T.table, `data-${s}`).state.arn).sort());
        assert.deepStrictEqual(statement.Action, ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:DescribeTable"]);
    });

    it("tags the two services' images apart (one context, different build arguments)", () => {
        const tags = SERVICES.map(s => run.resources.get(T.ecrImage, `${s}-image`).inputs.imageTag);
        assert.notStrictEqual(tags[0], tags[1]);
    });

    it("has Container Insights on the cluster", () => {
        assert.deepStrictEqual(run.resources.ofType(T.ecsCluster)[0].inputs.settings, [{ name: "containerInsights", value: "enabled" }]);
    });

    it("protects and retains tables, keys and the vault with protectData (prod)", async () => {
        const prod = await deploy({ stack: "prod" });
        const kept = (r: Registration) => assert.ok(r.retainOnDelete, `${r.name} is not retained`);
        SERVICES.forEach(s => {
            const t = prod.resources.get(T.table, `data-${s}`);
            assert.strictEqual(t.inputs.deletionProtectionEnabled, true);
            kept(t);
            kept(prod.resources.get(T.kmsKey, `data-${s}-key`));
        });
        kept(prod.resources.get(T.backupVault, "data-vault"));
    });
});

describe("FargateService built directly", () => {
    const args = (over: Partial<FargateServiceArgs> = {}): FargateServiceArgs => ({
        clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/c",
        clusterName: "c",
        vpcId: "vpc-0123456789abcdef0",
        subnetIds: ["subnet-0123456789abcdef0"],
        ingressCidrBlocks: ["10.0.0.0/24"],
        port: 8080,
        image: { context: "services", buildArgs: { SERVICE: "petstore" } },
        cpu: 256,
        memory: 512,
        desiredCount: 1,
        maxCount: 2,
        table: {
            tableName: pulumi.output("t"),
            tableArn: pulumi.output("arn:aws:dynamodb:us-east-1:123456789012:table/t"),
            kmsKeyArn: pulumi.output("arn:aws:kms:us-east-1:123456789012:key/k"),
        },
        tableActions: ["dynamodb:GetItem"],
        discoveryServiceArn: "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1",
        logs: { retentionInDays: 7, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/l" },
        ...over,
    });
    const build = (a: FargateServiceArgs) => runProgram({ program: () => new FargateService("svc", a) });

    it("builds with valid arguments", async () => {
        const run = await build(args());
        assert.ifError(run.error);
        assert.ok(run.resources.ofType(T.ecsService).length === 1);
    });

    // The same rules the stack config applies to serviceCpu, serviceMemory and serviceMaxCount (fargateRules).
    for (const [title, over, message] of [
        ["a CPU size Fargate does not offer", { cpu: 300 }, /^FargateService svc: args\.cpu must be one of 256, 512, 1024, 2048, 4096 \(Fargate CPU units\)$/],
        ["8192 MiB with 256 CPU units", { memory: 8192 }, /args\.memory must be a size Fargate offers with 256 CPU units: 512, 1024, 2048 MiB/],
        ["more tasks wanted than allowed", { desiredCount: 5, maxCount: 2 }, /args\.maxCount must be at least desiredCount \(5\)/],
        ["a wildcard on the table", { tableActions: ["dynamodb:GetItem", "dynamodb:*"] }, /args\.tableActions must name DynamoDB actions one by one.*"dynamodb:\*" is not one/],
        ["a wildcard within an action name", { tableActions: ["dynamodb:Get*"] }, /"dynamodb:Get\*" is not one/],
        ["no table action", { tableActions: [] }, /args\.tableActions must name at least one DynamoDB action/],
    ] as const) {
        it(`refuses ${title}, naming the argument, before any child registers`, async () => {
            const run = await build(args(over as Partial<FargateServiceArgs>));
            assert.match(String(run.error?.message), message);
            assert.deepStrictEqual(run.resources.all.map(x => x.type), [T.fargateService], "nothing but the component itself may register");
        });
    }
});
