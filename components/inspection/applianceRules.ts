import * as pulumi from "@pulumi/pulumi";
import { ArgRule, oneOfValues } from "../argRules";
import { parseCidr } from "../network/cidr";
import { usableAddresses } from "../network/subnetPlan";
import { APPLIANCE_EGRESS, applianceSubnetDemand, GENEVE_PORT, HEALTH_CHECK_PROTOCOLS } from "./sizing";

/**
 * The rules of an appliance fleet's settings, written once: InspectionVpc and ApplianceFleet check their args with
 * them, and the stack config checks its keys with them. The default appliance (no AMI given) renders its own boot
 * script, answers health checks over HTTP only while Suricata runs, and installs Suricata and its rules at boot.
 */
export const applianceRules = {
    minWithinMax: (min: number, max: number, maxName: string): ArgRule =>
        min > max ? `be at most ${maxName} (${max})` : undefined,
    healthPortNotGeneve: (port: number): ArgRule =>
        port === GENEVE_PORT ? `not be ${GENEVE_PORT}, the port GENEVE data arrives on` : undefined,
    userDataOnlyWithAmi: (userData: string | undefined, amiId: pulumi.Input<string> | undefined, amiName: string): ArgRule =>
        userData !== undefined && amiId === undefined ? `be empty unless ${amiName} is set: the default appliance renders its own` : undefined,
    egress: (egress: string): ArgRule => oneOfValues(egress, APPLIANCE_EGRESS),
    /** An instance refresh launches each replacement before its predecessor leaves: every appliance needs two addresses. */
    fitsApplianceSubnet: (maxPerAz: number, egress: string, applianceSubnet: string, vpcCidr: string): ArgRule => {
        const prefix = parseCidr(applianceSubnet).prefix;
        const needed = applianceSubnetDemand(maxPerAz, egress);
        return usableAddresses(prefix) < needed
            ? `fit an appliance subnet of ${vpcCidr} (/${prefix}, ${usableAddresses(prefix)} usable addresses; ` +
                `${maxPerAz} appliances need ${needed} with an instance refresh's replacements, the GWLB's ENI` +
                `${egress === "endpoints" ? " and the interface endpoints" : ""})`
            : undefined;
    },
    healthProtocol: (protocol: string): ArgRule => oneOfValues(protocol, HEALTH_CHECK_PROTOCOLS),
    httpHealthForDefault: (protocol: string, amiId: pulumi.Input<string> | undefined, amiName: string): ArgRule =>
        amiId === undefined && protocol !== "HTTP"
            ? `be HTTP unless ${amiName} is set: the default appliance's health responder speaks HTTP` : undefined,
    natForDefault: (egress: string, amiId: pulumi.Input<string> | undefined, amiName: string): ArgRule =>
        amiId === undefined && egress !== "nat"
            ? `be "nat" unless ${amiName} is set: the default appliance installs Suricata and its rules at boot` : undefined,
};
