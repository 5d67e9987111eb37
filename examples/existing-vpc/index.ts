/**
 * Inspection added to a VPC that already exists and is not managed here: its subnets come as plain ids and CIDRs,
 * one per AZ, as a network team hands them over. Only the security VPC, the GWLB endpoints and their routes are new.
 */
import { InspectedRouting, InspectionVpc, LogEncryptionKey } from "inspected-api";

// The existing VPC, in AZ order: endpoint subnet i, VPC link subnet i and service subnet i share AZ i.
const existing = {
    vpcId: "vpc-0a1b2c3d4e5f60718",
    cidrBlock: "10.40.0.0/16",
    availabilityZoneIds: ["use1-az1", "use1-az2"],
    endpointSubnets: { subnetIds: ["subnet-0e0000000000000a1", "subnet-0e0000000000000a2"], cidrBlocks: ["10.40.200.0/28", "10.40.200.16/28"], routeTableIds: ["rtb-0e00000000000000a1", "rtb-0e00000000000000a2"] },
    frontSubnets: { subnetIds: ["subnet-0f0000000000000b1", "subnet-0f0000000000000b2"], cidrBlocks: ["10.40.100.0/24", "10.40.101.0/24"], routeTableIds: ["rtb-0f00000000000000b1", "rtb-0f00000000000000b2"] },
    appSubnets: { subnetIds: ["subnet-0c0000000000000c1", "subnet-0c0000000000000c2"], cidrBlocks: ["10.40.0.0/20", "10.40.16.0/20"], routeTableIds: ["rtb-0c00000000000000c1", "rtb-0c00000000000000c2"] },
};
const tags = { owner: "network", system: "legacy-orders" };

const logKey = new LogEncryptionKey("logs", { tags });
const inspection = new InspectionVpc("inspection", {
    cidrBlock: "10.41.0.0/22",
    availabilityZoneIds: existing.availabilityZoneIds,
    egress: "nat",
    appliance: {
        instanceType: "c6in.large",
        minPerAz: 1,
        maxPerAz: 3,
        healthCheck: { protocol: "HTTP", port: 8081, path: "/health" },
        homeNetCidrs: [existing.cidrBlock],
    },
    logs: { retentionInDays: 30, kmsKeyArn: logKey.arn },
    tags,
});
const routing = new InspectedRouting("routing", {
    vpcId: existing.vpcId,
    endpointServiceName: inspection.endpointServiceName,
    endpointSubnets: existing.endpointSubnets,
    vpcLinkSubnets: existing.frontSubnets,
    serviceSubnets: existing.appSubnets,
    tags,
});

export const endpointIds = routing.endpointIds;
export const inspectedRoutes = routing.routeCount;
