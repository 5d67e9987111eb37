import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { CONFIG_KEYS, ConfigProblem, InvalidConfigError, loadConfig } from "../../components/config";
import { ConfigValue, deploy, deployInvalid, PROJECT_DIR, T } from "../kit";

const NS = "inspected-api";
const schema = (parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as {
    config: Record<string, { type: string; default: unknown; description?: string }>;
}).config;

/** Loads config straight from a PULUMI_CONFIG-shaped map, outside any program run. */
function load(values: Record<string, string>) {
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [`${NS}:${k}`, v])));
    return loadConfig(new pulumi.Config(NS));
}

describe("stack config", () => {
    it("declares exactly the keys the code reads, with the same types and defaults", () => {
        assert.deepStrictEqual(Object.keys(schema).sort(), Object.keys(CONFIG_KEYS).sort());
        for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
            assert.strictEqual(schema[key].type, spec.type, `${key}: type`);
            assert.strictEqual(schema[key].default, spec.default, `${key}: default`);
            assert.ok((schema[key].description ?? "").length > 20, `${key}: Pulumi.yaml describes it`);
        }
    });

    it("applies the schema defaults in code when nothing is set", () => {
        const config = load({});
        for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
            // An empty string means "unset", and for a list, empty.
            const expected = spec.default !== "" ? spec.default : ["corsAllowOrigins", "consumerPrincipals"].includes(key) ? [] : undefined;
            assert.deepStrictEqual(config[key as keyof typeof config], expected, key);
        }
    });

    it("reads CORS origins as a trimmed list, or * alone", () => {
        assert.deepStrictEqual(load({ corsAllowOrigins: "https://app.example.com, http://localhost:3000,https://a-b.example.org:8443" }).corsAllowOrigins,
            ["https://app.example.com", "http://localhost:3000", "https://a-b.example.org:8443"]);
        assert.deepStrictEqual(load({ corsAllowOrigins: "*" }).corsAllowOrigins, ["*"]);
    });

    it("returns one frozen object", () => {
        const config = load({ availabilityZoneCount: "3" });
        assert.ok(Object.isFrozen(config));
        assert.throws(() => { (config as { availabilityZoneCount: number }).availabilityZoneCount = 4; }, TypeError);
    });

    it("types values that arrive as strings, as the CLI sends them", () => {
        const config = load({
            availabilityZoneCount: "6", protectData: "true", logRetentionDays: "365",
            workloadEgress: "nat", applianceAmiId: "ami-0123456789abcdef0",
        });
        assert.strictEqual(config.availabilityZoneCount, 6);
        assert.strictEqual(config.protectData, true);
        assert.strictEqual(config.logRetentionDays, 365);
        assert.strictEqual(config.workloadEgress, "nat");
        assert.strictEqual(config.applianceAmiId, "ami-0123456789abcdef0");
    });

    it("lists every problem at once", () => {
        assert.throws(() => load({ availabilityZoneCount: "9", workloadEgress: "internet", protectData: "yes" }), (err: InvalidConfigError) => {
            assert.deepStrictEqual(err.problems.map(p => p.key).sort(), [
                `${NS}:availabilityZoneCount`, `${NS}:protectData`, `${NS}:workloadEgress`,
            ]);
            return /3 problems/.test(err.message);
        });
    });

    for (const stack of ["dev", "prod"]) {
        it(`builds the ${stack} stack from its stack file`, async () => {
            const run = await deploy({ stack });
            const file = parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")).config;
            const value = (key: keyof typeof CONFIG_KEYS) => file[`${NS}:${key}`] ?? CONFIG_KEYS[key].default;
            assert.strictEqual(run.region, file["aws:region"]);
            const azs = Number(value("availabilityZoneCount"));
            const subnetsOf = (vpc: string) => run.resources.ofType(T.subnet).filter(s => s.inputs.vpcId === run.resources.get(T.vpc, vpc).id);
            assert.strictEqual(subnetsOf("workload-vpc").length, 4 * azs);
            assert.strictEqual(subnetsOf("inspection-vpc").length, 2 * azs);
            assert.strictEqual(run.resources.get(T.vpc, "inspection-vpc").inputs.cidrBlock, value("securityVpcCidr"));
            const fleet = run.resources.get(T.autoScalingGroup, "inspection-appliances-asg");
            assert.strictEqual(fleet.inputs.minSize, Number(value("appliancesPerAz")) * azs);
            assert.strictEqual(fleet.inputs.maxSize, Number(value("applianceMaxPerAz")) * azs);
            assert.strictEqual(run.resources.get(T.launchTemplate, "inspection-appliances-lt").inputs.instanceType, value("applianceInstanceType"));
            assert.strictEqual(run.resources.get(T.vpc, "workload-vpc").inputs.cidrBlock, value("workloadVpcCidr"));
            assert.strictEqual(run.resources.get(T.logGroup, "workload-flow-logs-logs").inputs.retentionInDays, value("logRetentionDays"));
        });
    }

    it("makes prod a production stack: 3 AZs, protected data, larger appliances", () => {
        const prod = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8")).config;
        const dev = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8")).config;
        assert.strictEqual(prod[`${NS}:availabilityZoneCount`], 3);
        assert.strictEqual(prod[`${NS}:protectData`], true);
        assert.notStrictEqual(prod[`${NS}:applianceInstanceType`], dev[`${NS}:applianceInstanceType`]);
    });
});

/** One invalid value per row: the key that must be named and a fragment of the rule. */
const INVALID: [Record<string, ConfigValue>, string, RegExp][] = [
    [{ stackRole: "edge" }, "stackRole", /exactly one of "all", "inspection", "workload"/],
    [{ consumerPrincipals: "arn:aws:iam::222222222222:role/team/deployer" }, "consumerPrincipals", /no path/],
    [{ consumerPrincipals: "222222222222,*" }, "consumerPrincipals", /"\*" is not one/],
    [{ inspectionStack: "inspection" }, "inspectionStack", /be empty unless stackRole is workload/],
    [{ inspectionEndpointServiceName: "vpce-svc-0123" }, "inspectionEndpointServiceName", /an endpoint service name/],
    [{ stackRole: "workload", inspectionStack: "inspection", inspectionEndpointServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0" },
        "inspectionEndpointServiceName", /exactly one/],
    [{ stackRole: "workload", inspectionStack: "inspection", consumerPrincipals: "222222222222" }, "consumerPrincipals", /be empty when stackRole is workload/],
    [{ availabilityZoneCount: 1 }, "availabilityZoneCount", /integer from 2 to 6/],
    [{ availabilityZoneCount: 7 }, "availabilityZoneCount", /integer from 2 to 6/],
    [{ availabilityZoneCount: "two" }, "availabilityZoneCount", /integer/],
    [{ availabilityZoneCount: "2.5" }, "availabilityZoneCount", /integer/],
    [{ workloadVpcCidr: "10.0.0.0/24" }, "workloadVpcCidr", /prefix length from \/16 to \/20/],
    [{ workloadVpcCidr: "10.0.0.0/12" }, "workloadVpcCidr", /prefix length from \/16 to \/20/],
    [{ workloadVpcCidr: "10.0.0.1/16" }, "workloadVpcCidr", /host bits are set/],
    [{ workloadVpcCidr: "300.0.0.0/16" }, "workloadVpcCidr", /valid IPv4 CIDR/],
    [{ workloadVpcCidr: "8.8.0.0/16" }, "workloadVpcCidr", /private range/],
    [{ securityVpcCidr: "10.0.128.0/17" }, "securityVpcCidr", /not overlap workloadVpcCidr/],
    [{ securityVpcCidr: "10.100.0.0/25" }, "securityVpcCidr", /\/16 to \/24/],
    [{ securityVpcCidr: "not-a-cidr" }, "securityVpcCidr", /valid IPv4 CIDR/],
    [{ applianceInstanceType: "t3-medium" }, "applianceInstanceType", /<family>\.<size>/],
    [{ applianceInstanceType: "T3.MEDIUM" }, "applianceInstanceType", /<family>\.<size>/],
    [{ appliancesPerAz: 0 }, "appliancesPerAz", /integer from 1 to 50/],
    [{ appliancesPerAz: 3, applianceMaxPerAz: 2 }, "appliancesPerAz", /at most applianceMaxPerAz \(2\)/],
    [{ applianceMaxPerAz: 0 }, "applianceMaxPerAz", /integer from 1 to 50/],
    [{ applianceAmiId: "ami-123" }, "applianceAmiId", /8 or 17 hex digits/],
    [{ applianceAmiId: "i-0123456789abcdef0" }, "applianceAmiId", /AMI id/],
    [{ applianceAmiId: "ami-0123456789abcdef0", applianceUserData: "#".repeat(16 * 1024 + 1) }, "applianceUserData", /at most 16384 bytes/],
    [{ applianceUserData: "#!/bin/bash" }, "applianceUserData", /empty unless applianceAmiId is set/],
    [{ applianceHealthPort: 6081 }, "applianceHealthPort", /not be 6081, the port GENEVE data arrives on/],
    [{ applianceHealthPort: 0 }, "applianceHealthPort", /integer from 1 to 65535/],
    [{ applianceHealthPort: 70000 }, "applianceHealthPort", /integer from 1 to 65535/],
    [{ applianceHealthProtocol: "UDP" }, "applianceHealthProtocol", /exactly one of "HTTP", "HTTPS", "TCP"/],
    [{ applianceHealthProtocol: "TCP" }, "applianceHealthProtocol", /be HTTP unless applianceAmiId is set/],
    [{ applianceHealthPath: "health" }, "applianceHealthPath", /absolute URL path/],
    [{ applianceHealthPath: "/a'b" }, "applianceHealthPath", /absolute URL path/],
    [{ applianceEgress: "none" }, "applianceEgress", /exactly one of "nat", "endpoints"/],
    [{ applianceEgress: "endpoints" }, "applianceEgress", /"nat" unless applianceAmiId is set/],
    [{ securityVpcCidr: "10.100.0.0/24", applianceMaxPerAz: 6 }, "applianceMaxPerAz", /fit an appliance subnet of 10\.100\.0\.0\/24 \(\/28, 11 usable addresses; 6 appliances need 13/],
    [{ securityVpcCidr: "10.100.0.0/24", applianceAmiId: "ami-0123456789abcdef0", applianceEgress: "endpoints", applianceMaxPerAz: 4 },
        "applianceMaxPerAz", /4 appliances need 13 .* and the interface endpoints/],
    [{ alarmTopicArn: "arn:aws:sqs:us-east-1:123456789012:queue" }, "alarmTopicArn", /SNS topic ARN/],
    [{ workloadEgress: "NAT" }, "workloadEgress", /exactly one of "endpoints", "nat"/],
    [{ workloadEgress: "internet" }, "workloadEgress", /exactly one of/],
    [{ protectData: "yes" }, "protectData", /true or false/],
    [{ logRetentionDays: 0 }, "logRetentionDays", /logs must expire/],
    [{ logRetentionDays: 10 }, "logRetentionDays", /one of 1, 3, 5/],
    [{ serviceDesiredCount: 0 }, "serviceDesiredCount", /integer from 1 to 1000/],
    [{ serviceDesiredCount: -1 }, "serviceDesiredCount", /integer from 1 to 1000/],
    [{ servicePort: 80 }, "servicePort", /integer from 1024 to 65535/],
    [{ serviceCpu: 300 }, "serviceCpu", /one of 256, 512, 1024, 2048, 4096/],
    [{ serviceCpu: 1024, serviceMemory: 512 }, "serviceMemory", /with 1024 CPU units: 2048 to 8192 in steps of 1024 MiB/],
    [{ serviceMemory: 700 }, "serviceMemory", /with 256 CPU units: 512, 1024, 2048 MiB/],
    [{ serviceMemory: 1536 }, "serviceMemory", /with 256 CPU units: 512, 1024, 2048 MiB/],
    [{ serviceDesiredCount: 5, serviceMaxCount: 4 }, "serviceMaxCount", /at least serviceDesiredCount \(5\)/],
    [{ userPoolMfa: "required" }, "userPoolMfa", /exactly one of "off", "optional", "on"/],
    [{ userPoolMfa: "ON" }, "userPoolMfa", /exactly one of "off", "optional", "on"/],
    [{ userSignUp: "anyone" }, "userSignUp", /exactly one of "admin-confirmed", "open", "invite-only"/],
    [{ machineClient: "1" }, "machineClient", /true or false/],
    [{ allowPasswordAuth: "no" }, "allowPasswordAuth", /true or false/],
    [{ apiThrottleBurst: 0 }, "apiThrottleBurst", /integer from 1 to 5000/],
    [{ apiThrottleRate: -5 }, "apiThrottleRate", /integer from 1 to 10000/],
    [{ apiThrottleRate: "2.5" }, "apiThrottleRate", /integer from 1 to 10000/],
    [{ corsAllowOrigins: "app.example.com" }, "corsAllowOrigins", /"app\.example\.com" is not one/],
    [{ corsAllowOrigins: "https://app.example.com/" }, "corsAllowOrigins", /no path or trailing slash/],
    [{ corsAllowOrigins: "https://ok.example.com,http://evil.example.com" }, "corsAllowOrigins", /"http:\/\/evil\.example\.com" is not one/],
    [{ corsAllowOrigins: "*,https://app.example.com" }, "corsAllowOrigins", /or \* alone/],
    [{ availabilityZoneCnt: 3 }, "availabilityZoneCnt", /known key \(did you mean availabilityZoneCount\?\)/],
];

describe("appliance subnet capacity", () => {
    it("takes the most appliances a /24 security VPC's /28 appliance subnets hold, with and without endpoints", async () => {
        const configs: Record<string, ConfigValue>[] = [
            { securityVpcCidr: "10.100.0.0/24", applianceMaxPerAz: 5 },
            { securityVpcCidr: "10.100.0.0/24", applianceMaxPerAz: 3, applianceAmiId: "ami-0123456789abcdef0", applianceEgress: "endpoints" },
        ];
        for (const config of configs) {
            const run = await deploy({ config });
            const subnet = run.resources.get(T.subnet, "inspection-appliance-0");
            assert.match(subnet.inputs.cidrBlock, /\/28$/);
        }
    });
});

describe("invalid stack config", () => {
    for (const [config, key, rule] of INVALID) {
        const title = JSON.stringify(config, (_, v) => typeof v === "string" && v.length > 80 ? `${v.slice(0, 8)}… (${v.length} characters)` : v);
        it(`rejects ${title} naming ${key}, before any resource registers`, async () => {
            const run = await deployInvalid({ config });
            assert.strictEqual(run.error.name, "InvalidConfigError");
            const problems = (run.error as InvalidConfigError).problems as ConfigProblem[];
            const problem = problems.find(p => p.key === `${NS}:${key}`);
            assert.ok(problem, `no problem names ${NS}:${key}: ${run.error.message}`);
            assert.match(problem.rule, rule);
            assert.strictEqual(problem.value, String(config[key]));
            const given = String(config[key]);
            const shown = given.length > 80 ? `${JSON.stringify(given.slice(0, 40))}… (${given.length} characters)` : JSON.stringify(given);
            assert.ok(run.error.message.includes(`${NS}:${key} = ${shown}: must`), run.error.message);
            assert.strictEqual(run.resources.size, 0, `registered: ${run.resources.all.map(r => r.name).join(", ")}`);
        });
    }
});

describe("the PULUMI_CONFIG contract", () => {
    const given = {
        [`${NS}:availabilityZoneCount`]: "3",
        [`${NS}:workloadVpcCidr`]: "172.20.0.0/18",
        [`${NS}:securityVpcCidr`]: "172.21.0.0/20",
    };

    it("is read by the Pulumi runtime itself, as under `pulumi up`", () => {
        // A fresh process whose only config is the environment variable the CLI sets for the program.
        const script = "const { loadConfig } = require('./components/config'); console.log(JSON.stringify(loadConfig()));";
        const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
            cwd: PROJECT_DIR,
            env: { ...process.env, PULUMI_CONFIG: JSON.stringify(given), PULUMI_NODEJS_PROJECT: NS },
            encoding: "utf8",
        });
        const config = JSON.parse(out);
        assert.strictEqual(config.availabilityZoneCount, 3);
        assert.strictEqual(config.workloadVpcCidr, "172.20.0.0/18");
        assert.strictEqual(config.securityVpcCidr, "172.21.0.0/20");
    });

    it("shapes the program when set in the environment of a mock run", async () => {
        const run = await deploy({ env: { PULUMI_CONFIG: JSON.stringify(given) } });
        const vpc = run.resources.get(T.vpc, "workload-vpc");
        assert.strictEqual(vpc.inputs.cidrBlock, "172.20.0.0/18");
        const subnets = run.resources.ofType(T.subnet).filter(s => s.inputs.vpcId === vpc.id);
        assert.strictEqual(subnets.length, 3 * 4);
        subnets.forEach(s => assert.ok(s.inputs.cidrBlock.startsWith("172.20."), s.inputs.cidrBlock));
        const security = run.resources.get(T.vpc, "inspection-vpc");
        assert.strictEqual(security.inputs.cidrBlock, "172.21.0.0/20");
    });

    it("is validated like any other config source", async () => {
        const run = await deployInvalid({ env: { PULUMI_CONFIG: JSON.stringify({ ...given, [`${NS}:securityVpcCidr`]: "172.20.32.0/20" }) } });
        assert.match(run.error.message, /inspected-api:securityVpcCidr = "172\.20\.32\.0\/20": must not overlap workloadVpcCidr \(172\.20\.0\.0\/18\)/);
        assert.strictEqual(run.resources.size, 0);
    });
});
