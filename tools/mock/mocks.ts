import * as crypto from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { stackNameOf } from "./stackConfig";

/** The account and region a mock run pretends to deploy into. */
export interface MockContext {
    readonly region: string;
    readonly accountId: string;
    /** Outputs of the other stacks this run's StackReferences read, by stack name: their planned runs' outputs. */
    readonly stackOutputs?: Readonly<Record<string, Record<string, unknown>>>;
}

export const MOCK_ACCOUNT_ID = "123456789012";

/** Invoked a data source the kit has no answer for: add one here rather than letting it return nothing. */
export class UnmockedInvokeError extends Error {
    /** The SDK reports a failed invoke by the gRPC error's `details`, not its message. */
    readonly details: string;

    constructor(readonly token: string) {
        super(`the mock runtime has no answer for invoke ${token}; add one to tools/mock/mocks.ts`);
        this.name = "UnmockedInvokeError";
        this.details = this.message;
    }
}

/** AWS id prefixes, so ids in plans and failures read like the ones the console shows. */
const ID_PREFIX: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/flowLog:FlowLog": "fl",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
    "aws:ec2/vpcEndpointService:VpcEndpointService": "vpce-svc",
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": "ns",
    "aws:servicediscovery/service:Service": "srv",
    "aws:apigatewayv2/vpcLink:VpcLink": "vpclink",
};

function digest(text: string, length: number): string {
    return crypto.createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** The same type and name always get the same id, whatever order resources register in. */
export function mockId(type: string, name: string): string {
    const prefix = ID_PREFIX[type];
    return prefix ? `${prefix}-${digest(`${type}::${name}`, 17)}` : `${name}-id`;
}

/** Ids whose shape AWS fixes beyond a prefix: Cognito pools are <region>_<9 characters>, clients 26 characters. */
function resourceId(ctx: MockContext, type: string, name: string): string {
    switch (type) {
        case "aws:cognito/userPool:UserPool":
            return `${ctx.region}_${digest(`${type}::${name}`, 9)}`;
        case "aws:cognito/userPoolClient:UserPoolClient":
            return digest(`${type}::${name}`, 26);
        default:
            return mockId(type, name);
    }
}

/**
 * A region's AZs as one account sees them: names a–f in order, each mapped to a zone ID the way AWS maps names to
 * physical zones per account (not in the same order), so code that picks AZs by name rather than ID shows it.
 */
// Six AZs, the most any config may ask for, so every layout can be planned.
const ZONE_ID_ORDER = [4, 6, 1, 2, 3, 5];

export function availabilityZones(region: string): { names: string[]; zoneIds: string[] } {
    // us-east-1 → use1, the shape of real AZ IDs.
    const short = region.replace(/^(\w\w)-(\w)\w*-(\d+)$/, "$1$2$3");
    return {
        names: ZONE_ID_ORDER.map((_, i) => `${region}${"abcdef"[i]}`),
        zoneIds: ZONE_ID_ORDER.map(n => `${short}-az${n}`),
    };
}

/** What the mock SSM parameter store holds under `name`: an AMI id unique to the name (public AMI parameters). */
export function mockParameterValue(name: string): string {
    return `ami-${digest(name, 17)}`;
}

/** IAM's names for the service-linked roles the program creates: AWSServiceRoleFor<name>[_<suffix>]. */
const SERVICE_LINKED_ROLE_NAMES: Record<string, string> = {
    "autoscaling.amazonaws.com": "AutoScaling",
};

/** The outputs a provider would compute and that the program reads, beside the inputs echoed back. */
function computedState(ctx: MockContext, type: string, name: string, id: string, inputs: Record<string, unknown>) {
    const [pkg, moduleAndType] = type.split(":");
    const service = (moduleAndType ?? "").split("/")[0];
    const kind = type.split(":").pop()!.toLowerCase();
    const physicalName = (inputs.name as string | undefined) ?? `${inputs.namePrefix ?? `${name}-`}${digest(name, 7)}`;
    const state: Record<string, unknown> = { id, name: physicalName };
    if (pkg === "aws") {
        state.arn = `arn:aws:${service}:${ctx.region}:${ctx.accountId}:${kind}/${id}`;
        state.tagsAll = inputs.tags;
    }
    switch (type) {
        case "aws:ec2/vpc:Vpc":
            Object.assign(state, {
                defaultSecurityGroupId: `sg-${digest(`${name}-default`, 17)}`,
                defaultRouteTableId: `rtb-${digest(`${name}-main`, 17)}`,
                mainRouteTableId: `rtb-${digest(`${name}-main`, 17)}`,
                defaultNetworkAclId: `acl-${digest(`${name}-acl`, 17)}`,
                ownerId: ctx.accountId,
            });
            break;
        case "aws:ec2/subnet:Subnet": {
            // A subnet is placed by name or by ID; AWS reports both.
            const zones = availabilityZones(ctx.region);
            const i = inputs.availabilityZoneId !== undefined
                ? zones.zoneIds.indexOf(inputs.availabilityZoneId as string)
                : zones.names.indexOf(inputs.availabilityZone as string);
            Object.assign(state, { availabilityZone: zones.names[i], availabilityZoneId: zones.zoneIds[i] });
            break;
        }
        case "aws:kms/key:Key":
            Object.assign(state, { keyId: id, arn: `arn:aws:kms:${ctx.region}:${ctx.accountId}:key/${id}` });
            break;
        case "aws:cloudwatch/logGroup:LogGroup":
            state.arn = `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${physicalName}`;
            break;
        case "aws:iam/role:Role":
            state.arn = `arn:aws:iam::${ctx.accountId}:role/${physicalName}`;
            break;
        case "aws:iam/serviceLinkedRole:ServiceLinkedRole": {
            const service = SERVICE_LINKED_ROLE_NAMES[inputs.awsServiceName as string];
            if (!service) {
                throw new Error(`the mocks know no service-linked role name for ${inputs.awsServiceName}; add it to tools/mock/mocks.ts`);
            }
            const roleName = `AWSServiceRoleFor${service}${inputs.customSuffix ? `_${inputs.customSuffix}` : ""}`;
            Object.assign(state, { name: roleName, arn: `arn:aws:iam::${ctx.accountId}:role/aws-service-role/${inputs.awsServiceName}/${roleName}` });
            break;
        }
        case "aws:iam/instanceProfile:InstanceProfile":
            state.arn = `arn:aws:iam::${ctx.accountId}:instance-profile/${physicalName}`;
            break;
        case "aws:lb/loadBalancer:LoadBalancer":
        case "aws:lb/targetGroup:TargetGroup": {
            // ELB ARNs end in <kind>/<name>/<hex id>; CloudWatch dimensions and GWLB ENI descriptions use that suffix.
            const targetGroup = type === "aws:lb/targetGroup:TargetGroup";
            const arnSuffix = `${targetGroup ? "targetgroup" : inputs.loadBalancerType === "gateway" ? "gwy" : "app"}/${physicalName}/${digest(id, 16)}`;
            const arnPath = targetGroup ? arnSuffix : `loadbalancer/${arnSuffix}`;
            Object.assign(state, { arnSuffix, arn: `arn:aws:elasticloadbalancing:${ctx.region}:${ctx.accountId}:${arnPath}` });
            break;
        }
        case "aws:ec2/vpcEndpointService:VpcEndpointService":
            Object.assign(state, { serviceName: `com.amazonaws.vpce.${ctx.region}.${id}`, serviceType: "GatewayLoadBalancer", state: "Available" });
            break;
        case "aws:ec2/launchTemplate:LaunchTemplate":
            Object.assign(state, { latestVersion: 1, defaultVersion: 1 });
            break;
        case "aws:cognito/userPool:UserPool":
            Object.assign(state, {
                arn: `arn:aws:cognito-idp:${ctx.region}:${ctx.accountId}:userpool/${id}`,
                endpoint: `cognito-idp.${ctx.region}.amazonaws.com/${id}`,
            });
            break;
        case "aws:cognito/userPoolClient:UserPoolClient":
            state.clientSecret = inputs.generateSecret ? digest(`${name}-secret`, 51) : undefined;
            break;
        case "aws:apigatewayv2/api:Api":
            Object.assign(state, {
                apiEndpoint: `https://${id}.execute-api.${ctx.region}.amazonaws.com`,
                executionArn: `arn:aws:execute-api:${ctx.region}:${ctx.accountId}:${id}`,
            });
            break;
        case "aws:ecr/repository:Repository":
            Object.assign(state, {
                arn: `arn:aws:ecr:${ctx.region}:${ctx.accountId}:repository/${physicalName}`,
                repositoryUrl: `${ctx.accountId}.dkr.ecr.${ctx.region}.amazonaws.com/${physicalName}`,
            });
            break;
        case "awsx:ecr:Image":
            // The pushed image by digest: what awsx returns once the build is pushed.
            state.imageUri = `${inputs.repositoryUrl}@sha256:${digest(name, 64)}`;
            break;
        case "aws:dynamodb/table:Table":
            state.arn = `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${physicalName}`;
            break;
        case "aws:ecs/cluster:Cluster":
            state.arn = `arn:aws:ecs:${ctx.region}:${ctx.accountId}:cluster/${physicalName}`;
            break;
        case "aws:ecs/taskDefinition:TaskDefinition":
            Object.assign(state, { arn: `arn:aws:ecs:${ctx.region}:${ctx.accountId}:task-definition/${inputs.family}:1`, revision: 1 });
            break;
        case "aws:servicediscovery/service:Service":
            state.arn = `arn:aws:servicediscovery:${ctx.region}:${ctx.accountId}:service/${id}`;
            break;
    }
    return state;
}

/**
 * Mocks that answer like AWS would for the resources and data sources this program uses: deterministic ids,
 * the computed outputs the code reads, and answers for every invoke the program makes.
 */
export function createMocks(ctx: MockContext): pulumi.runtime.Mocks {
    // AMI ids the parameter store handed out: public images, as Canonical publishes them.
    const publishedImages = new Set<string>();
    const publish = (imageId: string) => {
        publishedImages.add(imageId);
        return imageId;
    };
    return {
        newResource(args) {
            if (args.type === "pulumi:pulumi:StackReference") {
                const stack = String(args.inputs.name ?? args.name);
                const outputs = ctx.stackOutputs?.[stackNameOf(stack)];
                if (outputs === undefined) {
                    throw new Error(`stack reference ${stack}: no stack of that name was planned before this one (plan them together: --stack ${stackNameOf(stack)} --stack …)`);
                }
                return { id: stack, state: { name: stack, outputs, secretOutputNames: [] } };
            }
            const id = args.id || resourceId(ctx, args.type, args.name);
            return { id, state: { ...args.inputs, ...computedState(ctx, args.type, args.name, id, args.inputs) } };
        },
        call(args) {
            switch (args.token) {
                case "aws:index/getAvailabilityZones:getAvailabilityZones":
                    return { id: ctx.region, ...availabilityZones(ctx.region), groupNames: [ctx.region], state: "available" };
                case "aws:index/getCallerIdentity:getCallerIdentity":
                    return {
                        id: ctx.accountId,
                        accountId: ctx.accountId,
                        arn: `arn:aws:iam::${ctx.accountId}:user/mock`,
                        userId: "AIDAMOCKUSER",
                    };
                case "aws:index/getRegion:getRegion":
                    return {
                        id: ctx.region,
                        name: ctx.region,
                        region: ctx.region,
                        description: ctx.region,
                        endpoint: `ec2.${ctx.region}.amazonaws.com`,
                    };
                case "aws:index/getPartition:getPartition":
                    return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
                case "aws:ec2/getVpcEndpointService:getVpcEndpointService":
                    return {
                        id: `${args.inputs.service}-${args.inputs.serviceType}`,
                        service: args.inputs.service,
                        serviceName: `com.amazonaws.${ctx.region}.${args.inputs.service}`,
                        serviceType: args.inputs.serviceType ?? "Interface",
                        owner: "amazon",
                        availabilityZones: availabilityZones(ctx.region).names,
                    };
                case "aws:ssm/getParameter:getParameter":
                    return {
                        id: args.inputs.name,
                        name: args.inputs.name,
                        arn: `arn:aws:ssm:${ctx.region}::parameter${args.inputs.name}`,
                        type: "String",
                        value: publish(mockParameterValue(String(args.inputs.name))),
                        version: 1,
                        withDecryption: true,
                    };
                case "aws:ec2/getInstanceType:getInstanceType":
                    return {
                        id: args.inputs.instanceType,
                        instanceType: args.inputs.instanceType,
                        // Graviton families carry a "g" after the generation digit: c7g, m6gd, t4g.
                        supportedArchitectures: /^[a-z]+\d+[a-z]*g[a-z]*\./.test(String(args.inputs.instanceType)) ? ["arm64"] : ["x86_64"],
                    };
                case "aws:ec2/getAmi:getAmi": {
                    const imageId = (args.inputs.filters as { name: string; values: string[] }[] | undefined)
                        ?.find(f => f.name === "image-id")?.values[0];
                    if (!imageId) {
                        throw new UnmockedInvokeError(`${args.token} without an image-id filter`);
                    }
                    // Canonical's images boot from /dev/sda1; many vendor images from /dev/xvda.
                    const rootDeviceName = publishedImages.has(imageId) ? "/dev/sda1" : "/dev/xvda";
                    return { id: imageId, imageId, architecture: "x86_64", rootDeviceName, state: "available" };
                }
                default:
                    throw new UnmockedInvokeError(args.token);
            }
        },
    };
}
