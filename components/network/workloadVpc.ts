import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContext } from "../aws/context";
import { EncryptedLogArgs } from "../security/logEncryptionKey";
import { planWorkloadSubnets, WORKLOAD_EGRESS, WORKLOAD_TIERS, WorkloadTier } from "./subnetPlan";
import { checkArgs, oneOfValues } from "../argRules";
import { InspectedRouting } from "../inspection/inspectedRouting";
import { TaggedArgs, tagChildren } from "../tags";
import { addInterfaceEndpoints, addNatEgress, createTierSubnets, createVpc, endpointServiceName, planVpc, SubnetTier } from "./vpcBuilders";

export { SubnetTier } from "./vpcBuilders";
export { WorkloadEgress } from "./subnetPlan";

/** Interface endpoints a Fargate task needs with no internet path: pull from ECR, write logs. */
export const INTERFACE_ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "logs"] as const;

/** Arguments of {@link WorkloadVpc}. */
export interface WorkloadVpcArgs extends TaggedArgs {
    /**
     * IPv4 CIDR of the VPC, /16 to /20. A plain string, not an Input: it decides how many subnets exist and where,
     * which must be known while the program registers resources.
     */
    readonly cidrBlock: string;
    /**
     * AZ IDs (use1-az1…) to build in, in tier order: index *i* of every tier lies in the *i*-th. Plain for the same
     * reason; IDs rather than names because names map to different zones in different accounts.
     */
    readonly availabilityZoneIds: string[];
    /**
     * `endpoints`: no internet gateway and no NAT; AWS APIs through VPC endpoints only. `nat`: additionally public
     * subnets, an internet gateway and one NAT gateway per AZ for the service subnets. Default `endpoints`.
     */
    readonly egress?: string;
    /**
     * Policy of the DynamoDB gateway endpoint, e.g. `ServiceData.endpointPolicy`. Default: AWS's full-access policy,
     * until the tables it should be limited to exist.
     */
    readonly dynamoDbEndpointPolicy?: pulumi.Input<string>;
    /** Flow logs: retention in days and the customer-managed key of their log group. */
    readonly flowLogs: EncryptedLogArgs;
    /**
     * A Gateway Load Balancer endpoint service (e.g. `InspectionVpc.endpointServiceName`) that inspects every
     * vpcLink⇄service flow: the VPC then holds the `InspectedRouting` of its own tiers, which is how programs in other
     * languages wire inspection (subnet CIDRs must be known while the program runs). Default: no inspection routes.
     */
    readonly inspectionEndpointServiceName?: pulumi.Input<string>;
}

/**
 * The workload VPC: per AZ a service, vpcLink, endpoint (/28) and privateLink subnet (plus a public one with
 * `nat` egress), each with its own route table so later components can steer traffic between tiers through
 * inspection endpoints. Nothing here has a public IP.
 */
export class WorkloadVpc extends pulumi.ComponentResource {
    /** The VPC's id. */
    public readonly vpcId: pulumi.Output<string>;
    /** The VPC's CIDR. */
    public readonly cidrBlock: string;
    /** AZ IDs in the order every tier uses. */
    public readonly availabilityZoneIds: string[];
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
    /**
     * The service subnets' default routes to their AZ's NAT gateway; present only with `nat` egress. Anything that
     * needs the internet from the service subnets as it starts should depend on them.
     */
    public readonly natRoutes?: aws.ec2.Route[];
    /** The Gateway Load Balancer endpoints by AZ; present only with `inspectionEndpointServiceName`. */
    public readonly gatewayLoadBalancerEndpointIds?: pulumi.Output<string>[];

    constructor(name: string, args: WorkloadVpcArgs, opts?: pulumi.ComponentResourceOptions) {
        super("inspected-api:network:WorkloadVpc", name, {}, tagChildren(opts, args.tags));
        const egress = args.egress ?? "endpoints";
        const planned = planVpc(args.cidrBlock, args.availabilityZoneIds, planWorkloadSubnets);
        checkArgs(this, "WorkloadVpc", name, [...planned.rules, ["egress", oneOfValues(egress, WORKLOAD_EGRESS)]]);
        const plan = planned.plan!;
        const { region, partition } = awsContext(this);

        const vpc = createVpc(name, this, args.cidrBlock, args.flowLogs);

        const tiers = {} as Record<WorkloadTier, SubnetTier>;
        for (const tier of WORKLOAD_TIERS.filter(t => t !== "public" || egress === "nat")) {
            tiers[tier] = createTierSubnets(name, this, vpc.id, tier, plan.tiers[tier], args.availabilityZoneIds);
        }

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
                serviceName: endpointServiceName(this, service, "Gateway"),
                vpcEndpointType: "Gateway",
                routeTableIds: tiers.service.routeTableIds,
                policy,
                tags: { Name: `${name}-${service}` },
            }, { parent: this });
        }

        addInterfaceEndpoints(name, this, {
            vpcId: vpc.id,
            services: INTERFACE_ENDPOINT_SERVICES,
            subnetIds: tiers.privateLink.subnetIds,
            // Only tasks pull images and write logs.
            clientTier: { name: "service", cidrBlocks: tiers.service.cidrBlocks },
        });
        this.natRoutes = egress === "nat"
            ? addNatEgress(name, this, vpc.id, tiers.public, { name: "service", subnets: tiers.service })
            : undefined;

        if (args.inspectionEndpointServiceName !== undefined) {
            const routing = new InspectedRouting(`${name}-inspection`, {
                vpcId: vpc.id,
                endpointServiceName: args.inspectionEndpointServiceName,
                endpointSubnets: tiers.endpoint,
                vpcLinkSubnets: tiers.vpcLink,
                serviceSubnets: tiers.service,
            }, { parent: this });
            this.gatewayLoadBalancerEndpointIds = routing.endpointIds;
        }

        this.vpcId = vpc.id;
        this.cidrBlock = args.cidrBlock;
        this.availabilityZoneIds = [...args.availabilityZoneIds];
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
            natRoutes: this.natRoutes,
            gatewayLoadBalancerEndpointIds: this.gatewayLoadBalancerEndpointIds,
        });
    }
}
