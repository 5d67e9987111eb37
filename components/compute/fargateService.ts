import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { awsContext } from "../aws/context";
import { TABLE_DATA_ACTIONS } from "../data/serviceData";
import { portRulesPerCidr } from "../network/vpcBuilders";
import { trustPolicy } from "../security/trustPolicy";
import { checkArgs, knownNow } from "../argRules";
import { contentTag } from "./contentTag";
import { fargateRules } from "./fargateRules";
import { EncryptedLogArgs } from "../security/logEncryptionKey";
import { TaggedArgs, tagChildren } from "../tags";

/** A Docker build: built and pushed at `pulumi up`, tagged with a digest of the context and arguments. */
export interface ImageBuild {
    /** The build context: a directory with a Dockerfile. */
    readonly context: string;
    /** Docker build arguments. Default: none. */
    readonly buildArgs?: Record<string, string>;
}

/** The one table a service may use, and the key that encrypts it, e.g. an entry of `ServiceData.tables`. */
export interface TableAccess {
    /** The table's name. */
    readonly tableName: pulumi.Input<string>;
    /** The table's ARN. */
    readonly tableArn: pulumi.Input<string>;
    /** The customer-managed key that encrypts the table. */
    readonly kmsKeyArn: pulumi.Input<string>;
}

/** Arguments of {@link FargateService}. */
export interface FargateServiceArgs extends TaggedArgs {
    /** The cluster, e.g. `ServiceCluster.clusterArn`. */
    readonly clusterArn: pulumi.Input<string>;
    /** The same cluster's name: autoscaling names a service by it. */
    readonly clusterName: pulumi.Input<string>;
    /** The VPC of the service's security group. */
    readonly vpcId: pulumi.Input<string>;
    /** Where the tasks run: private subnets, no public IPs. */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * The only sources allowed in, on `port`: the VPC link's subnet CIDRs (a group reference stops matching after
     * inspection). Known at plan time: one rule per CIDR.
     */
    readonly ingressCidrBlocks: string[];
    /** The port the container listens on; the task gets it as `PORT`. Default 8080. */
    readonly port?: number;
    /** The image to build and run. */
    readonly image: ImageBuild;
    /** Fargate CPU units: 256, 512, 1024, 2048 or 4096. Default 256. */
    readonly cpu?: number;
    /** Memory in MiB, a size Fargate offers with `cpu`. Default 512. */
    readonly memory?: number;
    /** Tasks to start with, and the autoscaling floor. Default 2. */
    readonly desiredCount?: number;
    /** The autoscaling ceiling (CPU-tracked at 60 %). Default: three times `desiredCount`. */
    readonly maxCount?: number;
    /** The one table the task may use (its name reaches the task as `TABLE_NAME`). Default: no table access. */
    readonly table?: TableAccess;
    /** Item actions the task may take on `table`, named one by one. Default: GetItem, PutItem and Scan. */
    readonly tableActions?: string[];
    /** The Cloud Map service the tasks register into (SRV: IP and port). Default: not registered. */
    readonly discoveryServiceArn?: pulumi.Input<string>;
    /** Retention and key of the task log group. */
    readonly logs: EncryptedLogArgs;
}

/**
 * One service on Fargate: its image in a scanned, immutable ECR repository, a task definition with a read-only root
 * filesystem, roles that reach only its image, logs, table and key, and an autoscaled service in the service subnets
 * that registers its tasks in Cloud Map and rolls back a deployment that does not stabilise.
 */
export class FargateService extends pulumi.ComponentResource {
    /** The ECS service's name. */
    public readonly serviceName: pulumi.Output<string>;
    /** The ECR repository the image is pushed to: scanned on push, tags immutable. */
    public readonly repositoryUrl: pulumi.Output<string>;
    /** The tasks' role: its table's items and key, nothing else. */
    public readonly taskRoleArn: pulumi.Output<string>;
    /** The tasks' role name: attach a policy for anything beyond its table. */
    public readonly taskRoleName: pulumi.Output<string>;
    /** The role ECS pulls the image and writes logs with. */
    public readonly executionRoleArn: pulumi.Output<string>;
    /** The tasks' security group: the service port from `ingressCidrBlocks` in, HTTPS out. */
    public readonly securityGroupId: pulumi.Output<string>;

    constructor(name: string, args: FargateServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("inspected-api:compute:FargateService", name, {}, tagChildren(opts, args.tags));
        const port = args.port ?? 8080;
        const cpu = args.cpu ?? 256;
        const memory = args.memory ?? 512;
        const desiredCount = args.desiredCount ?? 2;
        const maxCount = args.maxCount ?? 3 * desiredCount;
        const tableActions = args.tableActions ?? [...TABLE_DATA_ACTIONS];
        const buildArgs = args.image.buildArgs ?? {};
        checkArgs(this, "FargateService", name, [
            ["ingressCidrBlocks", knownNow(args.ingressCidrBlocks)],
            ["cpu", fargateRules.cpu(cpu)],
            ["memory", fargateRules.memoryForCpu(cpu, memory)],
            ["maxCount", fargateRules.maxAtLeastDesired(maxCount, desiredCount, "desiredCount")],
            ["tableActions", fargateRules.tableActions(tableActions)],
        ]);
        const { region, dnsSuffix } = awsContext(this);

        const repository = new aws.ecr.Repository(`${name}-repo`, {
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            forceDelete: true,
            tags: { Name: name },
        }, { parent: this });
        const image = new awsx.ecr.Image(`${name}-image`, {
            repositoryUrl: repository.repositoryUrl,
            context: args.image.context,
            args: buildArgs,
            imageTag: contentTag(args.image.context, buildArgs),
            platform: "linux/amd64",
        }, { parent: this });

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            retentionInDays: args.logs.retentionInDays,
            kmsKeyId: args.logs.kmsKeyArn,
            tags: { Name: `${name}-logs` },
        }, { parent: this });

        const assumedByTasks = trustPolicy(pulumi.interpolate`ecs-tasks.${dnsSuffix}`);
        const executionRole = new aws.iam.Role(`${name}-execution-role`, { assumeRolePolicy: assumedByTasks, tags: { Name: `${name}-execution` } }, { parent: this });
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

        const taskRole = new aws.iam.Role(`${name}-task-role`, { assumeRolePolicy: assumedByTasks, tags: { Name: `${name}-task` } }, { parent: this });
        const table = args.table;
        if (table !== undefined) {
            new aws.iam.RolePolicy(`${name}-task`, {
                role: taskRole.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Sid: "OwnTableItems", Effect: "Allow", Action: tableActions, Resource: table.tableArn },
                        {
                            Sid: "OwnTableKeyThroughDynamoDb",
                            Effect: "Allow",
                            Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                            Resource: table.kmsKeyArn,
                            Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`dynamodb.${region}.${dnsSuffix}` } },
                        },
                    ],
                }),
            }, { parent: this });
        }

        const sg = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: args.vpcId,
            description: `${name} tasks: port ${port} from the vpcLink subnets only`,
            tags: { Name: name },
        }, { parent: this });
        portRulesPerCidr(this, {
            securityGroupId: sg.id,
            direction: "ingress",
            port: port,
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
            tags: { Name: `${name}-https-out` },
        }, { parent: this });

        const taskDefinition = new aws.ecs.TaskDefinition(`${name}-task`, {
            family: name,
            cpu: String(cpu),
            memory: String(memory),
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
                portMappings: [{ containerPort: port, protocol: "tcp" }],
                environment: [
                    ...(table === undefined ? [] : [{ name: "TABLE_NAME", value: table.tableName }]),
                    { name: "AWS_REGION", value: region },
                    { name: "PORT", value: String(port) },
                ],
                logConfiguration: {
                    logDriver: "awslogs",
                    options: { "awslogs-group": logGroup.name, "awslogs-region": region, "awslogs-stream-prefix": name },
                },
                healthCheck: {
                    command: ["CMD", "node", "-e", `fetch('http://127.0.0.1:${port}/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`],
                    interval: 15,
                    timeout: 3,
                    retries: 3,
                    startPeriod: 10,
                },
                // Time to drain in-flight requests after SIGTERM.
                stopTimeout: 30,
            }]),
            tags: { Name: `${name}-task` },
        }, { parent: this });

        const service = new aws.ecs.Service(`${name}-service`, {
            cluster: args.clusterArn,
            taskDefinition: taskDefinition.arn,
            desiredCount: desiredCount,
            launchType: "FARGATE",
            networkConfiguration: { subnets: args.subnetIds, securityGroups: [sg.id], assignPublicIp: false },
            deploymentCircuitBreaker: { enable: true, rollback: true },
            serviceRegistries: args.discoveryServiceArn === undefined ? undefined
                : { registryArn: args.discoveryServiceArn, containerName: name, containerPort: port },
            propagateTags: "SERVICE",
            enableExecuteCommand: false,
            tags: { Name: name, service: name },
        }, { parent: this, ignoreChanges: ["desiredCount"] });

        const target = new aws.appautoscaling.Target(`${name}-scaling`, {
            serviceNamespace: "ecs",
            scalableDimension: "ecs:service:DesiredCount",
            resourceId: pulumi.interpolate`service/${args.clusterName}/${service.name}`,
            minCapacity: desiredCount,
            maxCapacity: maxCount,
            tags: { Name: `${name}-scaling` },
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
        this.taskRoleName = taskRole.name;
        this.executionRoleArn = executionRole.arn;
        this.securityGroupId = sg.id;
        this.registerOutputs({
            serviceName: this.serviceName,
            repositoryUrl: this.repositoryUrl,
            taskRoleArn: this.taskRoleArn,
            taskRoleName: this.taskRoleName,
            executionRoleArn: this.executionRoleArn,
            securityGroupId: this.securityGroupId,
        });
    }
}
