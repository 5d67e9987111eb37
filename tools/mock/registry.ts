/** One resource the program registered, as the engine would have received it. */
export interface Registration {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** True for provider-managed resources, false for components. */
    readonly custom: boolean;
    /** URN of the parent, undefined for top-level resources. */
    readonly parent?: string;
    /** URNs the resource depends on (explicit `dependsOn` and those implied by its inputs). */
    readonly dependencies: readonly string[];
    /** Explicit `dependsOn` only, apart from dependencies implied by inputs. */
    readonly explicitDependencies: readonly string[];
    /** Inputs with every Output resolved. */
    readonly inputs: Record<string, any>;
    /** Inputs plus the outputs the mocks computed. */
    readonly state: Record<string, any>;
    readonly id?: string;
    /** `retainOnDelete`: `pulumi destroy` forgets the resource instead of deleting it. */
    readonly retainOnDelete: boolean;
}

/** Every registration of one program run, in registration order, with the queries tests and the plan need. */
export class ResourceRegistry {
    private readonly byUrn = new Map<string, Registration>();

    constructor(readonly all: readonly Registration[]) {
        for (const r of all) {
            this.byUrn.set(r.urn, r);
        }
    }

    get size(): number {
        return this.all.length;
    }

    ofType(type: string): Registration[] {
        return this.all.filter(r => r.type === type);
    }

    /** The one resource of `type` named `name`; throws when there is none or more than one. */
    get(type: string, name: string): Registration {
        const found = this.all.filter(r => r.type === type && r.name === name);
        if (found.length !== 1) {
            const names = this.ofType(type).map(r => r.name).join(", ") || "none";
            throw new Error(`expected one ${type} named ${name}, found ${found.length} (registered: ${names})`);
        }
        return found[0];
    }

    find(type: string, name: string): Registration | undefined {
        return this.all.find(r => r.type === type && r.name === name);
    }

    /** The resource whose `id` is `id`, e.g. the route table a route names. */
    byId(id: string): Registration | undefined {
        return this.all.find(r => r.id === id);
    }

    children(parent: Registration): Registration[] {
        return this.all.filter(r => r.parent === parent.urn);
    }

    /** Every resource below `ancestor` in the component tree. */
    descendants(ancestor: Registration): Registration[] {
        const below = this.children(ancestor);
        return below.concat(...below.map(child => this.descendants(child)));
    }

    /** A registry of only these components and everything below them: one component's view of a whole program. */
    within(...roots: Registration[]): ResourceRegistry {
        const keep = new Set(roots.flatMap(root => [root, ...this.descendants(root)]));
        return new ResourceRegistry(this.all.filter(r => keep.has(r)));
    }

    parentOf(r: Registration): Registration | undefined {
        return r.parent ? this.byUrn.get(r.parent) : undefined;
    }

    /** Count of resources per type, largest first. */
    countByType(): [string, number][] {
        const counts = new Map<string, number>();
        for (const r of this.all) {
            counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
        }
        return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    }
}
