// A user's program: everything it needs comes from the package root.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
    FargateService, HttpApi, InspectedRouting, InspectionVpc, LogEncryptionKey, ServiceCluster, WorkloadVpc,
    WorkloadVpcArgs,
} from "inspected-api";

export function program(): Record<string, pulumi.Output<unknown>> {
    const key = new LogEncryptionKey("logs");
    const logs = { retentionInDays: 30, kmsKeyArn: key.arn };
    const vpcArgs: WorkloadVpcArgs = { cidrBlock: "10.50.0.0/16", availabilityZoneIds: ["use1-az1", "use1-az2"], flowLogs: logs, tags: { app: "consumer" } };
    const workload = new WorkloadVpc("workload", vpcArgs);
    const inspection = new InspectionVpc("inspection", {
        cidrBlock: "10.51.0.0/20",
        availabilityZoneIds: vpcArgs.availabilityZoneIds,
        egress: "nat",
        appliance: { instanceType: "c6in.large", minPerAz: 1, maxPerAz: 2, healthCheck: { protocol: "HTTP", port: 8081, path: "/health" } },
        logs,
    });
    const routing = new InspectedRouting("routing", {
        vpcId: workload.vpcId,
        endpointServiceName: inspection.endpointServiceName,
        endpointSubnets: workload.endpointSubnets,
        vpcLinkSubnets: workload.vpcLinkSubnets,
        serviceSubnets: workload.serviceSubnets,
    });
    const cluster = new ServiceCluster("cluster");
    const service = new FargateService("hello", {
        clusterArn: cluster.clusterArn,
        clusterName: cluster.clusterName,
        vpcId: workload.vpcId,
        subnetIds: workload.serviceSubnets.subnetIds,
        ingressCidrBlocks: workload.vpcLinkSubnets.cidrBlocks,
        image: { context: path.join(__dirname, "..", "app") },
        logs,
    }, { dependsOn: [routing] });
    const api = new HttpApi("api", {
        vpcId: workload.vpcId,
        vpcLinkSubnetIds: workload.vpcLinkSubnets.subnetIds,
        serviceCidrBlocks: workload.serviceSubnets.cidrBlocks,
        servicePort: 8080,
        identityHeader: "x-caller",
        backends: [],
        jwt: { issuer: "https://issuer.example", audiences: ["client"] },
        accessLogs: logs,
    });
    return { url: api.url, service: service.serviceName, endpoints: pulumi.output(routing.endpointIds) };
}
