import * as pulumi from "@pulumi/pulumi";

/** Tags as a consumer passes them: known now or once another resource exists. */
export type Tags = pulumi.Input<Record<string, pulumi.Input<string>>>;

/** What every component's args share. */
export interface TaggedArgs {
    /**
     * Tags for every resource the component creates that can carry tags, nested components' included. A resource's
     * own tags (such as its `Name`) win over these. Default: none.
     */
    readonly tags?: Tags;
}

const AUTO_SCALING_GROUP = "aws:autoscaling/group:Group";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

type TagSpecification = { resourceType: string; tags?: Record<string, string> };

/**
 * The component's options, extended so that `tags` reach every descendant that already carries tags. Written as a
 * transformation rather than at each child so that a child added later cannot be missed; a child that can carry tags
 * is given some of its own (a `Name`), which the test of every component checks against the AWS provider's types.
 */
export function tagChildren(opts: pulumi.ComponentResourceOptions | undefined, tags: Tags | undefined): pulumi.ComponentResourceOptions | undefined {
    if (tags === undefined) {
        return opts;
    }
    const transformation: pulumi.ResourceTransformation = ({ type, props, opts: childOpts }) => {
        if (props.tags === undefined) {
            return undefined;
        }
        const merged = type === AUTO_SCALING_GROUP
            // An Auto Scaling group takes a list, and passes each tag on to the instances it launches.
            ? pulumi.all([tags, props.tags]).apply(([outer, own]: [Record<string, string>, { key: string }[]]) => [
                ...Object.entries(outer).filter(([key]) => !own.some(t => t.key === key)).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
                ...own,
            ])
            : pulumi.all([tags, props.tags]).apply(([outer, own]: [Record<string, string>, Record<string, string>]) => ({ ...outer, ...own }));
        // What a launch template launches (instances, volumes, interfaces) is tagged through its specifications. A
        // change there is a new template version, which an Auto Scaling group rolls out to every instance.
        const specifications = type === LAUNCH_TEMPLATE && props.tagSpecifications !== undefined
            ? { tagSpecifications: pulumi.all([tags, props.tagSpecifications]).apply(([outer, specs]: [Record<string, string>, TagSpecification[]]) =>
                specs.map(spec => ({ ...spec, tags: { ...outer, ...spec.tags } }))) }
            : {};
        return { props: { ...props, tags: merged, ...specifications }, opts: childOpts };
    };
    return { ...opts, transformations: [...(opts?.transformations ?? []), transformation] };
}
