import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { awsContext } from "../aws/context";
import { ServiceTable } from "../data/serviceData";
import { portRulesPerCidr } from "../network/vpcBuilders";
import { trustPolicy } from "../security/trustPolicy";
import { checkArgs } from "../argRules";
import { contentTag } from "./contentTag";
import { fargateRules } from "./fargateRules";
import { EncryptedLogArgs } from "../security/logEncryptionKey";

/** Arguments of {@link FargateService}. */
export interface FargateServiceArgs {
    readonly clusterArn: pulumi.Input<string>;
    readonly clusterName: pulumi.Input<string>;
    readonly vpcId: pulumi.Input<string>;
    /** Where the tasks run: private subnets, no public IPs. */
    readonly subnetIds: pulumi.Input<string>[];
    /** The only sources allowed in, on `port`: the VPC link's subnets (a group reference stops matching after inspection). */
    readonly ingressCidrBlocks: readonly string[];
    readonly port: number;
    /** The build: a Docker context and build arguments; built and pushed at `pulumi up`. */
    readonly image: { readonly context: string; readonly buildArgs: Record<string, string> };
    /** Fargate task size, e.g. 256 CPU units and 512 MiB. */
    readonly cpu: number;
    readonly memory: number;
    readonly desiredCount: number;
    readonly maxCount: number;
    /** The one table the task may use, and the key that encrypts it. */
    readonly table: ServiceTable;
    /** Item actions the task may take on its table. */
    readonly tableActions: readonly string[];
    /** The Cloud Map service the tasks register into (SRV: IP and port). */
    readonly discoveryServiceArn: pulumi.Input<string>;
    readonly logs: EncryptedLogArgs;
}

/**
 * One service on Fargate: its image in a scanned, immutable ECR repository, a task definition with a read-only root
 * filesystem, roles that reach only its image, logs, table and key, and an autoscaled service in the service subnets
 * that registers its tasks in Cloud Map and rolls back a deployment that does not stabilise.
 */
export class FargateService extends pulumi.ComponentResource {
    public readonly serviceName: pulumi.Output<string>;
    public readonly repositoryUrl: pulumi.Output<string>;
    public readonly taskRoleArn: pulumi.Output<string>;
    public readonly securityGroupId: pulumi.Output<string>;

    constructor(name: string, args: FargateServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("inspected-api:compute:FargateService", name, {}, opts);
        checkArgs(this, "FargateService", name, [
            ["cpu", fargateRules.cpu(args.cpu)],
            ["memory", fargateRules.memoryForCpu(args.cpu, args.memory)],
            ["maxCount", fargateRules.maxAtLeastDesired(args.maxCount, args.desiredCount, "desiredCount")],
            ["tableActions", fargateRules.tableActions(args.tableActions)],
        ]);
        const { region, dnsSuffix } = awsContext(this);

        const repository = new aws.ecr.Repository(`${name}-repo`, {
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            forceDelete: true,
        }, { parent: this });
        const image = new awsx.ecr.Image(`${name}-image`, {
            repositoryUrl: repository.repositoryUrl,
            context: args.image.context,
            args: args.image.buildArgs,
            imageTag: contentTag(args.image.context, args.image.buildArgs),
            platform: "linux/amd64",
        }, { parent: this });

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            retentionInDays: args.logs.retentionInDays,
            kmsKeyId: args.logs.kmsKeyArn,
        }, { parent: this });

        const assumedByTasks = trustPolicy(pulumi.interpolate`ecs-tasks.${dnsSuffix}`);
        const executionRole = new aws.iam.Role(`${name}-execution-role`, { assumeRolePolicy: assumedByTasks }, { parent: this });
        new aws.iam.RolePolicy(`${name}-execution`, {
            role: executionRole.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    // ECR issues registry tokens account-wide; the action has no resource to scope it to.
                    { Sid: "RegistryToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
                    { Sid: "PullOwnImage", Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], Resource: repository.arn },
                    { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:log-stream:*` },
                ],
            }),
        }, { parent: this });

        const taskRole = new aws.iam.Role(`${name}-task-role`, { assumeRolePolicy: assumedByTasks }, { parent: this });
        new aws.iam.RolePolicy(`${name}-task`, {
            role: taskRole.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "OwnTableItems", Effect: "Allow", Action: [...args.tableActions], Resource: args.table.tableArn },
                    {
                        Sid: "OwnTableKeyThroughDynamoDb",
                        Effect: "Allow",
                        Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                        Resource: args.table.kmsKeyArn,
                        Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`dynamodb.${region}.${dnsSuffix}` } },
                    },
                ],
            }),
        }, { parent: this });

        const sg = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: args.vpcId,
            description: `${name} tasks: port ${args.port} from the vpcLink subnets only`,
            tags: { Name: name },
        }, { parent: this });
        portRulesPerCidr(this, {
            securityGroupId: sg.id,
            direction: "ingress",
            port: args.port,
            cidrBlocks: args.ingressCidrBlocks,
            name: az => `${name}-from-vpc-link-${az}`,
            description: az => `Service port from vpcLink subnet ${az}`,
        });
        // HTTPS out: ECR and CloudWatch Logs through interface endpoints, S3 and DynamoDB through gateway endpoints.
        new aws.vpc.SecurityGroupEgressRule(`${name}-https-out`, {
            securityGroupId: sg.id,
            description: "HTTPS to AWS APIs through the VPC's endpoints",
            ipProtocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrIpv4: "0.0.0.0/0",
        }, { parent: this });

        const taskDefinition = new aws.ecs.TaskDefinition(`${name}-task`, {
            family: name,
            cpu: String(args.cpu),
            memory: String(args.memory),
            networkMode: "awsvpc",
            requiresCompatibilities: ["FARGATE"],
            runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
            executionRoleArn: executionRole.arn,
            taskRoleArn: taskRole.arn,
            containerDefinitions: pulumi.jsonStringify([{
                name,
                image: image.imageUri,
                essential: true,
                readonlyRootFilesystem: true,
                // The image's `node` user: never root, even if the image changes.
                user: "1000:1000",
                portMappings: [{ containerPort: args.port, protocol: "tcp" }],
                environment: [
                    { name: "TABLE_NAME", value: args.table.tableName },
                    { name: "AWS_REGION", value: region },
                    { name: "PORT", value: String(args.port) },
                ],
                logConfiguration: {
                    logDriver: "awslogs",
                    options: { "awslogs-group": logGroup.name, "awslogs-region": region, "awslogs-stream-prefix": name },
                },
                healthCheck: {
                    command: ["CMD", "node", "-e", `fetch('http://127.0.0.1:${args.port}/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`],
                    interval: 15,
                    timeout: 3,
                    retries: 3,
                    startPeriod: 10,
                },
                // Time to drain in-flight requests after SIGTERM.
                stopTimeout: 30,
            }]),
        }, { parent: this });

        const service = new aws.ecs.Service(`${name}-service`, {
            cluster: args.clusterArn,
            taskDefinition: taskDefinition.arn,
            desiredCount: args.desiredCount,
            launchType: "FARGATE",
            networkConfiguration: { subnets: args.subnetIds, securityGroups: [sg.id], assignPublicIp: false },
            deploymentCircuitBreaker: { enable: true, rollback: true },
            serviceRegistries: { registryArn: args.discoveryServiceArn, containerName: name, containerPort: args.port },
            propagateTags: "SERVICE",
            enableExecuteCommand: false,
            tags: { service: name },
        }, { parent: this, ignoreChanges: ["desiredCount"] });

        const target = new aws.appautoscaling.Target(`${name}-scaling`, {
            serviceNamespace: "ecs",
            scalableDimension: "ecs:service:DesiredCount",
            resourceId: pulumi.interpolate`service/${args.clusterName}/${service.name}`,
            minCapacity: args.desiredCount,
            maxCapacity: args.maxCount,
        }, { parent: this });
        new aws.appautoscaling.Policy(`${name}-cpu`, {
            policyType: "TargetTrackingScaling",
            serviceNamespace: target.serviceNamespace,
            scalableDimension: target.scalableDimension,
            resourceId: target.resourceId,
            targetTrackingScalingPolicyConfiguration: {
                predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
                targetValue: 60,
                scaleInCooldown: 120,
                scaleOutCooldown: 60,
            },
        }, { parent: this });

        this.serviceName = service.name;
        this.repositoryUrl = repository.repositoryUrl;
        this.taskRoleArn = taskRole.arn;
        this.securityGroupId = sg.id;
        this.registerOutputs({ serviceName: this.serviceName, repositoryUrl: this.repositoryUrl, taskRoleArn: this.taskRoleArn, securityGroupId: this.securityGroupId });
    }
}
