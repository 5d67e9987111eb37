import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The Debian release the default appliance runs: Suricata 7 and suricata-update are in its main archive, with
 * security support, and the boot test (npm run test:appliance) boots this very release.
 */
export const DEBIAN_RELEASE = "13";

/** The image appliances boot and the device name its root volume must be mapped as. */
export interface ApplianceImage {
    readonly imageId: pulumi.Output<string>;
    readonly rootDeviceName: pulumi.Output<string>;
}

/**
 * A bring-your-own AMI as given, or else Debian's current image of {@link DEBIAN_RELEASE} for the instance type's
 * architecture, resolved through Debian's public SSM parameter at deploy time. A new image behind that parameter changes
 * the launch template, so the next `pulumi up` rolls the fleet onto it through the instance refresh.
 */
export function applianceImage(parent: pulumi.Resource, instanceType: string, amiId?: pulumi.Input<string>): ApplianceImage {
    const opts = { parent };
    const imageId = amiId !== undefined
        ? pulumi.output(amiId)
        : aws.ec2.getInstanceTypeOutput({ instanceType }, opts).supportedArchitectures.apply(archs => {
            const arch = archs.includes("arm64") ? "arm64" : "amd64";
            const name = `/aws/service/debian/release/${DEBIAN_RELEASE}/latest/${arch}`;
            return aws.ssm.getParameterOutput({ name }, opts).value;
        });
    // Vendor images name their root device differently (/dev/xvda, /dev/sda1); the encrypted mapping must match it.
    const image = aws.ec2.getAmiOutput({ filters: [{ name: "image-id", values: [imageId] }], includeDeprecated: true }, opts);
    return { imageId, rootDeviceName: image.rootDeviceName };
}
