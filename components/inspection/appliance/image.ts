import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The Ubuntu LTS the default appliance runs; its Suricata 7 and suricata-update come from the archive. */
export const UBUNTU_LTS = "24.04";

/** The image appliances boot and the device name its root volume must be mapped as. */
export interface ApplianceImage {
    readonly imageId: pulumi.Output<string>;
    readonly rootDeviceName: pulumi.Output<string>;
}

/**
 * A bring-your-own AMI as given, or else the current Ubuntu LTS for the instance type's architecture, resolved through
 * Canonical's public SSM parameter at deploy time. A new Ubuntu release of that parameter changes the launch template,
 * so the next `pulumi up` rolls the fleet onto it through the instance refresh.
 */
export function applianceImage(parent: pulumi.Resource, instanceType: string, amiId?: string): ApplianceImage {
    const opts = { parent };
    const imageId = amiId !== undefined
        ? pulumi.output(amiId)
        : aws.ec2.getInstanceTypeOutput({ instanceType }, opts).supportedArchitectures.apply(archs => {
            const arch = archs.includes("arm64") ? "arm64" : "amd64";
            const name = `/aws/service/canonical/ubuntu/server/${UBUNTU_LTS}/stable/current/${arch}/hvm/ebs-gp3/ami-id`;
            return aws.ssm.getParameterOutput({ name }, opts).value;
        });
    // Vendor images name their root device differently (/dev/xvda, /dev/sda1); the encrypted mapping must match it.
    const image = aws.ec2.getAmiOutput({ filters: [{ name: "image-id", values: [imageId] }], includeDeprecated: true }, opts);
    return { imageId, rootDeviceName: image.rootDeviceName };
}
