import * as pulumi from "@pulumi/pulumi";
import { ArgRule, oneOfValues } from "../argRules";
import { APPLIANCE_EGRESS, GENEVE_PORT, HEALTH_CHECK_PROTOCOLS } from "./sizing";

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
    healthProtocol: (protocol: string): ArgRule => oneOfValues(protocol, HEALTH_CHECK_PROTOCOLS),
    httpHealthForDefault: (protocol: string, amiId: pulumi.Input<string> | undefined, amiName: string): ArgRule =>
        amiId === undefined && protocol !== "HTTP"
            ? `be HTTP unless ${amiName} is set: the default appliance's health responder speaks HTTP` : undefined,
    natForDefault: (egress: string, amiId: pulumi.Input<string> | undefined, amiName: string): ArgRule =>
        amiId === undefined && egress !== "nat"
            ? `be "nat" unless ${amiName} is set: the default appliance installs Suricata and its rules at boot` : undefined,
};
