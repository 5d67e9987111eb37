import * as assert from "assert";
import { describeFlow, Flow, ModelRoute, NetworkModel, simulateFlows } from "../../tools/routes/simulator";

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer E)[] ? E[] : T[K] };

/**
 * Design §3 written out by hand, apart from the component that implements it: per AZ a vpcLink /24, an endpoint /28
 * holding one GWLB endpoint and a service /20, each with a table of its own.
 */
function designed(azs: number): Mutable<NetworkModel> {
    const cidr = { vpcLink: (az: number) => `10.0.${az}.0/24`, endpoint: (az: number) => `10.0.${10 + az}.0/28`, service: (az: number) => `10.0.${16 * (az + 1)}.0/20` };
    const model: Mutable<NetworkModel> = {
        vpcs: [{ id: "vpc-1", name: "vpc", cidrBlock: "10.0.0.0/16", mainRouteTableId: "rtb-main" }],
        subnets: [],
        routeTables: [{ id: "rtb-main", name: "main", vpcId: "vpc-1" }],
        associations: [],
        routes: [],
        gatewayLoadBalancerEndpoints: [],
    };
    for (const tier of ["vpcLink", "endpoint", "service"] as const) {
        for (let az = 0; az < azs; az++) {
            model.subnets.push({ id: `${tier}-${az}`, name: `${tier}-${az}`, vpcId: "vpc-1", cidrBlock: cidr[tier](az), tier });
            model.routeTables.push({ id: `rt-${tier}-${az}`, name: `rt-${tier}-${az}`, vpcId: "vpc-1" });
            model.associations.push({ subnetId: `${tier}-${az}`, routeTableId: `rt-${tier}-${az}` });
        }
    }
    for (let az = 0; az < azs; az++) {
        model.gatewayLoadBalancerEndpoints.push({ id: `gwlbe-${az}`, name: `gwlbe-${az}`, subnetId: `endpoint-${az}` });
    }
    for (let x = 0; x < azs; x++) {
        for (let y = 0; y < azs; y++) {
            model.routes.push(route(`rt-vpcLink-${x}`, cidr.service(y), `gwlbe-${x}`));
            model.routes.push(route(`rt-service-${y}`, cidr.vpcLink(x), `gwlbe-${x}`));
        }
    }
    return model;
}

function route(routeTableId: string, destinationCidrBlock: string, endpointId: string, kind: ModelRoute["target"]["kind"] = "vpcEndpoint"): ModelRoute {
    return { name: `${routeTableId}→${destinationCidrBlock}`, routeTableId, destinationCidrBlock, target: { kind, id: endpointId } };
}

function without(model: Mutable<NetworkModel>, routeTableId: string, destination: string): Mutable<NetworkModel> {
    const before = model.routes.length;
    model.routes = model.routes.filter(r => !(r.routeTableId === routeTableId && r.destinationCidrBlock === destination));
    assert.strictEqual(model.routes.length, before - 1, `the fixture has no route ${routeTableId} → ${destination}`);
    return model;
}

/** Routes AWS would refuse, wherever they are in the model. */
function rejectedRoutes(model: NetworkModel) {
    return simulateFlows(model, "vpcLink", "service").rejectedRoutes;
}

function flow(model: NetworkModel, source: string, destination: string): Flow {
    const found = simulateFlows(model, "vpcLink", "service").flows.filter(f => f.source.id === source && f.destination.id === destination);
    assert.strictEqual(found.length, 1);
    return found[0];
}

/** Every flow but the named ones is inspected: a mutation must break exactly what it touches. */
function othersInspected(model: NetworkModel, broken: string[]): void {
    for (const f of simulateFlows(model, "vpcLink", "service").flows) {
        if (!broken.includes(`${f.source.id}⇄${f.destination.id}`)) {
            assert.strictEqual(f.verdict, "inspected", describeFlow(f));
        }
    }
}

describe("route simulator", () => {
    for (const azs of [1, 2, 3]) {
        it(`finds every flow of the designed ${azs}-AZ layout inspected, through one endpoint both ways`, () => {
            const sim = simulateFlows(designed(azs), "vpcLink", "service");
            assert.strictEqual(sim.flows.length, azs * azs);
            assert.deepStrictEqual(sim.rejectedRoutes, []);
            for (const f of sim.flows) {
                assert.strictEqual(f.verdict, "inspected", describeFlow(f));
                const entered = `gwlbe-${f.source.id.split("-")[1]}`;
                assert.deepStrictEqual(f.request.endpoints.map(e => e.id), [entered]);
                assert.deepStrictEqual(f.response.endpoints.map(e => e.id), [entered]);
                // After the endpoint the packet is delivered by its subnet's local route.
                assert.strictEqual(f.request.hops.at(-1)!.next, "local");
                assert.strictEqual(f.request.hops.at(-1)!.at.tier, "endpoint");
            }
        });
    }

    it("reports a missing request route as uninspected, and only that flow", () => {
        const model = without(designed(2), "rt-vpcLink-0", "10.0.32.0/20");
        const f = flow(model, "vpcLink-0", "service-1");
        assert.strictEqual(f.verdict, "uninspected");
        assert.match(f.reason!, /request passes no GWLB endpoint/);
        assert.deepStrictEqual(f.request.endpoints, []);
        othersInspected(model, ["vpcLink-0⇄service-1"]);
    });

    it("reports a missing response route as uninspected", () => {
        const model = without(designed(2), "rt-service-0", "10.0.1.0/24");
        const f = flow(model, "vpcLink-1", "service-0");
        assert.strictEqual(f.verdict, "uninspected");
        assert.match(f.reason!, /response passes no GWLB endpoint/);
        othersInspected(model, ["vpcLink-1⇄service-0"]);
    });

    it("reports a response through another AZ's endpoint as asymmetric", () => {
        // The tempting layout: each service table sends everything to its own AZ's endpoint.
        const model = without(designed(2), "rt-service-1", "10.0.0.0/24");
        model.routes.push(route("rt-service-1", "10.0.0.0/24", "gwlbe-1"));
        const f = flow(model, "vpcLink-0", "service-1");
        assert.strictEqual(f.verdict, "asymmetric");
        assert.match(f.reason!, /request passes gwlbe-0 but the response gwlbe-1/);
        othersInspected(model, ["vpcLink-0⇄service-1"]);
    });

    it("rejects a summary-CIDR route as AWS does, and simulates the table without it", () => {
        const model = designed(2);
        model.routes = model.routes.filter(r => r.routeTableId !== "rt-vpcLink-0");
        // 10.0.0.0/17 covers both service subnets but is no subnet's CIDR.
        model.routes.push(route("rt-vpcLink-0", "10.0.0.0/17", "gwlbe-0"));
        const sim = simulateFlows(model, "vpcLink", "service");
        assert.strictEqual(sim.rejectedRoutes.length, 1);
        assert.strictEqual(sim.rejectedRoutes[0].route.destinationCidrBlock, "10.0.0.0/17");
        assert.match(sim.rejectedRoutes[0].reason, /more specific than the local route 10\.0\.0\.0\/16 but is not the CIDR of a subnet/);
        for (const y of [0, 1]) {
            assert.strictEqual(flow(model, "vpcLink-0", `service-${y}`).verdict, "uninspected");
        }
    });

    it("rejects a route more specific than local to a target AWS does not allow there, and a duplicate destination", () => {
        const model = designed(1);
        model.routes.push(route("rt-endpoint-0", "10.0.16.0/20", "igw-1", "gateway"));
        model.routes.push(route("rt-vpcLink-0", "10.0.16.0/20", "gwlbe-0"));
        const reasons = rejectedRoutes(model).map(r => r.reason);
        assert.strictEqual(reasons.length, 2);
        assert.match(reasons[0], /must target a NAT gateway, network interface or GWLB endpoint, not a gateway/);
        assert.match(reasons[1], /rt-vpcLink-0 already has a route to 10\.0\.16\.0\/20/);
    });

    it("reports an endpoint subnet that routes back to an endpoint as a loop: blackhole", () => {
        const model = designed(2);
        model.routes.push(route("rt-endpoint-0", "10.0.16.0/20", "gwlbe-0"));
        const f = flow(model, "vpcLink-0", "service-0");
        assert.strictEqual(f.verdict, "blackhole");
        assert.match(f.reason!, /request is not delivered: routing loop: the packet returns to gwlbe-0/);
        // Two endpoints that hand the packet to each other loop just the same.
        model.routes.push(route("rt-endpoint-1", "10.0.16.0/20", "gwlbe-0"));
        model.routes = model.routes.filter(r => !(r.routeTableId === "rt-endpoint-0"));
        model.routes.push(route("rt-endpoint-0", "10.0.16.0/20", "gwlbe-1"));
        assert.match(flow(model, "vpcLink-0", "service-0").reason!, /routing loop: the packet returns to gwlbe-0/);
    });

    it("reports a hand-off to another middlebox as uninspected, and a route to nowhere as blackhole", () => {
        const nat = without(designed(1), "rt-vpcLink-0", "10.0.16.0/20");
        nat.routes.push(route("rt-vpcLink-0", "10.0.16.0/20", "nat-1", "natGateway"));
        assert.strictEqual(rejectedRoutes(nat).length, 0, "AWS accepts a NAT gateway as a middlebox target");
        const handed = flow(nat, "vpcLink-0", "service-0");
        assert.strictEqual(handed.verdict, "uninspected");
        assert.match(handed.reason!, /request is handed to natGateway nat-1, not to a GWLB endpoint/);

        const gone = designed(1);
        gone.gatewayLoadBalancerEndpoints = [];
        const lost = flow(gone, "vpcLink-0", "service-0");
        assert.strictEqual(lost.verdict, "blackhole");
        assert.match(lost.reason!, /sends it to vpcEndpoint gwlbe-0, which does not deliver to service-0/);
    });

    it("rejects a route to the VPC's own CIDR: the local route already holds it", () => {
        const model = designed(1);
        model.routes.push(route("rt-vpcLink-0", "10.0.0.0/16", "gwlbe-0"));
        const [rejected, ...more] = rejectedRoutes(model);
        assert.strictEqual(more.length, 0);
        assert.match(rejected.reason, /rt-vpcLink-0 already has the local route to 10\.0\.0\.0\/16/);
        assert.strictEqual(flow(model, "vpcLink-0", "service-0").verdict, "inspected");
    });

    it("sends an unassociated subnet's traffic by the VPC's main table", () => {
        const model = designed(2);
        model.associations = model.associations.filter(a => a.subnetId !== "vpcLink-0");
        const f = flow(model, "vpcLink-0", "service-0");
        assert.strictEqual(f.verdict, "uninspected");
        assert.strictEqual(f.request.hops[0].routeTable!.id, "rtb-main");
        // The main table's routes apply to it, so moving the routes there inspects it again.
        model.routes = model.routes.map(r => r.routeTableId === "rt-vpcLink-0" ? { ...r, routeTableId: "rtb-main" } : r);
        assert.strictEqual(flow(model, "vpcLink-0", "service-0").verdict, "inspected");
        othersInspected(model, []);
    });

    it("never routes traffic inside one subnet", () => {
        const [f] = simulateFlows(designed(1), "vpcLink", "vpcLink").flows;
        assert.strictEqual(f.verdict, "uninspected");
        assert.match(f.request.hops[0].next, /same subnet/);
    });

    it("describes a flow hop by hop", () => {
        const text = describeFlow(flow(designed(2), "vpcLink-1", "service-0"));
        assert.strictEqual(text, [
            "vpcLink-1 ⇄ service-0: inspected",
            "  request:  vpcLink-1 [rt-vpcLink-1: 10.0.16.0/20 → GWLB endpoint gwlbe-1] → endpoint-1 (after gwlbe-1) [rt-endpoint-1: 10.0.0.0/16 → local] → service-0",
            "  response: service-0 [rt-service-0: 10.0.1.0/24 → GWLB endpoint gwlbe-1] → endpoint-1 (after gwlbe-1) [rt-endpoint-1: 10.0.0.0/16 → local] → vpcLink-1",
        ].join("\n"));
    });
});
