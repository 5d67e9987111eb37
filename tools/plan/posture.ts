/**
 * Security posture of a planned program: named checks over what it registered, each passing or naming the resources
 * that break it. Pure: reads a registry, never AWS.
 */
import { Registration, ResourceRegistry } from "../mock/registry";
import { T } from "../mock/types";

export interface PostureCheck {
    readonly name: string;
    readonly description: string;
    /**
     * How many resources the check looked at. For the stack program a check that saw nothing proves nothing and
     * fails; a program of one's own may simply have none of them (no tables, say), and the check does not apply.
     */
    readonly checked: number;
    readonly offenders: readonly string[];
}

/** Services whose actions read or write data: a wildcard there grants more than any one task needs. */
const DATA_SERVICES = ["dynamodb", "s3", "kms", "sqs", "sns", "secretsmanager", "ssm", "logs"];

type Statement = { Action?: string | string[]; Resource?: string | string[] };

function statements(policy: unknown): Statement[] {
    const doc = typeof policy === "string" ? JSON.parse(policy) : policy;
    const list = doc?.Statement ?? [];
    return Array.isArray(list) ? list : [list];
}

const asList = (x: string | string[] | undefined) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** A check over `subjects`; with none to look at it fails rather than passing vacuously, unless `partial`. */
function postureCheck(name: string, description: string, subjects: Registration[], offends: (r: Registration) => string | false, partial: boolean): PostureCheck {
    const offenders = subjects.length === 0
        ? (partial ? [] : ["(nothing to check: the plan has none of these resources)"])
        : subjects.flatMap(r => {
            const why = offends(r);
            return why === false ? [] : [`${r.name}: ${why}`];
        });
    return { name, description, checked: subjects.length, offenders };
}

/** `partial`: the program is not the whole system, so a check with nothing to look at does not apply. */
export function checkPosture(resources: ResourceRegistry, partial = false): PostureCheck[] {
    const check = (name: string, description: string, subjects: Registration[], offends: (r: Registration) => string | false) =>
        postureCheck(name, description, subjects, offends, partial);
    const of = (type: string) => resources.ofType(type);
    const tierCidrs = (tier: string) => new Set(of(T.subnet).filter(s => s.inputs.tags?.tier === tier).map(s => s.inputs.cidrBlock));
    const vpcLinkCidrs = tierCidrs("vpcLink");
    const serviceGroups = new Set(of(T.ecsService).flatMap(s => s.inputs.networkConfiguration?.securityGroups ?? []));
    const backedUp = new Set(of(T.backupSelection).flatMap(s => s.inputs.resources ?? []));
    return [
        check("no-public-ips", "no subnet, appliance or task gets a public IP", [...of(T.subnet), ...of(T.launchTemplate), ...of(T.ecsService)], r => {
            if (r.type === T.subnet) return r.inputs.mapPublicIpOnLaunch === true && "maps public IPs on launch";
            if (r.type === T.launchTemplate) return (r.inputs.networkInterfaces ?? []).some((n: { associatePublicIpAddress?: string }) => n.associatePublicIpAddress !== "false") && "an interface may get a public IP";
            return r.inputs.networkConfiguration?.assignPublicIp !== false && "tasks may get public IPs";
        }),
        check("imdsv2", "instances require IMDSv2 tokens", of(T.launchTemplate), r => r.inputs.metadataOptions?.httpTokens !== "required" && "IMDSv1 allowed"),
        check("customer-managed-keys", "tables, logs, volumes and the backup vault are encrypted with a customer-managed key",
            [...of(T.table), ...of(T.logGroup), ...of(T.launchTemplate), ...of(T.backupVault)], r => {
                if (r.type === T.table) return !(r.inputs.serverSideEncryption?.enabled && r.inputs.serverSideEncryption?.kmsKeyArn) && "not under a CMK";
                if (r.type === T.logGroup) return !r.inputs.kmsKeyId && "not under a CMK";
                if (r.type === T.backupVault) return !r.inputs.kmsKeyArn && "not under a CMK";
                return (r.inputs.blockDeviceMappings ?? []).some((b: { ebs?: { encrypted?: string; kmsKeyId?: string } }) => b.ebs?.encrypted !== "true" || !b.ebs?.kmsKeyId) && "a volume not encrypted under a CMK";
            }),
        check("pitr-and-backup", "every table has point-in-time recovery and is in a backup plan", of(T.table), r =>
            (!r.inputs.pointInTimeRecovery?.enabled && "no point-in-time recovery") || (!backedUp.has(r.state.arn) && "in no backup selection")),
        check("security-group-sources", "nothing admits the internet, and tasks admit only the vpcLink subnets", of(T.ingressRule), r => {
            if (r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0") return "open to the internet";
            return serviceGroups.has(r.inputs.securityGroupId) && !vpcLinkCidrs.has(r.inputs.cidrIpv4) && `a task port open to ${r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId}, not a vpcLink subnet`;
        }),
        check("put-only-jwt", "every PUT needs a JWT and every GET is public; no other method is routed", of(T.apiRoute), r => {
            const method = String(r.inputs.routeKey).split(" ")[0];
            if (method === "PUT") return (r.inputs.authorizationType !== "JWT" || !r.inputs.authorizerId) && "PUT without the JWT authorizer";
            if (method === "GET") return r.inputs.authorizationType !== "NONE" && "GET behind an authorizer";
            return `routes ${method}`;
        }),
        check("no-wildcard-data-actions", "no IAM or endpoint policy grants * on a data service's actions", [...of(T.iamRolePolicy), ...of(T.vpcEndpoint).filter(e => e.inputs.policy)], r => {
            const bad = statements(r.inputs.policy).flatMap(s => asList(s.Action)).filter(a => a === "*" || (a.includes("*") && DATA_SERVICES.includes(a.split(":")[0])));
            return bad.length > 0 && `allows ${bad.join(", ")}`;
        }),
        check("log-retention", "every log group expires", of(T.logGroup), r => !(r.inputs.retentionInDays > 0) && "kept forever"),
    ];
}
