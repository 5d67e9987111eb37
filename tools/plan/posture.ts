/**
 * Security posture of a planned program: named checks over what it registered, each passing or naming the resources
 * that break it. Pure: reads a registry, never AWS.
 */
import { Registration, ResourceRegistry } from "../mock/registry";

export interface PostureCheck {
    readonly name: string;
    readonly description: string;
    /** How many resources the check looked at; a check that saw nothing proves nothing and fails. */
    readonly checked: number;
    readonly offenders: readonly string[];
}

const TYPES = {
    subnet: "aws:ec2/subnet:Subnet",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    ecsService: "aws:ecs/service:Service",
    table: "aws:dynamodb/table:Table",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    vault: "aws:backup/vault:Vault",
    selection: "aws:backup/selection:Selection",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    route: "aws:apigatewayv2/route:Route",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    vpcEndpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
} as const;

/** Services whose actions read or write data: a wildcard there grants more than any one task needs. */
const DATA_SERVICES = ["dynamodb", "s3", "kms", "sqs", "sns", "secretsmanager", "ssm", "logs"];

type Statement = { Action?: string | string[]; Resource?: string | string[] };

function statements(policy: unknown): Statement[] {
    const doc = typeof policy === "string" ? JSON.parse(policy) : policy;
    const list = doc?.Statement ?? [];
    return Array.isArray(list) ? list : [list];
}

const asList = (x: string | string[] | undefined) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

function check(name: string, description: string, subjects: Registration[], offends: (r: Registration) => string | false): PostureCheck {
    return {
        name,
        description,
        checked: subjects.length,
        offenders: subjects.flatMap(r => {
            const why = offends(r);
            return why === false ? [] : [`${r.name}: ${why}`];
        }),
    };
}

export function checkPosture(resources: ResourceRegistry): PostureCheck[] {
    const of = (type: string) => resources.ofType(type);
    const tierCidrs = (tier: string) => new Set(of(TYPES.subnet).filter(s => s.inputs.tags?.tier === tier).map(s => s.inputs.cidrBlock));
    const vpcLinkCidrs = tierCidrs("vpcLink");
    const serviceGroups = new Set(of(TYPES.ecsService).flatMap(s => s.inputs.networkConfiguration?.securityGroups ?? []));
    const backedUp = new Set(of(TYPES.selection).flatMap(s => s.inputs.resources ?? []));
    return [
        check("no-public-ips", "no subnet, appliance or task gets a public IP", [...of(TYPES.subnet), ...of(TYPES.launchTemplate), ...of(TYPES.ecsService)], r => {
            if (r.type === TYPES.subnet) return r.inputs.mapPublicIpOnLaunch === true && "maps public IPs on launch";
            if (r.type === TYPES.launchTemplate) return (r.inputs.networkInterfaces ?? []).some((n: { associatePublicIpAddress?: string }) => n.associatePublicIpAddress !== "false") && "an interface may get a public IP";
            return r.inputs.networkConfiguration?.assignPublicIp !== false && "tasks may get public IPs";
        }),
        check("imdsv2", "instances require IMDSv2 tokens", of(TYPES.launchTemplate), r => r.inputs.metadataOptions?.httpTokens !== "required" && "IMDSv1 allowed"),
        check("customer-managed-keys", "tables, logs, volumes and the backup vault are encrypted with a customer-managed key",
            [...of(TYPES.table), ...of(TYPES.logGroup), ...of(TYPES.launchTemplate), ...of(TYPES.vault)], r => {
                if (r.type === TYPES.table) return !(r.inputs.serverSideEncryption?.enabled && r.inputs.serverSideEncryption?.kmsKeyArn) && "not under a CMK";
                if (r.type === TYPES.logGroup) return !r.inputs.kmsKeyId && "not under a CMK";
                if (r.type === TYPES.vault) return !r.inputs.kmsKeyArn && "not under a CMK";
                return (r.inputs.blockDeviceMappings ?? []).some((b: { ebs?: { encrypted?: string; kmsKeyId?: string } }) => b.ebs?.encrypted !== "true" || !b.ebs?.kmsKeyId) && "a volume not encrypted under a CMK";
            }),
        check("pitr-and-backup", "every table has point-in-time recovery and is in a backup plan", of(TYPES.table), r =>
            (!r.inputs.pointInTimeRecovery?.enabled && "no point-in-time recovery") || (!backedUp.has(r.state.arn) && "in no backup selection")),
        check("security-group-sources", "nothing admits the internet, and tasks admit only the vpcLink subnets", of(TYPES.ingress), r => {
            if (r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0") return "open to the internet";
            return serviceGroups.has(r.inputs.securityGroupId) && !vpcLinkCidrs.has(r.inputs.cidrIpv4) && `a task port open to ${r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId}, not a vpcLink subnet`;
        }),
        check("put-only-jwt", "every PUT needs a JWT and every GET is public; no other method is routed", of(TYPES.route), r => {
            const method = String(r.inputs.routeKey).split(" ")[0];
            if (method === "PUT") return (r.inputs.authorizationType !== "JWT" || !r.inputs.authorizerId) && "PUT without the JWT authorizer";
            if (method === "GET") return r.inputs.authorizationType !== "NONE" && "GET behind an authorizer";
            return `routes ${method}`;
        }),
        check("no-wildcard-data-actions", "no IAM or endpoint policy grants * on a data service's actions", [...of(TYPES.rolePolicy), ...of(TYPES.vpcEndpoint).filter(e => e.inputs.policy)], r => {
            const bad = statements(r.inputs.policy).flatMap(s => asList(s.Action)).filter(a => a === "*" || (a.includes("*") && DATA_SERVICES.includes(a.split(":")[0])));
            return bad.length > 0 && `allows ${bad.join(", ")}`;
        }),
        check("log-retention", "every log group expires", of(TYPES.logGroup), r => !(r.inputs.retentionInDays > 0) && "kept forever"),
    ].map(c => (c.checked === 0 ? { ...c, offenders: ["(nothing to check: the plan has none of these resources)"] } : c));
}
