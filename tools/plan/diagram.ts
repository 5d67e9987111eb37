/**
 * A Mermaid flowchart of what the program registered: the two VPCs with their tiers per AZ, the GWLB endpoints, the
 * load balancer and its fleet, the API, the services and their tables. Drawn from the registrations, so it shows
 * the plan as it is, not as it was meant to be.
 */
import { Registration, ResourceRegistry } from "../mock/registry";
import { T } from "../mock/types";

/** Mermaid ids: letters, digits and underscores only. */
const id = (r: Registration) => r.name.replace(/[^A-Za-z0-9]/g, "_");
const label = (text: string) => `"${text.replace(/"/g, "'")}"`;

export function renderDiagram(resources: ResourceRegistry): string {
    const lines = ["flowchart LR"];
    const subnets = resources.ofType(T.subnet);
    const endpoints = resources.ofType(T.vpcEndpoint).filter(e => e.inputs.vpcEndpointType === "GatewayLoadBalancer");
    const endpointIn = new Map(endpoints.map(e => [(e.inputs.subnetIds ?? [])[0], e]));
    for (const vpc of resources.ofType(T.vpc)) {
        lines.push(`  subgraph ${id(vpc)}[${label(`${vpc.name} ${vpc.inputs.cidrBlock}`)}]`);
        const zones = [...new Set(subnets.filter(s => s.inputs.vpcId === vpc.id).map(s => s.state.availabilityZoneId as string))].sort();
        for (const zone of zones) {
            lines.push(`    subgraph ${id(vpc)}_${zone.replace(/-/g, "_")}[${label(zone)}]`);
            for (const subnet of subnets.filter(s => s.inputs.vpcId === vpc.id && s.state.availabilityZoneId === zone)) {
                const endpoint = endpointIn.get(subnet.id);
                lines.push(`      ${id(subnet)}[${label(`${subnet.inputs.tags?.tier ?? "subnet"} ${subnet.inputs.cidrBlock}`)}]`);
                if (endpoint) {
                    lines.push(`      ${id(endpoint)}{{${label(`GWLB endpoint ${endpoint.name}`)}}}`);
                    lines.push(`      ${id(subnet)} --- ${id(endpoint)}`);
                }
            }
            lines.push("    end");
        }
        lines.push("  end");
    }
    const gwlbs = resources.ofType(T.loadBalancer).filter(l => l.inputs.loadBalancerType === "gateway");
    for (const gwlb of gwlbs) {
        lines.push(`  ${id(gwlb)}[${label(`Gateway Load Balancer ${gwlb.name}`)}]`);
        endpoints.forEach(e => lines.push(`  ${id(e)} <-->|GENEVE 6081| ${id(gwlb)}`));
        resources.ofType(T.autoScalingGroup).forEach(a => lines.push(`  ${id(gwlb)} --> ${id(a)}[${label(`appliance fleet ${a.name}: ${a.inputs.minSize}–${a.inputs.maxSize}`)}]`));
    }
    for (const api of resources.ofType(T.api)) {
        lines.push(`  client((client)) -->|HTTPS| ${id(api)}[${label(`HTTP API ${api.name}`)}]`);
        resources.ofType(T.userPool).forEach(p => lines.push(`  ${id(p)}[${label(`Cognito ${p.name}`)}] -.->|JWT on PUT| ${id(api)}`));
        for (const link of resources.ofType(T.vpcLink)) {
            lines.push(`  ${id(api)} --> ${id(link)}[${label(`VPC link ${link.name}`)}]`);
            const linked = new Set<string>(link.inputs.subnetIds ?? []);
            subnets.filter(s => linked.has(s.id!)).forEach(s => lines.push(`  ${id(link)} --> ${id(s)}`));
        }
    }
    for (const service of resources.ofType(T.ecsService)) {
        lines.push(`  ${id(service)}([${label(`ECS ${service.name}`)}])`);
        const inSubnets = new Set<string>(service.inputs.networkConfiguration?.subnets ?? []);
        subnets.filter(s => inSubnets.has(s.id!)).forEach(s => lines.push(`  ${id(s)} -.- ${id(service)}`));
        const table = resources.ofType(T.table).find(t => t.inputs.tags?.service === service.inputs.tags?.service);
        if (table) {
            lines.push(`  ${id(service)} --> ${id(table)}[(${label(`DynamoDB ${table.name}`)})]`);
        }
    }
    return lines.join("\n");
}
