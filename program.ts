/**
 * The whole system from one validated config, the chosen AZs and the service catalog: components wired together, and
 * the stack outputs. `stack.ts` runs it for a stack; tests and benches call it at any size through this function.
 */
import * as path from "path";
import { ServiceCatalog, serviceRoutes } from "./components/api/catalog";
import { HttpApi } from "./components/api/httpApi";
import { ServiceDiscovery } from "./components/api/serviceDiscovery";
import { ApiUserPool, COGNITO_USER_SCOPE, writeScope } from "./components/auth/userPool";
import { FargateService } from "./components/compute/fargateService";
import { ServiceCluster } from "./components/compute/serviceCluster";
import { ServiceData, TABLE_DATA_ACTIONS } from "./components/data/serviceData";
import { StackConfig } from "./components/config";
import { AvailabilityZones } from "./components/config/availabilityZones";
import { InspectedRouting } from "./components/inspection/inspectedRouting";
import { inspectionOutputs, inspectionServiceOf, sharedInspection } from "./inspection";
import { WorkloadVpc } from "./components/network/workloadVpc";
import { LogEncryptionKey } from "./components/security/logEncryptionKey";

export function inspectedApi(config: StackConfig, zones: AvailabilityZones, catalog: ServiceCatalog) {
    const { services } = catalog;
    const logKey = new LogEncryptionKey("logs");
    if (config.stackRole === "inspection") {
        return inspectionOutputs(sharedInspection(config, zones, logKey), zones, logKey);
    }

    const data = new ServiceData("data", {
        tables: services.map(s => ({ service: s.name, hashKey: s.idParam })),
        protectData: config.protectData,
    });

    const workload = new WorkloadVpc("workload", {
        cidrBlock: config.workloadVpcCidr,
        availabilityZoneIds: [...zones.zoneIds],
        egress: config.workloadEgress,
        dynamoDbEndpointPolicy: data.endpointPolicy,
        flowLogs: { retentionInDays: config.logRetentionDays, kmsKeyArn: logKey.arn },
    });

    const inspection = config.stackRole === "all" ? sharedInspection(config, zones, logKey) : undefined;
    const endpointServiceName = inspection?.endpointServiceName ?? inspectionServiceOf(config);

    const routing = new InspectedRouting("routing", {
        vpcId: workload.vpcId,
        endpointServiceName,
        endpointSubnets: workload.endpointSubnets,
        vpcLinkSubnets: workload.vpcLinkSubnets,
        serviceSubnets: workload.serviceSubnets,
    });

    const discovery = new ServiceDiscovery("discovery", {
        vpcId: workload.vpcId,
        namespace: "inspected-api.internal",
        description: "Tasks of the inspected API's services",
        services: services.map(s => s.name),
    });

    const cluster = new ServiceCluster("services");
    const compute = services.map(s => new FargateService(s.name, {
        clusterArn: cluster.clusterArn,
        clusterName: cluster.clusterName,
        vpcId: workload.vpcId,
        subnetIds: workload.serviceSubnets.subnetIds,
        ingressCidrBlocks: workload.vpcLinkSubnets.cidrBlocks,
        port: config.servicePort,
        image: { context: path.join(__dirname, "services"), buildArgs: { SERVICE: s.name } },
        cpu: config.serviceCpu,
        memory: config.serviceMemory,
        desiredCount: config.serviceDesiredCount,
        maxCount: config.serviceMaxCount,
        table: data.tables[s.name],
        tableActions: [...TABLE_DATA_ACTIONS],
        discoveryServiceArn: discovery.services[s.name].arn,
        logs: { retentionInDays: config.logRetentionDays, kmsKeyArn: logKey.arn },
    }, { dependsOn: [routing] }));

    const users = new ApiUserPool("users", {
        mfa: config.userPoolMfa,
        signUp: config.userSignUp,
        protectData: config.protectData,
        services: services.map(s => s.name),
        machineClient: config.machineClient,
        allowPasswordAuth: config.allowPasswordAuth,
    });

    const api = new HttpApi("api", {
        vpcId: workload.vpcId,
        vpcLinkSubnetIds: workload.vpcLinkSubnets.subnetIds.filter((_, az) => zones.vpcLinkSupported[az]),
        serviceCidrBlocks: workload.serviceSubnets.cidrBlocks,
        servicePort: config.servicePort,
        identityHeader: catalog.identityHeader,
        backends: services.map(s => ({
            service: s.name,
            routes: serviceRoutes(s),
            discoveryServiceArn: discovery.services[s.name].arn,
            // A machine token must carry this service's write scope; a person's access token carries the sign-in scope.
            writeScopes: config.machineClient ? [writeScope(s.name), COGNITO_USER_SCOPE] : undefined,
        })),
        jwt: { issuer: users.issuer, audiences: users.audiences },
        throttle: { burstLimit: config.apiThrottleBurst, rateLimit: config.apiThrottleRate },
        corsAllowOrigins: [...config.corsAllowOrigins],
        accessLogs: { retentionInDays: config.logRetentionDays, kmsKeyArn: logKey.arn },
    });

    return {
        apiUrl: api.url,
        userPoolId: users.userPoolId,
        appClientId: users.appClientId,
        // Only with a machine client: an undefined output is a warning under `pulumi up`.
        ...(config.machineClient ? { machineClientId: users.machineClientId, tokenEndpoint: users.tokenEndpoint } : {}),
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
        inspection: inspection === undefined
            ? { endpointServiceName, gatewayLoadBalancerEndpointIds: routing.endpointIds }
            : {
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
        services: Object.fromEntries(services.map((s, i) => [s.name, {
            ecsService: compute[i].serviceName,
            repositoryUrl: compute[i].repositoryUrl,
            tableName: data.tables[s.name].tableName,
        }])),
        backupVaultName: data.backupVaultName,
        logKmsKeyArn: logKey.arn,
    };
}
