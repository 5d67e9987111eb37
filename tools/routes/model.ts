/**
 * Reads the {@link NetworkModel} the route simulator needs out of a program's registrations: what `pulumi up` would
 * create, as the provider would receive it.
 */
import { Registration, ResourceRegistry } from "../mock/registry";
import { T } from "../mock/types";
import { ModelRoute, NetworkModel, RouteTargetKind } from "./simulator";

/** Route target properties, as `aws.ec2.Route` and inline `RouteTable.routes` name them. */
const TARGETS: readonly [string, RouteTargetKind][] = [
    ["vpcEndpointId", "vpcEndpoint"],
    ["natGatewayId", "natGateway"],
    ["networkInterfaceId", "networkInterface"],
    ["gatewayId", "gateway"],
    ["transitGatewayId", "transitGateway"],
    ["vpcPeeringConnectionId", "vpcPeeringConnection"],
    ["carrierGatewayId", "other"],
    ["egressOnlyGatewayId", "other"],
    ["localGatewayId", "other"],
    ["coreNetworkArn", "other"],
];

function target(inputs: Record<string, unknown>): ModelRoute["target"] {
    for (const [property, kind] of TARGETS) {
        if (typeof inputs[property] === "string") {
            return { kind, id: inputs[property] as string };
        }
    }
    return { kind: "other", id: "(no target)" };
}

function idOf(r: Registration): string {
    if (!r.id) {
        throw new Error(`${r.type} ${r.name} has no id`);
    }
    return r.id;
}

/** The VPCs, subnets, route tables, associations, IPv4 CIDR routes and GWLB endpoints the program registered. */
export function networkModel(resources: ResourceRegistry): NetworkModel {
    const mainOverride = new Map(resources.ofType(T.mainRouteTableAssociation).map(a => [a.inputs.vpcId as string, a.inputs.routeTableId as string]));
    const vpcs = resources.ofType(T.vpc).map(v => ({
        id: idOf(v),
        name: v.name,
        cidrBlock: v.inputs.cidrBlock as string,
        mainRouteTableId: mainOverride.get(idOf(v)) ?? (v.state.mainRouteTableId as string),
    }));
    // AWS's own main tables are not resources of the program: only `local` unless something adopts them.
    const routeTables = resources.ofType(T.routeTable).map(t => ({ id: idOf(t), name: t.name, vpcId: t.inputs.vpcId as string }))
        .concat(vpcs.filter(v => !resources.byId(v.mainRouteTableId)).map(v => ({ id: v.mainRouteTableId, name: `${v.name} main route table`, vpcId: v.id })));

    const routes: ModelRoute[] = resources.ofType(T.route)
        .filter(r => typeof r.inputs.destinationCidrBlock === "string")
        .map(r => ({ name: r.name, routeTableId: r.inputs.routeTableId, destinationCidrBlock: r.inputs.destinationCidrBlock, target: target(r.inputs) }));
    for (const table of resources.ofType(T.routeTable)) {
        const inline = (table.inputs.routes ?? []) as Record<string, unknown>[];
        inline.filter(r => typeof r.cidrBlock === "string").forEach((r, i) => routes.push({
            name: `${table.name} route ${i}`,
            routeTableId: idOf(table),
            destinationCidrBlock: r.cidrBlock as string,
            target: target(r),
        }));
    }

    return {
        vpcs,
        subnets: resources.ofType(T.subnet).map(s => ({
            id: idOf(s),
            name: s.name,
            vpcId: s.inputs.vpcId,
            cidrBlock: s.inputs.cidrBlock,
            tier: s.inputs.tags?.tier,
            // AWS reports the zone ID whether the subnet was placed by name or by ID.
            availabilityZoneId: s.state.availabilityZoneId ?? s.inputs.availabilityZoneId,
        })),
        routeTables,
        associations: resources.ofType(T.routeTableAssociation)
            .filter(a => typeof a.inputs.subnetId === "string")
            .map(a => ({ subnetId: a.inputs.subnetId, routeTableId: a.inputs.routeTableId })),
        routes,
        gatewayLoadBalancerEndpoints: resources.ofType(T.vpcEndpoint)
            .filter(e => e.inputs.vpcEndpointType === "GatewayLoadBalancer")
            .map(e => ({ id: idOf(e), name: e.name, subnetId: (e.inputs.subnetIds ?? [])[0] })),
    };
}
