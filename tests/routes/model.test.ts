import * as assert from "assert";
import * as aws from "@pulumi/aws";
import { networkModel, simulateFlows } from "../../tools/routes";
import { deploy } from "../kit";

/** The model must see routing however a program writes it: standalone routes, inline routes, the main table. */
describe("network model from registrations", () => {
    async function program(options: { inline: boolean; adoptMain: boolean; associate: boolean }) {
        const run = await deploy({
            program: () => {
                const vpc = new aws.ec2.Vpc("v", { cidrBlock: "10.0.0.0/16" });
                const subnet = (name: string, cidrBlock: string, tier: string) =>
                    new aws.ec2.Subnet(name, { vpcId: vpc.id, cidrBlock, tags: { tier } });
                const client = subnet("client", "10.0.0.0/24", "client");
                const inspect = subnet("inspect", "10.0.1.0/28", "endpoint");
                subnet("server", "10.0.2.0/24", "server");
                const endpoint = new aws.ec2.VpcEndpoint("gwlbe", {
                    vpcId: vpc.id, serviceName: "com.amazonaws.vpce.us-east-1.vpce-svc-1", vpcEndpointType: "GatewayLoadBalancer", subnetIds: [inspect.id],
                });
                const table = new aws.ec2.RouteTable("client-rt", {
                    vpcId: vpc.id,
                    routes: options.inline ? [{ cidrBlock: "10.0.2.0/24", vpcEndpointId: endpoint.id }] : undefined,
                });
                if (!options.inline) {
                    new aws.ec2.Route("client-to-server", { routeTableId: table.id, destinationCidrBlock: "10.0.2.0/24", vpcEndpointId: endpoint.id });
                }
                if (options.associate) {
                    new aws.ec2.RouteTableAssociation("client-rta", { subnetId: client.id, routeTableId: table.id });
                }
                if (options.adoptMain) {
                    new aws.ec2.MainRouteTableAssociation("main", { vpcId: vpc.id, routeTableId: table.id });
                }
            },
        });
        return simulateFlows(networkModel(run.resources), "client", "server").flows[0];
    }

    it("reads standalone routes, GWLB endpoints and associations", async () => {
        const flow = await program({ inline: false, adoptMain: false, associate: true });
        assert.deepStrictEqual(flow.request.endpoints.map(e => e.name), ["gwlbe"]);
        assert.strictEqual(flow.request.hops[0].route!.name, "client-to-server");
        // No route back through the endpoint from the server's (main) table.
        assert.strictEqual(flow.verdict, "uninspected");
    });

    it("reads a table's inline routes", async () => {
        const flow = await program({ inline: true, adoptMain: false, associate: true });
        assert.deepStrictEqual(flow.request.endpoints.map(e => e.name), ["gwlbe"]);
        assert.strictEqual(flow.request.hops[0].route!.name, "client-rt route 0");
    });

    it("falls back to AWS's main table for an unassociated subnet, or to the table a program made main", async () => {
        const bare = await program({ inline: false, adoptMain: false, associate: false });
        assert.match(bare.request.hops[0].routeTable!.name, /^v main route table$/);
        assert.deepStrictEqual(bare.request.endpoints, []);
        const adopted = await program({ inline: false, adoptMain: true, associate: false });
        assert.strictEqual(adopted.request.hops[0].routeTable!.name, "client-rt");
        // The endpoint's own subnet is unassociated too, so the main table sends the inspected packet straight back
        // into the endpoint: the reason an endpoint subnet needs a table of its own.
        assert.strictEqual(adopted.verdict, "blackhole");
        assert.match(adopted.reason!, /routing loop: the packet returns to gwlbe/);
    });
});
