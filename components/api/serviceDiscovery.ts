import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkArgs, knownNow } from "../argRules";
import { TaggedArgs, tagChildren } from "../tags";

/** Arguments of {@link ServiceDiscovery}. */
export interface ServiceDiscoveryArgs extends TaggedArgs {
    /** The VPC whose resolver answers for the namespace. */
    readonly vpcId: pulumi.Input<string>;
    /** Private DNS domain of the namespace. Default `<name>.internal`. */
    readonly namespace?: string;
    /** Description of the namespace; AWS cannot change it in place. Default `Tasks registered by ECS`. */
    readonly description?: string;
    /** The services that register tasks, e.g. petstore and foodstore: DNS labels. */
    readonly services: string[];
}

/** One service's Cloud Map entry: what ECS registers tasks into and what API Gateway integrates with. */
export interface DiscoveredService {
    /** The Cloud Map service's id. */
    readonly id: pulumi.Output<string>;
    /** Its ARN: what ECS registers into and API Gateway integrates with. */
    readonly arn: pulumi.Output<string>;
}

/**
 * A Cloud Map private DNS namespace with one service per app. Records are SRV, so each registered task carries its
 * port as well as its IP, which API Gateway's Cloud Map integration needs; ECS reports task health into them.
 */
export class ServiceDiscovery extends pulumi.ComponentResource {
    /** The private DNS namespace's id. */
    public readonly namespaceId: pulumi.Output<string>;
    /** The namespace's domain. */
    public readonly namespaceName: string;
    /** Each service's Cloud Map entry, by service name. */
    public readonly services: Readonly<Record<string, DiscoveredService>>;

    constructor(name: string, args: ServiceDiscoveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("inspected-api:api:ServiceDiscovery", name, {}, tagChildren(opts, args.tags));
        checkArgs(this, "ServiceDiscovery", name, [["services", knownNow(args.services)]]);
        this.namespaceName = args.namespace ?? `${name}.internal`;
        const namespace = new aws.servicediscovery.PrivateDnsNamespace(`${name}-namespace`, {
            name: this.namespaceName,
            vpc: args.vpcId,
            description: args.description ?? "Tasks registered by ECS",
            tags: { Name: name },
        }, { parent: this });

        const services: Record<string, DiscoveredService> = {};
        for (const service of args.services) {
            const entry = new aws.servicediscovery.Service(`${name}-${service}`, {
                name: service,
                namespaceId: namespace.id,
                dnsConfig: {
                    namespaceId: namespace.id,
                    dnsRecords: [{ type: "SRV", ttl: 10 }],
                    routingPolicy: "MULTIVALUE",
                },
                // ECS marks instances healthy or not from its own container health checks. The provider drops an empty
                // block, so the (deprecated, always 1) threshold is what makes it send one.
                healthCheckCustomConfig: { failureThreshold: 1 },
                // Tasks are registered by ECS, which deregisters them when it stops them; nothing else may remain.
                forceDestroy: true,
                tags: { Name: `${name}-${service}` },
            }, { parent: this });
            services[service] = { id: entry.id, arn: entry.arn };
        }

        this.namespaceId = namespace.id;
        this.services = services;
        this.registerOutputs({ namespaceId: this.namespaceId, namespaceName: this.namespaceName, services: this.services });
    }
}
