/**
 * The whole system in three AZs, serving one service of the consumer's own (`./app`): an orders API whose writes need
 * a Cognito token and whose every request passes the Suricata IPS fleet. Everything here is the package's public API.
 */
import * as path from "path";
import * as aws from "@pulumi/aws";
import {
    ApiUserPool, FargateService, HttpApi, InspectedRouting, InspectionVpc, LogEncryptionKey, ServiceCluster, ServiceData,
    ServiceDiscovery, WorkloadVpc,
} from "inspected-api";

const SERVICE = "orders";
const PORT = 8080;
const tags = { owner: "platform", costCenter: "cc-1234" };

export = async () => {
    // AZ ids, not names: names map to different zones in different accounts. Known before any resource registers.
    const zones = await aws.getAvailabilityZones({ state: "available" });
    const zoneIds = zones.zoneIds.slice(0, 3);
    const logKey = new LogEncryptionKey("logs", { tags });
    const logs = { retentionInDays: 90, kmsKeyArn: logKey.arn };

    const data = new ServiceData("data", { tables: [{ service: SERVICE, hashKey: "orderId" }], tags });
    const workload = new WorkloadVpc("workload", {
        cidrBlock: "10.20.0.0/16",
        availabilityZoneIds: zoneIds,
        dynamoDbEndpointPolicy: data.endpointPolicy,
        flowLogs: logs,
        tags,
    });
    const inspection = new InspectionVpc("inspection", {
        cidrBlock: "10.21.0.0/20",
        availabilityZoneIds: zoneIds,
        egress: "nat",
        appliance: {
            instanceType: "c6in.large",
            minPerAz: 1,
            maxPerAz: 2,
            healthCheck: { protocol: "HTTP", port: 8081, path: "/health" },
            homeNetCidrs: [workload.cidrBlock],
            httpPorts: [PORT],
        },
        logs,
        tags,
    });
    const routing = new InspectedRouting("routing", {
        vpcId: workload.vpcId,
        endpointServiceName: inspection.endpointServiceName,
        endpointSubnets: workload.endpointSubnets,
        vpcLinkSubnets: workload.vpcLinkSubnets,
        serviceSubnets: workload.serviceSubnets,
        tags,
    });

    const discovery = new ServiceDiscovery("discovery", { vpcId: workload.vpcId, namespace: "orders.internal", services: [SERVICE], tags });
    const cluster = new ServiceCluster("cluster", { tags });
    new FargateService(SERVICE, {
        clusterArn: cluster.clusterArn,
        clusterName: cluster.clusterName,
        vpcId: workload.vpcId,
        subnetIds: workload.serviceSubnets.subnetIds,
        ingressCidrBlocks: workload.vpcLinkSubnets.cidrBlocks,
        port: PORT,
        image: { context: path.join(__dirname, "app") },
        table: data.tables[SERVICE],
        tableActions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
        discoveryServiceArn: discovery.services[SERVICE].arn,
        logs,
        tags,
    }, { dependsOn: [routing] });

    const users = new ApiUserPool("users", { services: [SERVICE], tags });
    const api = new HttpApi("api", {
        vpcId: workload.vpcId,
        vpcLinkSubnetIds: workload.vpcLinkSubnets.subnetIds,
        serviceCidrBlocks: workload.serviceSubnets.cidrBlocks,
        servicePort: PORT,
        identityHeader: "x-authenticated-sub",
        backends: [{
            service: SERVICE,
            discoveryServiceArn: discovery.services[SERVICE].arn,
            routes: [
                { method: "GET", path: "/orders/{orderId}", write: false },
                { method: "PUT", path: "/orders/{orderId}", write: true },
            ],
        }],
        jwt: { issuer: users.issuer, audiences: users.audiences },
        accessLogs: logs,
        tags,
    });

    return { apiUrl: api.url, userPoolId: users.userPoolId, appClientId: users.appClientId, alerts: inspection.alertsLogGroupName };
};
