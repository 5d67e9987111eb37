/**
 * inspected-api: config → components → stack outputs. Everything that can be wrong before deploying (the stack
 * config, and whether the region has the AZs it asks for) is checked before the first resource registers.
 */
import { loadConfig } from "./components/config";
import { lookupAvailabilityZones } from "./components/config/availabilityZones";
import { InspectedRouting } from "./components/inspection/inspectedRouting";
import { InspectionVpc } from "./components/inspection/inspectionVpc";
import { WorkloadVpc } from "./components/network/workloadVpc";
import { LogEncryptionKey } from "./components/security/logEncryptionKey";

export = async () => {
    const config = loadConfig();
    const zones = await lookupAvailabilityZones(config.availabilityZoneCount);

    const logKey = new LogEncryptionKey("logs");

    const workload = new WorkloadVpc("workload", {
        cidrBlock: config.workloadVpcCidr,
        availabilityZoneIds: zones.zoneIds,
        egress: config.workloadEgress,
        flowLogs: { retentionInDays: config.logRetentionDays, kmsKeyArn: logKey.arn },
    });

    const inspection = new InspectionVpc("inspection", {
        cidrBlock: config.securityVpcCidr,
        availabilityZoneIds: zones.zoneIds,
        egress: config.applianceEgress,
        appliance: {
            instanceType: config.applianceInstanceType,
            minPerAz: config.appliancesPerAz,
            maxPerAz: config.applianceMaxPerAz,
            amiId: config.applianceAmiId,
            userData: config.applianceUserData,
            healthCheck: {
                protocol: config.applianceHealthProtocol,
                port: config.applianceHealthPort,
                path: config.applianceHealthPath,
            },
            homeNetCidrs: [config.workloadVpcCidr],
        },
        logs: { retentionInDays: config.logRetentionDays, kmsKeyArn: logKey.arn },
        alarmActions: config.alarmTopicArn === undefined ? undefined : [config.alarmTopicArn],
    });

    const routing = new InspectedRouting("routing", {
        vpcId: workload.vpcId,
        endpointServiceName: inspection.endpointServiceName,
        endpointSubnets: workload.endpointSubnets,
        vpcLinkSubnets: workload.vpcLinkSubnets,
        serviceSubnets: workload.serviceSubnets,
    });

    return {
        availabilityZones: zones.names,
        availabilityZoneIds: zones.zoneIds,
        workloadVpc: {
            vpcId: workload.vpcId,
            cidrBlock: workload.cidrBlock,
            serviceSubnets: workload.serviceSubnets,
            vpcLinkSubnets: workload.vpcLinkSubnets,
            endpointSubnets: workload.endpointSubnets,
            privateLinkSubnets: workload.privateLinkSubnets,
            publicSubnets: workload.publicSubnets,
        },
        inspection: {
            vpcId: inspection.vpcId,
            cidrBlock: inspection.cidrBlock,
            applianceSubnets: inspection.applianceSubnets,
            endpointServiceName: inspection.endpointServiceName,
            gatewayLoadBalancerArn: inspection.gatewayLoadBalancerArn,
            targetGroupArn: inspection.targetGroupArn,
            autoScalingGroupName: inspection.autoScalingGroupName,
            alertsLogGroupName: inspection.alertsLogGroupName,
            noHealthyApplianceAlarmArn: inspection.noHealthyApplianceAlarmArn,
            gatewayLoadBalancerEndpointIds: routing.endpointIds,
        },
        logKmsKeyArn: logKey.arn,
    };
};
