/**
 * A route simulator for traffic between subnets of one VPC: the reasoning AWS's Reachability Analyzer does after a
 * deploy, done before it over the planned resources. Pure: it reads a {@link NetworkModel} and nothing else.
 *
 * What it models: each subnet's route table (its association, or the VPC's main table), longest-prefix match with the
 * implicit `local` route, Gateway Load Balancer endpoints as middleboxes whose subnet's own table routes the packet
 * onwards, and AWS's rules for routes more specific than `local`. What it leaves out: security groups and network
 * ACLs (they filter, they do not steer), secondary CIDRs, IPv6, prefix-list destinations.
 */
import { Cidr, contains, formatCidr, parseCidr } from "../../components/network/cidr";

export interface ModelVpc {
    readonly id: string;
    readonly name: string;
    readonly cidrBlock: string;
    /** The table of every subnet without an association of its own. */
    readonly mainRouteTableId: string;
}

export interface ModelSubnet {
    readonly id: string;
    readonly name: string;
    readonly vpcId: string;
    readonly cidrBlock: string;
    /** The subnet's role (`vpcLink`, `service`…), from its `tier` tag. */
    readonly tier?: string;
    readonly availabilityZoneId?: string;
}

export interface ModelRouteTable {
    readonly id: string;
    readonly name: string;
    readonly vpcId: string;
}

/** What a route sends to; `vpcEndpoint` covers GWLB endpoints, anything else leaves the VPC's own subnets. */
export type RouteTargetKind = "vpcEndpoint" | "natGateway" | "networkInterface" | "gateway" | "transitGateway" | "vpcPeeringConnection" | "other";

export interface ModelRoute {
    readonly name: string;
    readonly routeTableId: string;
    readonly destinationCidrBlock: string;
    readonly target: { readonly kind: RouteTargetKind; readonly id: string };
}

export interface ModelEndpoint {
    readonly id: string;
    readonly name: string;
    readonly subnetId: string;
}

/** Everything that decides where a packet between two subnets goes. */
export interface NetworkModel {
    readonly vpcs: readonly ModelVpc[];
    readonly subnets: readonly ModelSubnet[];
    readonly routeTables: readonly ModelRouteTable[];
    readonly associations: readonly { readonly subnetId: string; readonly routeTableId: string }[];
    readonly routes: readonly ModelRoute[];
    /** Gateway Load Balancer endpoints only: the middleboxes a route can send a packet through. */
    readonly gatewayLoadBalancerEndpoints: readonly ModelEndpoint[];
}

/** A route AWS would refuse to create; the simulation leaves it out, as AWS would. */
export interface RejectedRoute {
    readonly route: ModelRoute;
    readonly reason: string;
    /** The route goes into a table the program does not have, such as one of a VPC created elsewhere. */
    readonly outsideModel?: boolean;
}

/** One routing decision: where the packet was, which table and route sent it on, and to what. */
export interface Hop {
    /** The subnet the packet is in: the source's, or a GWLB endpoint's after inspection. */
    readonly at: ModelSubnet;
    /** The endpoint that just returned the packet, when `at` is its subnet. */
    readonly after?: ModelEndpoint;
    readonly routeTable?: ModelRouteTable;
    /** The matched route; undefined for the implicit `local` route. */
    readonly route?: ModelRoute;
    /** Destination CIDR of the matched route. */
    readonly matched?: string;
    /** Where the packet goes next: `local` delivery, an endpoint, another target, or nowhere. */
    readonly next: string;
}

/** One direction of a flow. */
export interface Path {
    readonly hops: readonly Hop[];
    /** False when the packet is lost, and when it is handed to a middlebox other than a GWLB endpoint (see `handedOff`). */
    readonly delivered: boolean;
    /**
     * The packet went to a NAT gateway or a network interface: a middlebox that may well pass it on, but not one of
     * the inspection's endpoints, and not one the simulator follows.
     */
    readonly handedOff?: string;
    /** GWLB endpoints the packet passed, in order. */
    readonly endpoints: readonly ModelEndpoint[];
    /** Why the packet was not delivered. */
    readonly failure?: string;
}

export type Verdict = "inspected" | "uninspected" | "asymmetric" | "blackhole";

/** A request from `source` to `destination` and its response. */
export interface Flow {
    readonly source: ModelSubnet;
    readonly destination: ModelSubnet;
    readonly verdict: Verdict;
    readonly request: Path;
    readonly response: Path;
    /** Why the verdict is not `inspected`. */
    readonly reason?: string;
}

export interface Simulation {
    readonly flows: readonly Flow[];
    /** Routes in the whole model that AWS would reject. */
    readonly rejectedRoutes: readonly RejectedRoute[];
}

/** Simulates every flow from a subnet of `sourceTier` to a subnet of `destinationTier`, in model order. */
export function simulateFlows(model: NetworkModel, sourceTier: string, destinationTier: string): Simulation {
    const net = new Network(model);
    const sources = model.subnets.filter(s => s.tier === sourceTier);
    const destinations = model.subnets.filter(s => s.tier === destinationTier);
    const flows = sources.flatMap(source => destinations
        .filter(destination => destination.vpcId === source.vpcId)
        .map(destination => net.flow(source, destination)));
    return { flows, rejectedRoutes: net.rejected };
}

/** Targets AWS allows for a route more specific than `local` (VPC User Guide, "Route tables": middlebox routing). */
const MIDDLEBOX_TARGETS: ReadonlySet<RouteTargetKind> = new Set(["vpcEndpoint", "natGateway", "networkInterface"]);

class Network {
    readonly rejected: RejectedRoute[] = [];
    private readonly vpcs = new Map<string, ModelVpc>();
    private readonly subnets = new Map<string, ModelSubnet>();
    private readonly tables = new Map<string, ModelRouteTable>();
    private readonly tableOfSubnet = new Map<string, string>();
    private readonly endpoints = new Map<string, ModelEndpoint>();
    /** Accepted routes per table, most specific first. */
    private readonly routesOf = new Map<string, { route: ModelRoute; cidr: Cidr }[]>();

    constructor(private readonly model: NetworkModel) {
        model.vpcs.forEach(v => this.vpcs.set(v.id, v));
        model.subnets.forEach(s => this.subnets.set(s.id, s));
        model.routeTables.forEach(t => this.tables.set(t.id, t));
        model.gatewayLoadBalancerEndpoints.forEach(e => this.endpoints.set(e.id, e));
        for (const a of model.associations) {
            if (this.tableOfSubnet.has(a.subnetId)) {
                throw new Error(`subnet ${a.subnetId} has two route table associations; AWS allows one`);
            }
            this.tableOfSubnet.set(a.subnetId, a.routeTableId);
        }
        for (const route of model.routes) {
            const reason = this.rejection(route);
            if (reason) {
                this.rejected.push({ route, reason, ...(this.tables.has(route.routeTableId) ? {} : { outsideModel: true }) });
                continue;
            }
            const list = this.routesOf.get(route.routeTableId) ?? [];
            list.push({ route, cidr: parseCidr(route.destinationCidrBlock) });
            this.routesOf.set(route.routeTableId, list);
        }
        this.routesOf.forEach(list => list.sort((a, b) => b.cidr.prefix - a.cidr.prefix));
    }

    /** Why AWS would refuse this route, or undefined when it would create it. */
    private rejection(route: ModelRoute): string | undefined {
        const table = this.tables.get(route.routeTableId);
        if (!table) {
            return `its route table ${route.routeTableId} is not in the model`;
        }
        const vpc = this.vpcOf(table.vpcId);
        let destination: Cidr;
        try {
            destination = parseCidr(route.destinationCidrBlock);
        } catch (err) {
            return (err as Error).message;
        }
        const normalized = formatCidr(destination);
        if (this.routesOf.get(table.id)?.some(r => formatCidr(r.cidr) === normalized)) {
            return `${table.name} already has a route to ${normalized}`;
        }
        const vpcCidr = parseCidr(vpc.cidrBlock);
        if (normalized === formatCidr(vpcCidr)) {
            return `${table.name} already has the local route to ${vpc.cidrBlock}; AWS lets you change its target, not add a second route`;
        }
        if (contains(vpcCidr, destination) && destination.prefix > vpcCidr.prefix) {
            const exact = this.model.subnets.some(s => s.vpcId === vpc.id && formatCidr(parseCidr(s.cidrBlock)) === normalized);
            if (!exact) {
                return `${normalized} is more specific than the local route ${vpc.cidrBlock} but is not the CIDR of a subnet in ${vpc.name}`;
            }
            if (!MIDDLEBOX_TARGETS.has(route.target.kind)) {
                return `a route more specific than local must target a NAT gateway, network interface or GWLB endpoint, not a ${route.target.kind}`;
            }
        }
        return undefined;
    }

    private vpcOf(id: string): ModelVpc {
        const vpc = this.vpcs.get(id);
        if (!vpc) {
            throw new Error(`VPC ${id} is not in the model`);
        }
        return vpc;
    }

    private tableOf(subnet: ModelSubnet): ModelRouteTable | undefined {
        const id = this.tableOfSubnet.get(subnet.id) ?? this.vpcOf(subnet.vpcId).mainRouteTableId;
        return this.tables.get(id);
    }

    flow(source: ModelSubnet, destination: ModelSubnet): Flow {
        const request = this.trace(source, destination);
        const response = this.trace(destination, source);
        const verdict = (v: Verdict, reason?: string): Flow => ({ source, destination, verdict: v, request, response, reason });
        for (const [direction, path] of [["request", request], ["response", response]] as const) {
            if (!path.delivered && !path.handedOff) {
                return verdict("blackhole", `the ${direction} is not delivered: ${path.failure}`);
            }
        }
        for (const [direction, path] of [["request", request], ["response", response]] as const) {
            if (path.handedOff) {
                return verdict("uninspected", `the ${direction} is handed to ${path.handedOff}, not to a GWLB endpoint`);
            }
        }
        for (const [direction, path] of [["request", request], ["response", response]] as const) {
            if (path.endpoints.length === 0) {
                return verdict("uninspected", `the ${direction} passes no GWLB endpoint`);
            }
        }
        const names = (p: Path) => p.endpoints.map(e => e.name).sort().join(", ");
        if (names(request) !== names(response)) {
            return verdict("asymmetric", `the request passes ${names(request)} but the response ${names(response)}; ` +
                "AWS does not support asymmetric routing through a middlebox, and a stateful appliance drops a flow it sees half of");
        }
        return verdict("inspected");
    }

    /** Follows one packet from `from` to `to`, one routing decision per hop. */
    private trace(from: ModelSubnet, to: ModelSubnet): Path {
        const hops: Hop[] = [];
        const passed: ModelEndpoint[] = [];
        const fail = (failure: string): Path => ({ hops, delivered: false, endpoints: passed, failure });
        if (from.id === to.id) {
            hops.push({ at: from, next: "local (same subnet: no route table is consulted)" });
            return { hops, delivered: true, endpoints: passed };
        }
        const target = parseCidr(to.cidrBlock);
        let at = from;
        let after: ModelEndpoint | undefined;
        for (;;) {
            const table = this.tableOf(at);
            if (!table) {
                return fail(`${at.name} has no route table in the model`);
            }
            const vpc = this.vpcOf(table.vpcId);
            const match = this.routesOf.get(table.id)?.find(r => contains(r.cidr, target));
            // The local route only loses to a more specific one (an accepted route to a subnet).
            if (!match || match.cidr.prefix <= parseCidr(vpc.cidrBlock).prefix) {
                if (contains(parseCidr(vpc.cidrBlock), target)) {
                    hops.push({ at, after, routeTable: table, matched: vpc.cidrBlock, next: "local" });
                    return { hops, delivered: true, endpoints: passed };
                }
                if (!match) {
                    return fail(`${table.name} has no route to ${to.cidrBlock}`);
                }
            }
            const { route } = match!;
            const endpoint = route.target.kind === "vpcEndpoint" ? this.endpoints.get(route.target.id) : undefined;
            const hop = { at, after, routeTable: table, route, matched: route.destinationCidrBlock };
            if (!endpoint) {
                const target = `${route.target.kind} ${route.target.id}`;
                hops.push({ ...hop, next: target });
                if (route.target.kind === "natGateway" || route.target.kind === "networkInterface") {
                    return { hops, delivered: false, endpoints: passed, handedOff: target, failure: `${route.name} in ${table.name} hands it to ${target}` };
                }
                return fail(`${route.name} in ${table.name} sends it to ${target}, which does not deliver to ${to.name}`);
            }
            hops.push({ ...hop, next: `GWLB endpoint ${endpoint.name}` });
            if (passed.includes(endpoint)) {
                return fail(`routing loop: the packet returns to ${endpoint.name}, which it has already passed`);
            }
            passed.push(endpoint);
            const endpointSubnet = this.subnets.get(endpoint.subnetId);
            if (!endpointSubnet) {
                return fail(`${endpoint.name}'s subnet ${endpoint.subnetId} is not in the model`);
            }
            at = endpointSubnet;
            after = endpoint;
        }
    }
}

/** A flow hop by hop, one line per direction, for plans and failure messages. */
export function describeFlow(flow: Flow): string {
    const path = (p: Path) => p.hops.map(h => {
        const where = h.after ? `${h.at.name} (after ${h.after.name})` : h.at.name;
        const via = h.routeTable ? ` [${h.routeTable.name}: ${h.matched} → ${h.next}]` : ` [${h.next}]`;
        return `${where}${via}`;
    }).join(" → ") + (p.delivered ? ` → ${p === flow.request ? flow.destination.name : flow.source.name}` : ` ✗ ${p.failure}`);
    return [
        `${flow.source.name} ⇄ ${flow.destination.name}: ${flow.verdict}${flow.reason ? ` (${flow.reason})` : ""}`,
        `  request:  ${path(flow.request)}`,
        `  response: ${path(flow.response)}`,
    ].join("\n");
}
