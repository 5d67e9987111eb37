/**
 * The schema `pulumi package add` serves to Python, Go, C# and YAML programs, inferred in-process by the SDK's own
 * analyzer from the TypeScript args, exactly as the component provider's `GetSchema` answers.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { exportedComponents, inferSchema, PackageSchema, readmeReference, renderReference, SchemaProperty } from "../../tools/package/schema";
import { checkYamlProgram } from "../../tools/package/yamlProgram";

const YAML_EXAMPLE = path.join(__dirname, "..", "..", "examples", "yaml", "Pulumi.yaml");

const COMPONENTS = [
    "ApiUserPool", "ApplianceFleet", "FargateService", "HttpApi", "InspectedRouting", "InspectionVpc", "LogEncryptionKey",
    "ServiceCluster", "ServiceData", "ServiceDiscovery", "VpcFlowLogs", "WorkloadVpc",
];

describe("the inferred component schema (pulumi package add)", function () {
    this.timeout(120_000);
    let schema: PackageSchema;
    const resource = (name: string) => schema.resources[`inspected-api:index:${name}`];
    before(async () => {
        schema = await inferSchema();
    });

    it("serves every component the package root exports, and only those", () => {
        const exported = exportedComponents().map(c => c.name).sort();
        assert.deepStrictEqual(exported, COMPONENTS);
        assert.deepStrictEqual(Object.keys(schema.resources).sort(), COMPONENTS.map(c => `inspected-api:index:${c}`));
        for (const r of Object.values(schema.resources)) {
            assert.strictEqual(r.isComponent, true);
        }
    });

    it("types and describes every input, and states the default of every optional one", () => {
        const objects = [
            ...Object.entries(schema.resources).map(([t, r]) => [t, r.inputProperties ?? {}, r.requiredInputs ?? []] as const),
            ...Object.entries(schema.types).map(([t, o]) => [t, o.properties ?? {}, o.required ?? []] as const),
        ];
        const problems: string[] = [];
        for (const [token, props, required] of objects) {
            for (const [name, p] of Object.entries(props)) {
                if (p.type === undefined && p.$ref === undefined) problems.push(`${token}.${name}: no type`);
                if (!p.description?.trim()) problems.push(`${token}.${name}: no description`);
                else if (!required.includes(name) && !/\bDefault\b/.test(p.description)) problems.push(`${token}.${name}: optional, but no default stated`);
            }
        }
        assert.deepStrictEqual(problems, []);
    });

    it("keeps plan-time values plain and accepts Inputs for what is looked up at deploy time", () => {
        const inputs = (name: string) => resource(name).inputProperties!;
        const tier = schema.types["inspected-api:index:SubnetTier"].properties!;
        const expect = (p: SchemaProperty, shape: Partial<SchemaProperty>, what: string) => {
            for (const [k, v] of Object.entries(shape)) assert.deepStrictEqual((p as Record<string, unknown>)[k], v, `${what}.${k}`);
        };
        expect(inputs("WorkloadVpc").cidrBlock, { type: "string", plain: true }, "WorkloadVpc.cidrBlock");
        expect(inputs("WorkloadVpc").availabilityZoneIds, { type: "array", plain: true, items: { type: "string", plain: true } }, "WorkloadVpc.availabilityZoneIds");
        expect(tier.cidrBlocks, { type: "array", items: { type: "string", plain: true } }, "SubnetTier.cidrBlocks");
        expect(tier.subnetIds, { type: "array", items: { type: "string" } }, "SubnetTier.subnetIds");
        expect(tier.routeTableIds, { type: "array", items: { type: "string" } }, "SubnetTier.routeTableIds");
        expect(inputs("InspectedRouting").vpcId, { type: "string", plain: undefined }, "InspectedRouting.vpcId");
        expect(inputs("InspectedRouting").endpointSubnets, { $ref: "#/types/inspected-api:index:SubnetTier" }, "InspectedRouting.endpointSubnets");
        expect(inputs("FargateService").cpu, { type: "number", plain: true }, "FargateService.cpu");
        for (const c of COMPONENTS) {
            expect(inputs(c).tags, { type: "object", additionalProperties: { type: "string" } }, `${c}.tags`);
            assert.ok(!(resource(c).requiredInputs ?? []).includes("tags"), `${c}.tags is optional`);
        }
        assert.deepStrictEqual(resource("ServiceCluster").requiredInputs ?? [], [], "ServiceCluster needs no args");
        assert.deepStrictEqual(resource("ApiUserPool").requiredInputs ?? [], [], "ApiUserPool needs no args");
        assert.deepStrictEqual([...resource("FargateService").requiredInputs!].sort(),
            ["clusterArn", "clusterName", "image", "ingressCidrBlocks", "logs", "subnetIds", "vpcId"]);
    });

    it("describes every output, and exposes what consumers depend on", () => {
        for (const [token, r] of Object.entries(schema.resources)) {
            for (const [name, p] of Object.entries(r.properties ?? {})) {
                assert.ok(p.description?.trim(), `${token} output ${name} has a description`);
            }
        }
        const outputs = (name: string) => Object.keys(resource(name).properties ?? {});
        assert.deepStrictEqual(outputs("WorkloadVpc"), ["vpcId", "cidrBlock", "availabilityZoneIds", "serviceSubnets", "vpcLinkSubnets",
            "endpointSubnets", "privateLinkSubnets", "publicSubnets", "natRoutes", "gatewayLoadBalancerEndpointIds"]);
        assert.deepStrictEqual(resource("WorkloadVpc").properties!.natRoutes.items, { $ref: "/aws/v7.48.0/schema.json#/resources/aws:ec2%2Froute:Route" });
        for (const output of ["endpointServiceName", "applianceSecurityGroupId", "applianceRoleName", "natRoutes"]) {
            assert.ok(outputs("InspectionVpc").includes(output), `InspectionVpc.${output}`);
        }
        for (const output of ["securityGroupId", "taskRoleArn", "taskRoleName", "executionRoleArn"]) {
            assert.ok(outputs("FargateService").includes(output), `FargateService.${output}`);
        }
        assert.ok(outputs("ApplianceFleet").includes("instanceRoleName") && outputs("ApplianceFleet").includes("securityGroupId"));
        assert.deepStrictEqual(outputs("InspectedRouting"), ["endpointIds", "routeCount"]);
    });

    it("is what README's reference tables say (npm run docs:reference rewrites them)", () => {
        assert.strictEqual(readmeReference().current, renderReference(schema));
    });
});

describe("examples/yaml, checked against the inferred schema (the CLI cannot run it here)", function () {
    this.timeout(120_000);
    let schema: PackageSchema;
    before(async () => {
        schema = await inferSchema();
    });

    it("gives every component its required inputs, only inputs it has, of their types, and references only outputs that exist", () => {
        assert.deepStrictEqual(checkYamlProgram(schema, fs.readFileSync(YAML_EXAMPLE, "utf8")), []);
    });

    it("reports a missing required input, an unknown one, a wrong type, a reference to no output and an output where a plan-time value goes", () => {
        const program = parse(fs.readFileSync(YAML_EXAMPLE, "utf8"));
        delete program.resources.workload.properties.cidrBlock;
        program.resources.inspection.properties.appliance.minPerAz = "one";
        program.resources.inspection.properties.natGateways = 2;
        program.resources.workload.properties.inspectionEndpointServiceName = "${inspection.endpointService}";
        program.resources.routing = {
            type: "inspected-api:index:InspectedRouting",
            properties: {
                vpcId: "${workload.vpcId}",
                endpointServiceName: "${inspection.endpointServiceName}",
                endpointSubnets: "${workload.endpointSubnets}",
                vpcLinkSubnets: { subnetIds: "${workload.vpcLinkSubnets.subnetIds}", cidrBlocks: ["10.30.16.0/20"], routeTableIds: ["rtb-1"] },
                serviceSubnets: "${workload.serviceSubnets}",
            },
        };
        assert.deepStrictEqual(checkYamlProgram(schema, stringify(program)), [
            "inspection.appliance.minPerAz: expected number, got \"one\"",
            "inspection: natGateways is not an input of InspectionVpc",
            "workload: cidrBlock is required",
            "workload.inspectionEndpointServiceName: inspection has no output endpointService",
            "routing.endpointSubnets: must be known while the program runs; another resource's output ${workload.endpointSubnets} cannot give it",
            "routing.vpcLinkSubnets.subnetIds: must be known while the program runs; another resource's output ${workload.vpcLinkSubnets.subnetIds} cannot give it",
            "routing.serviceSubnets: must be known while the program runs; another resource's output ${workload.serviceSubnets} cannot give it",
        ]);
    });
});
