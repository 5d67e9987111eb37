/**
 * The component package as `pulumi package add` loads it: Pulumi's own plugin runner (`@pulumi/pulumi/cmd/run-plugin`,
 * what the Node.js language host launches for a PulumiPlugin.yaml with runtime nodejs) started on this checkout,
 * asked for its schema over gRPC. It requires the package root as npm would (package.json `main`, built first).
 */
import * as assert from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as structProto from "google-protobuf/google/protobuf/struct_pb";
import { EngineStandIn, startEngineStandIn } from "../../tools/package/engineStandIn";
import { inferSchema, PACKAGE_DIR, PackageSchema } from "../../tools/package/schema";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const providerProto = require("@pulumi/pulumi/proto/provider_pb");

/** Starts the plugin as the language host does (program directory, then the engine's address) and resolves with its port. */
function startPlugin(engineAddress: string): Promise<{ child: ChildProcess; port: number }> {
    const runPlugin = path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "cmd", "run-plugin");
    const child = spawn(process.execPath, [runPlugin, PACKAGE_DIR, engineAddress], { cwd: PACKAGE_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", chunk => { stderr += chunk; });
    return new Promise((resolve, reject) => {
        child.stdout!.once("data", chunk => {
            const port = Number(String(chunk).trim().split("\n")[0]);
            if (Number.isInteger(port) && port > 0) resolve({ child, port });
            else reject(new Error(`the plugin printed ${JSON.stringify(String(chunk))}, not a port`));
        });
        child.once("exit", code => reject(new Error(`the plugin exited with ${code} before listening: ${stderr}`)));
    });
}

const PROJECT = "consumer";
const STACK = "dev";

describe("the component package under Pulumi's own plugin runner, over gRPC", function () {
    this.timeout(180_000);
    let plugin: { child: ChildProcess; port: number };
    let engine: EngineStandIn;
    let client: any;
    before(async () => {
        // run-plugin requires package.json `main`: the build a git install's `prepare` makes.
        execFileSync(process.execPath, [path.join(PACKAGE_DIR, "tools", "package", "build.js")], { stdio: "ignore" });
        engine = await startEngineStandIn(PROJECT, STACK);
        plugin = await startPlugin(engine.address);
        client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${plugin.port}`, grpc.credentials.createInsecure());
    });
    after(async () => {
        client?.close();
        plugin?.child.kill();
        await engine?.close();
    });

    /**
     * Construct as the engine asks it of a remote component. `dependent` names inputs that come from another
     * resource: the engine sends their dependencies, and the provider hands them to the component as outputs.
     */
    function construct(component: string, name: string, inputs: Record<string, unknown>, dependent: string[] = []): Promise<{ urn: string; state: Record<string, any> }> {
        const request = new providerProto.ConstructRequest();
        request.setProject(PROJECT);
        request.setStack(STACK);
        request.setDryrun(true);
        request.setParallel(4);
        request.setMonitorendpoint(engine.address);
        request.setType(`inspected-api:index:${component}`);
        request.setName(name);
        request.setInputs(structProto.Struct.fromJavaScript(inputs as never));
        for (const key of dependent) {
            const deps = new providerProto.ConstructRequest.PropertyDependencies();
            deps.setUrnsList([`urn:pulumi:${STACK}::${PROJECT}::inspected-api:index:InspectionVpc::inspection`]);
            request.getInputdependenciesMap().set(key, deps);
        }
        return new Promise((resolve, reject) => client.construct(request, (err: Error | null, response: any) =>
            err ? reject(err) : resolve({ urn: response.getUrn(), state: response.getState().toJavaScript() })));
    }
    const registeredUnder = (name: string) => engine.registered.filter(r => r.parent.endsWith(`::${name}`) || r.name.startsWith(`${name}-`));

    it("serves the same schema as the in-process analyzer, with every component", async () => {
        const request = new providerProto.GetSchemaRequest();
        request.setVersion(0);
        const served = await new Promise<PackageSchema>((resolve, reject) => client.getSchema(request, (err: Error | null, response: { getSchema(): string }) =>
            err ? reject(err) : resolve(JSON.parse(response.getSchema()))));
        assert.strictEqual(served.name, "inspected-api");
        assert.strictEqual(Object.keys(served.resources).length, 12);
        assert.deepStrictEqual(served, await inferSchema());
    });

    it("constructs WorkloadVpc from the plain values a YAML program sends, tags on every child, outputs returned", async () => {
        const { urn, state } = await construct("WorkloadVpc", "w", {
            cidrBlock: "10.30.0.0/16",
            availabilityZoneIds: ["use1-az1", "use1-az2"],
            flowLogs: { retentionInDays: 30, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k" },
            tags: { owner: "platform" },
        });
        assert.strictEqual(urn, `urn:pulumi:${STACK}::${PROJECT}::inspected-api:network:WorkloadVpc::w`);
        assert.deepStrictEqual(state.serviceSubnets.cidrBlocks, ["10.30.0.0/20", "10.30.32.0/20"]);
        const subnets = engine.registered.filter(r => r.type === "aws:ec2/subnet:Subnet" && r.name.startsWith("w-"));
        assert.strictEqual(subnets.length, 8, "four tiers in two AZs");
        for (const subnet of subnets) {
            assert.strictEqual((subnet.inputs.tags as Record<string, string>).owner, "platform", subnet.name);
        }
    });

    it("wires inspection from an endpoint service name that arrives as another resource's output", async () => {
        const { state } = await construct("WorkloadVpc", "inspected", {
            cidrBlock: "10.40.0.0/16",
            availabilityZoneIds: ["use1-az1", "use1-az2"],
            flowLogs: { retentionInDays: 30, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k" },
            inspectionEndpointServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
        }, ["inspectionEndpointServiceName"]);
        const routes = registeredUnder("inspected").filter(r => r.type === "aws:ec2/route:Route" && r.name.startsWith("inspected-inspection-"));
        assert.strictEqual(routes.length, 8, "2 × AZs² inspection routes");
        assert.strictEqual(state.gatewayLoadBalancerEndpointIds.length, 2);
    });

    it("refuses, naming the argument, subnet tiers that arrive as another resource's output", async () => {
        const tier = (third: number) => ({ subnetIds: ["subnet-1", "subnet-2"], cidrBlocks: [`10.50.${third}.0/24`, `10.50.${third + 1}.0/24`], routeTableIds: ["rtb-1", "rtb-2"] });
        await assert.rejects(construct("InspectedRouting", "r", {
            vpcId: "vpc-1",
            endpointServiceName: "svc",
            endpointSubnets: tier(0),
            vpcLinkSubnets: tier(2),
            serviceSubnets: tier(4),
        }, ["endpointSubnets"]), /InspectedRouting r: args\.endpointSubnets must be known while the program runs/);
        assert.strictEqual(engine.registered.filter(r => r.name.startsWith("r-")).length, 0, "no child registered");
    });
});
