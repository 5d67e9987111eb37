import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SubnetTier } from "../network/vpcBuilders";
import { ArgRule, checkArgs, knownNow } from "../argRules";
import { TaggedArgs, tagChildren } from "../tags";

/** Arguments of {@link InspectedRouting}. All tiers are ordered by AZ: index *i* of each lies in the *i*-th AZ. */
export interface InspectedRoutingArgs extends TaggedArgs {
    /** The VPC the three tiers belong to. */
    readonly vpcId: pulumi.Input<string>;
    /** The Gateway Load Balancer's endpoint service, e.g. `InspectionVpc.endpointServiceName`. */
    readonly endpointServiceName: pulumi.Input<string>;
    /**
     * One small subnet per AZ that holds nothing but the endpoint. Its route table must keep only `local`: after
     * inspection a packet is delivered straight to its destination.
     */
    readonly endpointSubnets: SubnetTier;
    /** Where API Gateway's VPC link ENIs live: the side requests come from. */
    readonly vpcLinkSubnets: SubnetTier;
    /** Where the tasks live: the side requests go to. */
    readonly serviceSubnets: SubnetTier;
}

type RoutedTier = "vpcLink" | "service";

/** One route this component writes: into a tier's table of one AZ, for one subnet of the other tier, via one AZ's endpoint. */
export interface InspectedRoute {
    readonly table: { readonly tier: RoutedTier; readonly az: number };
    readonly destination: { readonly tier: RoutedTier; readonly az: number; readonly cidrBlock: string };
    /** AZ index of the endpoint the route targets. */
    readonly endpointAz: number;
}

/**
 * The route plan (README, "How traffic is inspected"), as data. A flow between vpcLink subnet *x* and service subnet *y* passes endpoint *x*
 * both ways: vpcLink *x* sends every service CIDR to endpoint *x*, and service *y* sends every vpcLink CIDR *x* back
 * to endpoint *x*, so the stateful appliance behind it sees both halves. One route per subnet CIDR, never a summary:
 * AWS accepts a route more specific than `local` only for a subnet's exact CIDR.
 */
export function planInspectedRoutes(vpcLinkCidrs: readonly string[], serviceCidrs: readonly string[]): InspectedRoute[] {
    const routes: InspectedRoute[] = [];
    vpcLinkCidrs.forEach((vpcLinkCidr, x) => {
        serviceCidrs.forEach((serviceCidr, y) => {
            routes.push({ table: { tier: "vpcLink", az: x }, destination: { tier: "service", az: y, cidrBlock: serviceCidr }, endpointAz: x });
            routes.push({ table: { tier: "service", az: y }, destination: { tier: "vpcLink", az: x, cidrBlock: vpcLinkCidr }, endpointAz: x });
        });
    });
    return routes;
}

/**
 * Puts a Gateway Load Balancer endpoint in each AZ's endpoint subnet and steers every vpcLink⇄service flow through
 * the endpoint of the vpcLink subnet's AZ, in both directions. Cross-AZ flows are normal (API Gateway resolves tasks
 * in every AZ through Cloud Map) and stay inspected: their response returns through the endpoint the request took.
 */
export class InspectedRouting extends pulumi.ComponentResource {
    /** Gateway Load Balancer endpoint ids, by AZ. */
    public readonly endpointIds: pulumi.Output<string>[];
    /** How many routes steer traffic through the endpoints: 2 × AZs². */
    public readonly routeCount: number;

    constructor(name: string, args: InspectedRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("inspected-api:inspection:InspectedRouting", name, {}, tagChildren(opts, args.tags));
        const tiers = { endpointSubnets: args.endpointSubnets, vpcLinkSubnets: args.vpcLinkSubnets, serviceSubnets: args.serviceSubnets };
        // Counts and CIDRs decide which routes exist: check they are known before reading them.
        const unknown = Object.entries(tiers).map(([arg, tier]): [string, ArgRule] =>
            [arg, knownNow(tier) ?? knownNow(tier.cidrBlocks) ?? knownNow(tier.subnetIds, false) ?? knownNow(tier.routeTableIds, false)]);
        checkArgs(this, "InspectedRouting", name, unknown);
        const azCount = args.endpointSubnets.subnetIds.length;
        checkArgs(this, "InspectedRouting", name, [
            ["endpointSubnets.subnetIds", azCount === 0 ? "hold a subnet in every AZ: inspection needs an endpoint in each" : undefined],
            ...Object.entries(tiers).map(([arg, tier]): [string, string | undefined] => [arg,
                tier.subnetIds.length !== azCount || tier.routeTableIds.length !== azCount || tier.cidrBlocks.length !== azCount
                    ? `have one subnet, CIDR and route table per AZ (${azCount}), got ${tier.subnetIds.length}, ${tier.cidrBlocks.length} and ${tier.routeTableIds.length}`
                    : undefined]),
        ]);

        const endpoints = args.endpointSubnets.subnetIds.map((subnetId, az) => new aws.ec2.VpcEndpoint(`${name}-gwlbe-${az}`, {
            vpcId: args.vpcId,
            serviceName: args.endpointServiceName,
            vpcEndpointType: "GatewayLoadBalancer",
            // A GWLB endpoint lives in exactly one subnet, and that subnet can never change.
            subnetIds: [subnetId],
            tags: { Name: `${name}-gwlbe-${az}` },
        }, { parent: this }));

        const routes = planInspectedRoutes(args.vpcLinkSubnets.cidrBlocks, args.serviceSubnets.cidrBlocks);
        const tables = { vpcLink: args.vpcLinkSubnets, service: args.serviceSubnets };
        for (const { table, destination, endpointAz } of routes) {
            const endpoint = endpoints[endpointAz];
            new aws.ec2.Route(`${name}-${table.tier}-${table.az}-to-${destination.tier}-${destination.az}`, {
                routeTableId: tables[table.tier].routeTableIds[table.az],
                // AWS accepts this route only while a subnet has exactly this CIDR: read through the subnet's id, the
                // route is created after the subnet and deleted before it, also when the AZ count changes.
                destinationCidrBlock: pulumi.output(tables[destination.tier].subnetIds[destination.az]).apply(() => destination.cidrBlock),
                vpcEndpointId: endpoint.id,
                // The provider returns an endpoint only once it is `available`; a route to one that is not fails with
                // "unsupported route target". The id already orders the two, and makes Pulumi delete the routes
                // before their endpoint, which AWS requires; dependsOn keeps that order should the id ever arrive as a
                // plain string.
            }, { parent: this, dependsOn: [endpoint] });
        }

        this.endpointIds = endpoints.map(e => e.id);
        this.routeCount = routes.length;
        this.registerOutputs({ endpointIds: this.endpointIds, routeCount: this.routeCount });
    }
}
