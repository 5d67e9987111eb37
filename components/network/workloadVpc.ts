import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContext } from "../aws/context";
import { planWorkloadSubnets, WORKLOAD_TIERS, WorkloadTier } from "./subnetPlan";
import { VpcFlowLogs } from "./vpcFlowLogs";

/** How tasks in the service subnets reach AWS APIs and the internet. */
export type WorkloadEgress = "endpoints" | "nat";

/** Interface endpoints a Fargate task needs with no internet path: pull from ECR, write logs. */
export const INTERFACE_ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "logs"] as const;

/** Arguments of {@link WorkloadVpc}. */
export interface WorkloadVpcArgs {
    /**
     * IPv4 CIDR of the VPC. A plain string, not an Input: it decides how many subnets exist and where, which must
     * be known while the program registers resources.
     */
    readonly cidrBlock: string;
    /**
     * AZ IDs (use1-az1…) to build in, in tier order: index *i* of every tier lies in the *i*-th. Plain for the same
     * reason; IDs rather than names because names map to different zones in different accounts.
     */
    readonly availabilityZoneIds: readonly string[];
    /**
     * `endpoints`: no internet gateway and no NAT; AWS APIs through VPC endpoints only. `nat`: additionally public
     * subnets, an internet gateway and one NAT gateway per AZ for the service subnets.
     */
    readonly egress: WorkloadEgress;
    /**
     * Policy of the DynamoDB gateway endpoint; unset leaves AWS's full-access default until the tables it should
     * be limited to exist.
     */
    readonly dynamoDbEndpointPolicy?: pulumi.Input<string>;
    /** Flow logs: retention in days and the customer-managed key of their log group. */
    readonly flowLogs: {
        readonly retentionInDays: pulumi.Input<number>;
        readonly kmsKeyArn: pulumi.Input<string>;
    };
}

/** One tier's subnets, ordered by AZ: index *i* of every array is AZ *i*. */
export interface SubnetTier {
    readonly subnetIds: pulumi.Output<string>[];
    readonly cidrBlocks: readonly string[];
    /** One route table per subnet; tables are never shared across AZs or tiers. */
    readonly routeTableIds: pulumi.Output<string>[];
}

/**
 * The workload VPC: per AZ a service, vpcLink, endpoint (/28) and privateLink subnet (plus a public one with
 * `nat` egress), each with its own route table so later components can steer traffic between tiers through
 * inspection endpoints. Nothing here has a public IP.
 */
export class WorkloadVpc extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly cidrBlock: string;
    /** AZ IDs in the order every tier uses. */
    public readonly availabilityZoneIds: readonly string[];
    /** ECS tasks. */
    public readonly serviceSubnets: SubnetTier;
    /** API Gateway VPC link ENIs. */
    public readonly vpcLinkSubnets: SubnetTier;
    /** One Gateway Load Balancer endpoint per AZ. */
    public readonly endpointSubnets: SubnetTier;
    /** Interface VPC endpoints. */
    public readonly privateLinkSubnets: SubnetTier;
    /** NAT gateways; present only with `nat` egress. */
    public readonly publicSubnets?: SubnetTier;

    constructor(name: string, args: WorkloadVpcArgs, opts?: pulumi.ComponentResourceOptions) {
        super("inspected-api:network:WorkloadVpc", name, {}, opts);
        const plan = planWorkloadSubnets(args.cidrBlock, args.availabilityZoneIds.length);
        const { region, partition } = awsContext(this);

        const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: args.cidrBlock,
            enableDnsSupport: true,
            enableDnsHostnames: true,
            tags: { Name: name },
        }, { parent: this });
        // Adopting the default security group with no rules strips the allow-all rules AWS puts in it.
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id }, { parent: this });

        const tiers = {} as Record<WorkloadTier, SubnetTier>;
        const builtTiers = WORKLOAD_TIERS.filter(tier => tier !== "public" || args.egress === "nat");
        for (const tier of builtTiers) {
            const subnets = plan.tiers[tier].map((cidrBlock, az) => new aws.ec2.Subnet(`${name}-${tier}-${az}`, {
                vpcId: vpc.id,
                cidrBlock,
                availabilityZoneId: args.availabilityZoneIds[az],
                mapPublicIpOnLaunch: false,
                tags: { Name: `${name}-${tier}-${az}`, tier },
            }, { parent: this }));
            const routeTables = subnets.map((subnet, az) => {
                const table = new aws.ec2.RouteTable(`${name}-${tier}-rt-${az}`, {
                    vpcId: vpc.id,
                    tags: { Name: `${name}-${tier}-${az}`, tier },
                }, { parent: this });
                new aws.ec2.RouteTableAssociation(`${name}-${tier}-rta-${az}`, {
                    subnetId: subnet.id,
                    routeTableId: table.id,
                }, { parent: this });
                return table;
            });
            tiers[tier] = {
                subnetIds: subnets.map(s => s.id),
                cidrBlocks: plan.tiers[tier],
                routeTableIds: routeTables.map(t => t.id),
            };
        }

        // Looked up rather than spelled out: prefixes differ by partition and, in China, by endpoint type.
        const endpointService = (service: string, serviceType: "Gateway" | "Interface") =>
            aws.ec2.getVpcEndpointServiceOutput({ service, serviceType }, { parent: this }).serviceName;
        // Gateway endpoints are free. Through S3 the tasks need nothing but ECR's image layers.
        const gatewayEndpointPolicies: Record<string, pulumi.Input<string> | undefined> = {
            s3: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{
                    Sid: "EcrImageLayersOnly",
                    Effect: "Allow",
                    Principal: "*",
                    Action: "s3:GetObject",
                    Resource: pulumi.interpolate`arn:${partition}:s3:::prod-${region}-starport-layer-bucket/*`,
                }],
            }),
            dynamodb: args.dynamoDbEndpointPolicy,
        };
        for (const [service, policy] of Object.entries(gatewayEndpointPolicies)) {
            new aws.ec2.VpcEndpoint(`${name}-${service}`, {
                vpcId: vpc.id,
                serviceName: endpointService(service, "Gateway"),
                vpcEndpointType: "Gateway",
                routeTableIds: tiers.service.routeTableIds,
                policy,
                tags: { Name: `${name}-${service}` },
            }, { parent: this });
        }

        const endpointSg = new aws.ec2.SecurityGroup(`${name}-endpoints-sg`, {
            vpcId: vpc.id,
            description: "Interface VPC endpoints: HTTPS from the service subnets only",
            tags: { Name: `${name}-endpoints` },
        }, { parent: this });
        // Only tasks pull images and write logs; no other tier needs these endpoints.
        tiers.service.cidrBlocks.forEach((cidrIpv4, az) => {
            new aws.vpc.SecurityGroupIngressRule(`${name}-endpoints-https-${az}`, {
                securityGroupId: endpointSg.id,
                description: `HTTPS from service subnet ${az}`,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrIpv4,
            }, { parent: this });
        });
        for (const service of INTERFACE_ENDPOINT_SERVICES) {
            new aws.ec2.VpcEndpoint(`${name}-${service.replace(".", "-")}`, {
                vpcId: vpc.id,
                serviceName: endpointService(service, "Interface"),
                vpcEndpointType: "Interface",
                subnetIds: tiers.privateLink.subnetIds,
                securityGroupIds: [endpointSg.id],
                privateDnsEnabled: true,
                tags: { Name: `${name}-${service}` },
            }, { parent: this });
        }

        if (args.egress === "nat") {
            this.addNatEgress(name, vpc, tiers.public, tiers.service);
        }

        new VpcFlowLogs(`${name}-flow-logs`, {
            vpcId: vpc.id,
            retentionInDays: args.flowLogs.retentionInDays,
            kmsKeyArn: args.flowLogs.kmsKeyArn,
        }, { parent: this });

        this.vpcId = vpc.id;
        this.cidrBlock = args.cidrBlock;
        this.availabilityZoneIds = args.availabilityZoneIds;
        this.serviceSubnets = tiers.service;
        this.vpcLinkSubnets = tiers.vpcLink;
        this.endpointSubnets = tiers.endpoint;
        this.privateLinkSubnets = tiers.privateLink;
        this.publicSubnets = tiers.public;
        this.registerOutputs({
            vpcId: this.vpcId,
            cidrBlock: this.cidrBlock,
            availabilityZoneIds: this.availabilityZoneIds,
            serviceSubnets: this.serviceSubnets,
            vpcLinkSubnets: this.vpcLinkSubnets,
            endpointSubnets: this.endpointSubnets,
            privateLinkSubnets: this.privateLinkSubnets,
            publicSubnets: this.publicSubnets,
        });
    }

    /** An internet gateway for the public tier and, per AZ, a NAT gateway that only the service tier routes to. */
    private addNatEgress(name: string, vpc: aws.ec2.Vpc, publicTier: SubnetTier, serviceTier: SubnetTier): void {
        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: name } }, { parent: this });
        publicTier.routeTableIds.forEach((routeTableId, az) => {
            new aws.ec2.Route(`${name}-public-default-${az}`, {
                routeTableId,
                destinationCidrBlock: "0.0.0.0/0",
                gatewayId: igw.id,
            }, { parent: this });
            const eip = new aws.ec2.Eip(`${name}-nat-eip-${az}`, { domain: "vpc", tags: { Name: `${name}-nat-${az}` } }, { parent: this });
            const nat = new aws.ec2.NatGateway(`${name}-nat-${az}`, {
                subnetId: publicTier.subnetIds[az],
                allocationId: eip.id,
                tags: { Name: `${name}-nat-${az}` },
            }, { parent: this, dependsOn: [igw] });
            new aws.ec2.Route(`${name}-service-default-${az}`, {
                routeTableId: serviceTier.routeTableIds[az],
                destinationCidrBlock: "0.0.0.0/0",
                natGatewayId: nat.id,
            }, { parent: this });
        });
    }
}
