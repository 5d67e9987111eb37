/**
 * What a reviewer approving a deploy reads beside the inventory: the effective config and where each value came
 * from, every inspected flow's path, who may reach what, which role may do what, what survives a destroy, and the
 * tools that made the plan. Each is derived from the run; none is written by hand.
 */
import { CONFIG_KEYS } from "../../components/config";
import { ProgramRun, Registration } from "../mock";
import { T } from "../mock/types";
import { Flow } from "../routes";

const cell = (text: unknown) => String(text).replace(/\|/g, "\\|").replace(/\n/g, " ");
const table = (head: string[], rows: unknown[][]) =>
    rows.length === 0 ? ["(none)"] : [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map(r => `| ${r.map(cell).join(" | ")} |`)];

/** Every key of the project's namespace with its value and origin, then the provider keys the stack sets. */
function effectiveConfig(run: ProgramRun): string[] {
    const { project, config, origins } = run.source;
    const rows: unknown[][] = Object.entries(CONFIG_KEYS).map(([key, spec]) => {
        const full = `${project}:${key}`;
        const value = String(config[full] ?? spec.default);
        return [`\`${key}\``, value === "" ? "(unset)" : `\`${value}\``, origins?.[full] ?? "default"];
    });
    Object.keys(config).filter(k => !k.startsWith(`${project}:`)).sort().forEach(k => rows.push([`\`${k}\``, `\`${config[k]}\``, origins?.[k] ?? "stack file"]));
    return table(["key", "value", "from"], rows);
}

function flows(list: readonly Flow[]): string[] {
    return table(["from", "to", "verdict", "request through", "response through"], list.map(f => [
        `${f.source.name} (${f.source.availabilityZoneId})`, `${f.destination.name} (${f.destination.availabilityZoneId})`, f.verdict,
        f.request.endpoints.map(e => e.name).join(", ") || "no endpoint", f.response.endpoints.map(e => e.name).join(", ") || "no endpoint",
    ]));
}

/** Each security group rule, its peer named by subnet where a CIDR is a subnet's. */
function securityGroups(run: ProgramRun): string[] {
    const groupName = (id: string) => run.resources.byId(id)?.name ?? id;
    const subnetByCidr = new Map(run.resources.ofType(T.subnet).map(s => [s.inputs.cidrBlock as string, s.name]));
    const peer = (r: Registration) => r.inputs.cidrIpv4 !== undefined
        ? `${r.inputs.cidrIpv4}${subnetByCidr.has(r.inputs.cidrIpv4) ? ` (${subnetByCidr.get(r.inputs.cidrIpv4)})` : ""}`
        : r.inputs.referencedSecurityGroupId !== undefined ? groupName(r.inputs.referencedSecurityGroupId) : r.inputs.prefixListId ?? "?";
    const port = (r: Registration) => `${r.inputs.ipProtocol}/${r.inputs.fromPort === r.inputs.toPort ? r.inputs.fromPort : `${r.inputs.fromPort}-${r.inputs.toPort}`}`;
    const rows = [
        ...run.resources.ofType(T.ingressRule).map(r => [groupName(r.inputs.securityGroupId), "in from", peer(r), port(r)]),
        ...run.resources.ofType(T.egressRule).map(r => [groupName(r.inputs.securityGroupId), "out to", peer(r), port(r)]),
    ].sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`));
    return table(["security group", "direction", "peer", "protocol/port"], rows);
}

/** Each role's inline statements and managed policies. */
function iam(run: ProgramRun): string[] {
    const roleName = (id: string) => run.resources.byId(id)?.name ?? run.resources.all.find(r => r.state.name === id)?.name ?? id;
    const rows: unknown[][] = [];
    for (const policy of run.resources.ofType(T.iamRolePolicy)) {
        const doc = typeof policy.inputs.policy === "string" ? JSON.parse(policy.inputs.policy) : policy.inputs.policy;
        for (const s of [doc?.Statement ?? []].flat() as { Effect: string; Action: string | string[]; Resource: string | string[] }[]) {
            rows.push([roleName(policy.inputs.role), s.Effect, [s.Action].flat().join(", "), [s.Resource].flat().join(", ")]);
        }
    }
    for (const a of run.resources.ofType(T.iamRolePolicyAttachment)) {
        rows.push([roleName(a.inputs.role), "Allow", `managed policy ${String(a.inputs.policyArn).split("/").pop()}`, "(as the policy states)"]);
    }
    return table(["role", "effect", "actions", "resources"], rows.sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
}

/** What `pulumi destroy` leaves, and what AWS refuses to delete while protection is on. */
function survivors(run: ProgramRun): string[] {
    const rows = run.resources.all.filter(r => r.custom).flatMap(r => {
        const why = [
            r.retainOnDelete ? "retained on destroy" : "",
            r.inputs.deletionProtectionEnabled === true || r.inputs.deletionProtection === "ACTIVE" ? "deletion protection" : "",
        ].filter(Boolean);
        return why.length === 0 ? [] : [[`${r.type} ${r.name}`, why.join(", ")]];
    });
    return table(["resource", "kept by"], rows);
}

function versions(): string {
    const version = (pkg: string) => {
        try {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            return require(`${pkg}/package.json`).version as string;
        } catch {
            return "absent";
        }
    };
    // No commit or date: a committed plan would then differ from itself; git records both for the file.
    return `@pulumi/pulumi ${version("@pulumi/pulumi")}, @pulumi/aws ${version("@pulumi/aws")}, @pulumi/awsx ${version("@pulumi/awsx")}, ` +
        `typescript ${version("typescript")}, Node.js ${process.versions.node.split(".")[0]}`;
}

export function renderReview(run: ProgramRun, flowList: readonly Flow[]): string {
    return [
        "## For review",
        "",
        "### Effective config", "", ...effectiveConfig(run), "",
        "### Inspected flows", "", ...flows(flowList), "",
        "### Security group rules", "", ...securityGroups(run), "",
        "### IAM", "", ...iam(run), "",
        "### Kept on destroy", "", ...survivors(run), "",
        "### Made with", "", versions(), "",
    ].join("\n");
}
