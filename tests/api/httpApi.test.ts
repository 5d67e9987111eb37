import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { parseServiceCatalog, serviceRoutes } from "../../components/api/catalog";
import { HttpApi } from "../../components/api/httpApi";
import { ServiceDiscovery } from "../../components/api/serviceDiscovery";
import { describeFlow, networkModel, simulateFlows } from "../../tools/routes";
import { deploy, ProgramRun, Registration, T } from "../kit";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { identityHeader: IDENTITY_HEADER } = require("../../services/catalog.json");

const ROUTES = [
    "GET /foodstore/foods", "GET /foodstore/foods/{foodId}", "GET /petstore/pets", "GET /petstore/pets/{petId}",
    "PUT /foodstore/foods/{foodId}", "PUT /petstore/pets/{petId}",
];

function routes(run: ProgramRun): Registration[] {
    return run.resources.ofType(T.apiRoute);
}

function integrationOf(run: ProgramRun, route: Registration): Registration {
    const id = /^integrations\/(.+)$/.exec(route.inputs.target)?.[1];
    const found = run.resources.ofType(T.apiIntegration).find(i => i.id === id);
    assert.ok(found, `${route.inputs.routeKey} targets no integration (${route.inputs.target})`);
    return found;
}

describe("HttpApi (dev stack)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await deploy();
    });

    it("serves exactly list, get and put of each service; anything else is API Gateway's 404", () => {
        assert.deepStrictEqual(routes(run).map(r => r.inputs.routeKey).sort(), ROUTES);
    });

    it("puts the JWT authorizer on every PUT and on no GET", () => {
        const authorizer = run.resources.get(T.apiAuthorizer, "api-jwt");
        for (const route of routes(run)) {
            if (route.inputs.routeKey.startsWith("PUT ")) {
                assert.strictEqual(route.inputs.authorizationType, "JWT", route.inputs.routeKey);
                assert.strictEqual(route.inputs.authorizerId, authorizer.id, route.inputs.routeKey);
            } else {
                assert.strictEqual(route.inputs.authorizationType, "NONE", route.inputs.routeKey);
                assert.strictEqual(route.inputs.authorizerId, undefined, route.inputs.routeKey);
            }
            // Without a machine client any token of the pool's clients will do.
            assert.strictEqual(route.inputs.authorizationScopes, undefined, route.inputs.routeKey);
        }
    });

    it("trusts the user pool as issuer and its app client as audience, reading the Authorization header", () => {
        const { resources } = run;
        const authorizer = resources.get(T.apiAuthorizer, "api-jwt");
        const pool = resources.get(T.userPool, "users-pool");
        assert.strictEqual(authorizer.inputs.authorizerType, "JWT");
        assert.deepStrictEqual(authorizer.inputs.identitySources, ["$request.header.Authorization"]);
        assert.strictEqual(authorizer.inputs.jwtConfiguration.issuer, `https://cognito-idp.us-east-1.amazonaws.com/${pool.id}`);
        assert.match(pool.id!, /^us-east-1_[0-9a-f]{9}$/);
        assert.deepStrictEqual(authorizer.inputs.jwtConfiguration.audiences, [resources.get(T.userPoolClient, "users-app").id]);
        assert.strictEqual(authorizer.inputs.apiId, resources.get(T.api, "api-api").id);
    });

    it("places the VPC link in exactly the vpcLink subnets, behind a group that sends only the service port to the service subnets", () => {
        const { resources } = run;
        const link = resources.get(T.vpcLink, "api-vpc-link");
        const subnets = (tier: string) => resources.ofType(T.subnet).filter(s => s.inputs.tags.tier === tier && s.name.startsWith("workload-"));
        assert.deepStrictEqual([...link.inputs.subnetIds].sort(), subnets("vpcLink").map(s => s.id).sort());
        const sg = resources.get(T.securityGroup, "api-vpc-link-sg");
        assert.deepStrictEqual(link.inputs.securityGroupIds, [sg.id]);
        assert.strictEqual(sg.inputs.ingress, undefined);
        assert.strictEqual(sg.inputs.egress, undefined);
        assert.deepStrictEqual(resources.ofType(T.ingressRule).filter(r => r.inputs.securityGroupId === sg.id), []);
        const egress = resources.ofType(T.egressRule).filter(r => r.inputs.securityGroupId === sg.id);
        assert.deepStrictEqual(egress.map(r => r.inputs.cidrIpv4).sort(), subnets("service").map(s => s.inputs.cidrBlock).sort());
        for (const rule of egress) {
            assert.deepStrictEqual([rule.inputs.ipProtocol, rule.inputs.fromPort, rule.inputs.toPort], ["tcp", 8080, 8080], rule.name);
        }
    });

    it("sends each service's routes over the VPC link to its own Cloud Map service, stripping or setting the identity header", () => {
        const { resources } = run;
        const link = resources.get(T.vpcLink, "api-vpc-link");
        for (const route of routes(run)) {
            const service = route.inputs.routeKey.split("/")[1];
            const integration = integrationOf(run, route);
            assert.strictEqual(integration.inputs.integrationUri, resources.get(T.discoveryService, `discovery-${service}`).state.arn, route.inputs.routeKey);
            assert.match(integration.inputs.integrationUri, /^arn:aws:servicediscovery:us-east-1:\d{12}:service\/srv-/);
            assert.strictEqual(integration.inputs.integrationType, "HTTP_PROXY");
            assert.strictEqual(integration.inputs.connectionType, "VPC_LINK");
            assert.strictEqual(integration.inputs.connectionId, link.id);
            const expected = route.inputs.routeKey.startsWith("PUT ")
                ? { [`overwrite:header.${IDENTITY_HEADER}`]: "$context.authorizer.claims.sub" }
                : { [`remove:header.${IDENTITY_HEADER}`]: "''" };
            assert.deepStrictEqual(integration.inputs.requestParameters, expected, route.inputs.routeKey);
        }
    });

    it("registers SRV records in a private namespace of the workload VPC", () => {
        const { resources } = run;
        const namespace = resources.get(T.dnsNamespace, "discovery-namespace");
        assert.strictEqual(namespace.inputs.vpc, resources.get(T.vpc, "workload-vpc").id);
        for (const service of resources.ofType(T.discoveryService)) {
            assert.deepStrictEqual(service.inputs.dnsConfig.dnsRecords, [{ type: "SRV", ttl: 10 }], service.name);
            // ECS reports task health; an empty block would be dropped by the provider.
            assert.deepStrictEqual(service.inputs.healthCheckCustomConfig, { failureThreshold: 1 }, service.name);
            assert.strictEqual(service.inputs.dnsConfig.namespaceId, namespace.id);
        }
    });

    it("deploys $default automatically with throttling and JSON access logs into an encrypted, expiring group", () => {
        const { resources } = run;
        const stage = resources.get(T.apiStage, "api-stage");
        assert.strictEqual(stage.inputs.name, "$default");
        assert.strictEqual(stage.inputs.autoDeploy, true);
        assert.strictEqual(stage.inputs.defaultRouteSettings.throttlingBurstLimit, 100);
        assert.strictEqual(stage.inputs.defaultRouteSettings.throttlingRateLimit, 50);
        const group = resources.get(T.logGroup, "api-access-logs");
        assert.strictEqual(stage.inputs.accessLogSettings.destinationArn, group.state.arn);
        assert.strictEqual(group.inputs.kmsKeyId, resources.get(T.kmsKey, "logs-key").state.arn);
        assert.strictEqual(group.inputs.retentionInDays, 7);
        assert.match(group.state.name, /^\/aws\/vendedlogs\/apigateway\//);
        const fields = JSON.parse(stage.inputs.accessLogSettings.format);
        // Every value is a variable AWS documents for HTTP API access logs.
        const documented = ["$context.requestId", "$context.identity.sourceIp", "$context.requestTime", "$context.routeKey", "$context.status",
            "$context.authorizer.claims.sub", "$context.responseLatency", "$context.integrationLatency", "$context.integrationStatus",
            "$context.integrationErrorMessage", "$context.authorizer.error", "$context.responseLength"];
        Object.values(fields).forEach(v => assert.ok(documented.includes(v as string), `${v} is not an HTTP API access log variable`));
        for (const [field, variable] of Object.entries({
            requestId: "$context.requestId", sub: "$context.authorizer.claims.sub", routeKey: "$context.routeKey",
            status: "$context.status", responseLatency: "$context.responseLatency", integrationError: "$context.integrationErrorMessage",
        })) {
            assert.strictEqual(fields[field], variable, field);
        }
    });

    it("has no CORS unless origins are configured", async () => {
        assert.strictEqual(run.resources.get(T.api, "api-api").inputs.corsConfiguration, undefined);
        const cors = await deploy({ config: { corsAllowOrigins: "https://app.example.com" } });
        const config = cors.resources.get(T.api, "api-api").inputs.corsConfiguration;
        assert.deepStrictEqual(config.allowOrigins, ["https://app.example.com"]);
        assert.deepStrictEqual(config.allowMethods, ["GET", "PUT"]);
    });

    it("exports the API URL, user pool id and app client id", () => {
        const { resources, outputs } = run;
        assert.strictEqual(outputs.apiUrl, `https://${resources.get(T.api, "api-api").id}.execute-api.us-east-1.amazonaws.com`);
        assert.strictEqual(outputs.userPoolId, resources.get(T.userPool, "users-pool").id);
        assert.strictEqual(outputs.appClientId, resources.get(T.userPoolClient, "users-app").id);
    });
});

describe("HttpApi options", () => {
    it("takes throttling from config", async () => {
        const run = await deploy({ config: { apiThrottleBurst: 20, apiThrottleRate: 10 } });
        const settings = run.resources.get(T.apiStage, "api-stage").inputs.defaultRouteSettings;
        assert.deepStrictEqual([settings.throttlingBurstLimit, settings.throttlingRateLimit], [20, 10]);
    });

    it("with a machine client, asks writes for the service's write scope or a person's sign-in scope, and trusts both clients", async () => {
        const run = await deploy({ config: { machineClient: true } });
        const { resources } = run;
        for (const route of routes(run).filter(r => r.inputs.routeKey.startsWith("PUT "))) {
            const service = route.inputs.routeKey.split("/")[1];
            assert.deepStrictEqual(route.inputs.authorizationScopes, [`${service}/write`, "aws.cognito.signin.user.admin"]);
        }
        routes(run).filter(r => r.inputs.routeKey.startsWith("GET ")).forEach(r => assert.strictEqual(r.inputs.authorizationScopes, undefined));
        assert.deepStrictEqual(resources.get(T.apiAuthorizer, "api-jwt").inputs.jwtConfiguration.audiences,
            [resources.get(T.userPoolClient, "users-app").id, resources.get(T.userPoolClient, "users-machine").id]);
    });

    it("at 6 AZs in us-east-1 leaves the VPC link out of use1-az3, where AWS has no VPC links, and keeps every flow inspected", async () => {
        const run = await deploy({ config: { availabilityZoneCount: 6 } });
        const { resources } = run;
        const vpcLinkSubnets = resources.ofType(T.subnet).filter(s => s.inputs.tags.tier === "vpcLink");
        const linked = resources.get(T.vpcLink, "api-vpc-link").inputs.subnetIds as string[];
        assert.deepStrictEqual(vpcLinkSubnets.filter(s => !linked.includes(s.id!)).map(s => s.state.availabilityZoneId), ["use1-az3"]);
        assert.strictEqual(linked.length, 5);
        const sim = simulateFlows(networkModel(resources), "vpcLink", "service");
        assert.deepStrictEqual(sim.flows.filter(f => f.verdict !== "inspected").map(describeFlow), []);
    });

    it("adds a third service from data alone: three routes, two integrations, one Cloud Map service more", async () => {
        const catalog = parseServiceCatalog({ identityHeader: "x-caller", services: [
            { name: "petstore", collection: "pets", idParam: "petId" },
            { name: "foodstore", collection: "foods", idParam: "foodId" },
            { name: "toystore", collection: "toys", idParam: "toyId" },
        ] }).services;
        const run = await deploy({
            program: () => {
                const discovery = new ServiceDiscovery("d", { vpcId: "vpc-1", services: catalog.map(s => s.name) });
                new HttpApi("a", {
                    vpcId: "vpc-1",
                    vpcLinkSubnetIds: [pulumi.output("subnet-1")],
                    serviceCidrBlocks: ["10.0.0.0/20"],
                    servicePort: 8080,
                    identityHeader: "x-caller",
                    backends: catalog.map(s => ({ service: s.name, routes: serviceRoutes(s), discoveryServiceArn: discovery.services[s.name].arn })),
                    jwt: { issuer: "https://issuer.example", audiences: ["client"] },
                    throttle: { burstLimit: 10, rateLimit: 5 },
                    corsAllowOrigins: [],
                    accessLogs: { retentionInDays: 7, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k" },
                });
            },
        });
        assert.strictEqual(run.resources.ofType(T.apiRoute).length, 9);
        assert.strictEqual(run.resources.ofType(T.apiIntegration).length, 6);
        assert.ok(run.resources.ofType(T.apiRoute).some(r => r.inputs.routeKey === "PUT /toystore/toys/{toyId}" && r.inputs.authorizationType === "JWT"));
        // The header the catalog names is the one the integrations set and strip.
        assert.deepStrictEqual(run.resources.get(T.apiIntegration, "a-toystore-write").inputs.requestParameters, { "overwrite:header.x-caller": "$context.authorizer.claims.sub" });
        assert.strictEqual(run.resources.ofType(T.discoveryService).length, 3);
    });
});

describe("service catalog", () => {
    it("is the project's list of petstore and foodstore", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const catalog = parseServiceCatalog(require("../../services/catalog.json"));
        assert.deepStrictEqual(catalog.services.map(s => s.name), ["petstore", "foodstore"]);
        assert.strictEqual(catalog.identityHeader, "x-authenticated-sub");
    });

    for (const [catalog, message] of [
        [{}, /"services" must be a non-empty list/],
        [{ services: [{ name: "Pet Store", collection: "pets", idParam: "petId" }] }, /services\[0\]\.name = "Pet Store" must be/],
        [{ services: [{ name: "petstore", collection: "pets/x", idParam: "petId" }] }, /services\[0\]\.collection = "pets\/x"/],
        [{ services: [{ name: "petstore", collection: "pets", idParam: "pet-id" }] }, /services\[0\]\.idParam = "pet-id"/],
        [{ services: [{ name: "petstore", collection: "pets", idParam: "petId" }, { name: "petstore", collection: "p", idParam: "id" }] }, /services\[1\]\.name = "petstore" is listed twice/],
        [{ services: [{ name: "petstore", collection: "pets", idParam: "petId" }], identityHeader: "x_authenticated_sub" }, /identityHeader = "x_authenticated_sub" must be a lowercase x- header name/],
    ] as const) {
        it(`rejects ${JSON.stringify(catalog)}, naming the entry and field`, () => {
            assert.throws(() => parseServiceCatalog(catalog), message);
        });
    }
});
