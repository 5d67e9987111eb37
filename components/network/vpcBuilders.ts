/**
 * The building blocks both VPCs share. They create resources under the calling component (`parent`) rather than
 * being components themselves, so the resources keep the names and parents they would have if written inline.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ArgRule, knownNow } from "../argRules";
import { EncryptedLogArgs } from "../security/logEncryptionKey";
import { planRule, SubnetPlan, tryPlan } from "./subnetPlan";
import { VpcFlowLogs } from "./vpcFlowLogs";

/** One tier's subnets, ordered by AZ: index *i* of every array is AZ *i*. */
export interface SubnetTier {
    /** The subnets' ids. */
    readonly subnetIds: pulumi.Input<string>[];
    /** The subnets' IPv4 CIDRs. Known at plan time: routes and security group rules are written one per CIDR. */
    readonly cidrBlocks: string[];
    /** One route table per subnet, never shared across AZs or tiers: inspection routes differ per AZ and tier. */
    readonly routeTableIds: pulumi.Input<string>[];
}

/**
 * A VPC component's subnet plan, or the rules its `cidrBlock` and `availabilityZoneIds` broke: both must be known
 * while the program runs, and the CIDR must hold the plan for that many AZs.
 */
export function planVpc<T extends string>(
    cidrBlock: string,
    availabilityZoneIds: readonly string[],
    planner: (cidrBlock: string, availabilityZoneCount: number) => SubnetPlan<T>,
): { plan: SubnetPlan<T> | undefined; rules: [string, ArgRule][] } {
    const known = { cidrBlock: knownNow(cidrBlock), availabilityZoneIds: knownNow(availabilityZoneIds) };
    const planned = known.cidrBlock === undefined && known.availabilityZoneIds === undefined
        ? tryPlan(() => planner(cidrBlock, availabilityZoneIds.length))
        : undefined;
    return {
        plan: typeof planned === "object" ? planned : undefined,
        rules: [
            ["cidrBlock", known.cidrBlock ?? (typeof planned === "string" ? planRule(availabilityZoneIds.length, planned) : undefined)],
            ["availabilityZoneIds", known.availabilityZoneIds],
        ],
    };
}

/** A VPC with DNS on, its default security group emptied, and flow logs of every packet decision. */
export function createVpc(name: string, parent: pulumi.Resource, cidrBlock: string, flowLogs: EncryptedLogArgs): aws.ec2.Vpc {
    const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
        cidrBlock,
        enableDnsSupport: true,
        enableDnsHostnames: true,
        tags: { Name: name },
    }, { parent });
    // Adopting the default security group with no rules strips the allow-all rules AWS puts in it.
    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, tags: { Name: `${name}-default` } }, { parent });
    new VpcFlowLogs(`${name}-flow-logs`, { vpcId: vpc.id, ...flowLogs }, { parent });
    return vpc;
}

/** One private subnet per AZ for a tier, each with a route table of its own. */
export function createTierSubnets(
    name: string,
    parent: pulumi.Resource,
    vpcId: pulumi.Input<string>,
    tier: string,
    cidrBlocks: readonly string[],
    availabilityZoneIds: readonly string[],
): SubnetTier {
    const subnets = cidrBlocks.map((cidrBlock, az) => new aws.ec2.Subnet(`${name}-${tier}-${az}`, {
        vpcId,
        cidrBlock,
        availabilityZoneId: availabilityZoneIds[az],
        mapPublicIpOnLaunch: false,
        tags: { Name: `${name}-${tier}-${az}`, tier },
    }, { parent }));
    const routeTables = subnets.map((subnet, az) => {
        const table = new aws.ec2.RouteTable(`${name}-${tier}-rt-${az}`, {
            vpcId,
            tags: { Name: `${name}-${tier}-${az}`, tier },
        }, { parent });
        new aws.ec2.RouteTableAssociation(`${name}-${tier}-rta-${az}`, {
            subnetId: subnet.id,
            routeTableId: table.id,
        }, { parent });
        return table;
    });
    return { subnetIds: subnets.map(s => s.id), cidrBlocks: [...cidrBlocks], routeTableIds: routeTables.map(t => t.id) };
}

/**
 * An internet gateway for the public tier and, per AZ, a NAT gateway that only the private tier's table of the same
 * AZ routes to, so an AZ outage never strands another AZ's egress. Returns the private tier's default routes: what
 * anything that needs the internet at boot should depend on.
 */
export function addNatEgress(
    name: string,
    parent: pulumi.Resource,
    vpcId: pulumi.Input<string>,
    publicTier: SubnetTier,
    privateTier: { readonly name: string; readonly subnets: SubnetTier },
): aws.ec2.Route[] {
    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId, tags: { Name: name } }, { parent });
    return publicTier.routeTableIds.map((routeTableId, az) => {
        new aws.ec2.Route(`${name}-public-default-${az}`, {
            routeTableId,
            destinationCidrBlock: "0.0.0.0/0",
            gatewayId: igw.id,
        }, { parent });
        const eip = new aws.ec2.Eip(`${name}-nat-eip-${az}`, { domain: "vpc", tags: { Name: `${name}-nat-${az}` } }, { parent });
        const nat = new aws.ec2.NatGateway(`${name}-nat-${az}`, {
            subnetId: publicTier.subnetIds[az],
            allocationId: eip.id,
            tags: { Name: `${name}-nat-${az}` },
        }, { parent, dependsOn: [igw] });
        return new aws.ec2.Route(`${name}-${privateTier.name}-default-${az}`, {
            routeTableId: privateTier.subnets.routeTableIds[az],
            destinationCidrBlock: "0.0.0.0/0",
            natGatewayId: nat.id,
        }, { parent });
    });
}

/** The regional name of an AWS service's VPC endpoint; looked up because prefixes differ by partition and type. */
export function endpointServiceName(parent: pulumi.Resource, service: string, serviceType: "Gateway" | "Interface"): pulumi.Output<string> {
    return aws.ec2.getVpcEndpointServiceOutput({ service, serviceType }, { parent }).serviceName;
}

/**
 * One TCP rule per subnet CIDR, for one port: how every security group here names its peers. Subnet CIDRs rather than
 * group references, because a reference stops matching once traffic has passed an inspection endpoint.
 */
export function portRulesPerCidr(
    parent: pulumi.Resource,
    args: {
        readonly securityGroupId: pulumi.Input<string>;
        readonly direction: "ingress" | "egress";
        readonly port: number;
        readonly cidrBlocks: readonly string[];
        /** Resource name and description of the rule for the CIDR of AZ `az`. */
        readonly name: (az: number) => string;
        readonly description: (az: number) => string;
    },
): void {
    const Rule = args.direction === "ingress" ? aws.vpc.SecurityGroupIngressRule : aws.vpc.SecurityGroupEgressRule;
    args.cidrBlocks.forEach((cidrIpv4, az) => new Rule(args.name(az), {
        securityGroupId: args.securityGroupId,
        description: args.description(az),
        ipProtocol: "tcp",
        fromPort: args.port,
        toPort: args.port,
        cidrIpv4,
        tags: { Name: args.name(az) },
    }, { parent }));
}

/**
 * Interface endpoints with private DNS, behind one security group that accepts HTTPS only from the client tier's
 * subnet CIDRs: no other tier needs these AWS APIs.
 */
export function addInterfaceEndpoints(
    name: string,
    parent: pulumi.Resource,
    args: {
        readonly vpcId: pulumi.Input<string>;
        readonly services: readonly string[];
        readonly subnetIds: pulumi.Input<string>[];
        readonly clientTier: { readonly name: string; readonly cidrBlocks: readonly string[] };
    },
): aws.ec2.VpcEndpoint[] {
    const tier = args.clientTier.name;
    const endpointSg = new aws.ec2.SecurityGroup(`${name}-endpoints-sg`, {
        vpcId: args.vpcId,
        description: `Interface VPC endpoints: HTTPS from the ${tier} subnets only`,
        tags: { Name: `${name}-endpoints` },
    }, { parent });
    portRulesPerCidr(parent, {
        securityGroupId: endpointSg.id,
        direction: "ingress",
        port: 443,
        cidrBlocks: args.clientTier.cidrBlocks,
        name: az => `${name}-endpoints-https-${az}`,
        description: az => `HTTPS from ${tier} subnet ${az}`,
    });
    return args.services.map(service => new aws.ec2.VpcEndpoint(`${name}-${service.replace(".", "-")}`, {
        vpcId: args.vpcId,
        serviceName: endpointServiceName(parent, service, "Interface"),
        vpcEndpointType: "Interface",
        subnetIds: args.subnetIds,
        securityGroupIds: [endpointSg.id],
        privateDnsEnabled: true,
        tags: { Name: `${name}-${service}` },
    }, { parent }));
}
