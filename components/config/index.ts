import * as pulumi from "@pulumi/pulumi";
import { MFA_MODES, SIGN_UP_MODES } from "../auth/modes";
import { FARGATE_MEMORY, fargateRules } from "../compute/fargateRules";
import { applianceRules } from "../inspection/applianceRules";
import { APPLIANCE_EGRESS, HEALTH_CHECK_PROTOCOLS } from "../inspection/sizing";
import { overlaps, parseCidr } from "../network/cidr";
import { planRule, planSecuritySubnets, planWorkloadSubnets, tryPlan, WORKLOAD_EGRESS } from "../network/subnetPlan";
import { boolean, integer, matching, maxLength, oneOf, oneOfIntegers, optional, origins, Parser, principals, privateCidr, RuleViolation } from "./rules";

/** Retention values CloudWatch Logs accepts, minus 0 ("never expire"): every log here must expire. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/**
 * What a stack builds: `all` the whole system; `inspection` the shared inspection service only (security VPC, GWLB,
 * fleet, endpoint service); `workload` an API whose traffic a shared service inspects.
 */
export const STACK_ROLES = ["all", "inspection", "workload"] as const;

/** One stack config key: its Pulumi.yaml schema type and default, and how a raw value becomes typed. */
interface KeySpec<T> {
    readonly type: "integer" | "string" | "boolean";
    readonly default: number | string | boolean;
    readonly parse: Parser<T>;
}

function key<T>(type: KeySpec<T>["type"], defaultValue: KeySpec<T>["default"], parse: Parser<T>): KeySpec<T> {
    return { type, default: defaultValue, parse };
}

/**
 * Every key of the `inspected-api` namespace. Pulumi.yaml declares the same keys with the same types and
 * defaults (a test holds the two equal); the defaults live here too because mocks never read Pulumi.yaml.
 */
export const CONFIG_KEYS = {
    stackRole: key("string", "all", oneOf(STACK_ROLES)),
    consumerPrincipals: key("string", "", principals),
    inspectionStack: key("string", "", optional(matching(/^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/, "a stack name, or <org>/<project>/<stack>"))),
    inspectionEndpointServiceName: key("string", "", optional(matching(
        /^com\.amazonaws\.vpce\.[a-z0-9-]+\.vpce-svc-[0-9a-f]{17}$/,
        "an endpoint service name, com.amazonaws.vpce.<region>.vpce-svc-<17 hex digits>",
    ))),
    availabilityZoneCount: key("integer", 2, integer(2, 6)),
    workloadVpcCidr: key("string", "10.0.0.0/16", privateCidr(16, 20)),
    securityVpcCidr: key("string", "10.100.0.0/16", privateCidr(16, 24)),
    applianceInstanceType: key("string", "t3.medium", matching(
        /^[a-z][a-z0-9]*(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*$/,
        "an EC2 instance type of the form <family>.<size>, e.g. t3.medium or c6in.xlarge",
    )),
    appliancesPerAz: key("integer", 1, integer(1, 50)),
    applianceMaxPerAz: key("integer", 3, integer(1, 50)),
    applianceAmiId: key("string", "", optional(matching(/^ami-([0-9a-f]{8}|[0-9a-f]{17})$/, "an AMI id: ami- and 8 or 17 hex digits"))),
    applianceUserData: key("string", "", optional(maxLength(16 * 1024, "EC2's user data limit before base64 is 16 KB"))),
    applianceHealthProtocol: key("string", "HTTP", oneOf(HEALTH_CHECK_PROTOCOLS)),
    applianceHealthPort: key("integer", 8080, integer(1, 65535)),
    applianceHealthPath: key("string", "/health", matching(
        /^\/[A-Za-z0-9._~/-]{0,1023}$/,
        "an absolute URL path of at most 1024 characters of letters, digits and . _ ~ / -, e.g. /health",
    )),
    applianceEgress: key("string", "nat", oneOf(APPLIANCE_EGRESS)),
    alarmTopicArn: key("string", "", optional(matching(
        /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/,
        "an SNS topic ARN, arn:aws:sns:<region>:<account>:<topic>",
    ))),
    workloadEgress: key("string", "endpoints", oneOf(WORKLOAD_EGRESS)),
    protectData: key("boolean", false, boolean),
    logRetentionDays: key("integer", 30, oneOfIntegers(LOG_RETENTION_DAYS, "a CloudWatch Logs retention; 0 is refused because logs must expire")),
    serviceDesiredCount: key("integer", 2, integer(1, 1000)),
    serviceMaxCount: key("integer", 6, integer(1, 1000)),
    serviceCpu: key("integer", 256, oneOfIntegers(Object.keys(FARGATE_MEMORY).map(Number), "Fargate CPU units")),
    serviceMemory: key("integer", 512, integer(512, 30720)),
    servicePort: key("integer", 8080, integer(1024, 65535)),
    userPoolMfa: key("string", "optional", oneOf(MFA_MODES)),
    userSignUp: key("string", "admin-confirmed", oneOf(SIGN_UP_MODES)),
    machineClient: key("boolean", false, boolean),
    allowPasswordAuth: key("boolean", false, boolean),
    // API Gateway's own account-level ceilings (10,000 requests/s, burst 5,000) bound both.
    apiThrottleBurst: key("integer", 100, integer(1, 5000)),
    apiThrottleRate: key("integer", 50, integer(1, 10000)),
    corsAllowOrigins: key("string", "", origins),
};

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** The validated stack configuration: every key typed, defaults applied, frozen. */
export type StackConfig = {
    readonly [K in ConfigKey]: (typeof CONFIG_KEYS)[K] extends KeySpec<infer T> ? T : never;
};

/** One broken rule: the fully qualified key, the value as given (undefined when the default was used), the rule. */
export interface ConfigProblem {
    readonly key: string;
    readonly value: string | undefined;
    readonly rule: string;
}

/**
 * Stack configuration broke one or more rules. A {@link pulumi.RunError}, so `pulumi up` prints the message
 * without a stack trace. Thrown before any resource is registered.
 */
export class InvalidConfigError extends pulumi.RunError {
    constructor(readonly problems: readonly ConfigProblem[]) {
        super([
            `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):`,
            ...problems.map(p => `  - ${p.key} = ${shown(p.value)}: must ${p.rule}`),
        ].join("\n"));
        this.name = "InvalidConfigError";
    }
}

/** A value as the error shows it: quoted, and cut short when it is a whole script. */
function shown(value: string | undefined): string {
    if (value === undefined) {
        return "(default)";
    }
    return value.length > 80 ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)` : JSON.stringify(value);
}

/**
 * Rules that involve more than one key; each names the key whose value should change. The component rules are the
 * components' own (applianceRules, fargateRules), given the config's key names.
 */
const rule = (key: ConfigKey, broken: string | undefined) => (broken === undefined ? undefined : { key, rule: broken });
const CROSS_KEY_RULES: ReadonlyArray<(c: StackConfig) => { key: ConfigKey; rule: string } | undefined> = [
    c => rule("serviceMaxCount", fargateRules.maxAtLeastDesired(c.serviceMaxCount, c.serviceDesiredCount, "serviceDesiredCount")),
    c => rule("serviceMemory", fargateRules.memoryForCpu(c.serviceCpu, c.serviceMemory)),
    c => rule("appliancesPerAz", applianceRules.minWithinMax(c.appliancesPerAz, c.applianceMaxPerAz, "applianceMaxPerAz")),
    c => c.stackRole === "workload" && (c.inspectionStack === undefined) === (c.inspectionEndpointServiceName === undefined)
        ? c.inspectionStack === undefined
            ? { key: "inspectionStack", rule: "name the inspection stack when stackRole is workload (or set inspectionEndpointServiceName): its endpoints need a service" }
            : { key: "inspectionEndpointServiceName", rule: "be empty when inspectionStack is set: a workload takes its endpoint service from exactly one" }
        : undefined,
    c => c.stackRole !== "workload" && c.inspectionStack !== undefined
        ? { key: "inspectionStack", rule: "be empty unless stackRole is workload: this stack runs its own inspection" } : undefined,
    c => c.stackRole !== "workload" && c.inspectionEndpointServiceName !== undefined
        ? { key: "inspectionEndpointServiceName", rule: "be empty unless stackRole is workload: this stack runs its own inspection" } : undefined,
    c => c.stackRole === "workload" && c.consumerPrincipals.length > 0
        ? { key: "consumerPrincipals", rule: "be empty when stackRole is workload: a workload offers no endpoint service" } : undefined,
    // Only a stack that builds both VPCs knows both; across stacks the plan checks each workload against the service.
    c => c.stackRole === "all" && overlaps(parseCidr(c.workloadVpcCidr), parseCidr(c.securityVpcCidr))
        ? { key: "securityVpcCidr", rule: `not overlap workloadVpcCidr (${c.workloadVpcCidr})` }
        : undefined,
    c => rule("applianceHealthPort", applianceRules.healthPortNotGeneve(c.applianceHealthPort)),
    c => rule("applianceUserData", applianceRules.userDataOnlyWithAmi(c.applianceUserData, c.applianceAmiId, "applianceAmiId")),
    c => rule("applianceHealthProtocol", applianceRules.httpHealthForDefault(c.applianceHealthProtocol, c.applianceAmiId, "applianceAmiId")),
    c => rule("applianceEgress", applianceRules.natForDefault(c.applianceEgress, c.applianceAmiId, "applianceAmiId")),
    // The /16–/20 and /16–/24 ranges always fit up to 8 AZs today; these keep config and planners from disagreeing.
    c => {
        const plan = tryPlan(() => planWorkloadSubnets(c.workloadVpcCidr, c.availabilityZoneCount));
        return typeof plan === "string" ? { key: "workloadVpcCidr", rule: planRule(c.availabilityZoneCount, plan) } : undefined;
    },
    c => {
        const plan = tryPlan(() => planSecuritySubnets(c.securityVpcCidr, c.availabilityZoneCount));
        if (typeof plan === "string") {
            return { key: "securityVpcCidr", rule: planRule(c.availabilityZoneCount, plan) };
        }
        return rule("applianceMaxPerAz", applianceRules.fitsApplianceSubnet(c.applianceMaxPerAz, c.applianceEgress, plan.tiers.appliance[0], c.securityVpcCidr));
    },
];


/**
 * Reads every key of the project namespace, applies the defaults, validates, and returns one frozen object.
 * Throws {@link InvalidConfigError} listing every problem at once, including keys nobody reads (typos).
 */
export function loadConfig(config: pulumi.Config = new pulumi.Config()): StackConfig {
    const problems: ConfigProblem[] = [];
    const raws: Partial<Record<ConfigKey, string>> = {};
    const values: Record<string, unknown> = {};
    for (const name of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
        const spec: KeySpec<unknown> = CONFIG_KEYS[name];
        const given = config.get(name);
        // The CLI passes every value as a string; a caller of setAllConfig may not.
        const raw = given === undefined ? undefined : String(given);
        raws[name] = raw;
        try {
            values[name] = spec.parse(raw ?? String(spec.default));
        } catch (err) {
            if (!(err instanceof RuleViolation)) {
                throw err;
            }
            problems.push({ key: `${config.name}:${name}`, value: raw, rule: err.rule });
        }
    }
    problems.push(...unknownKeys(config.name));
    if (problems.length === 0) {
        for (const rule of CROSS_KEY_RULES) {
            const broken = rule(values as StackConfig);
            if (broken) {
                problems.push({ key: `${config.name}:${broken.key}`, value: raws[broken.key], rule: broken.rule });
            }
        }
    }
    if (problems.length > 0) {
        throw new InvalidConfigError(problems);
    }
    return Object.freeze(values) as StackConfig;
}

function unknownKeys(namespace: string): ConfigProblem[] {
    const known = Object.keys(CONFIG_KEYS);
    const allConfig = pulumi.runtime.allConfig();
    return Object.keys(allConfig)
        .filter(full => full.startsWith(`${namespace}:`))
        .map(full => full.slice(namespace.length + 1))
        .filter(name => !known.includes(name))
        .map(name => {
            const near = known.find(k => k.toLowerCase() === name.toLowerCase() || editDistance(k, name) <= 2);
            return {
                key: `${namespace}:${name}`,
                value: String(allConfig[`${namespace}:${name}`]),
                rule: `be a known key${near ? ` (did you mean ${near}?)` : ""}; known keys: ${known.join(", ")}`,
            };
        });
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}
