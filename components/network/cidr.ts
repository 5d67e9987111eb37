/**
 * IPv4 CIDR arithmetic on unsigned 32-bit integers. Pure and dependency-free so the config validator, the
 * subnet planner and (later) the route simulator all agree on what a CIDR means.
 */

/** A parsed IPv4 CIDR block. `base` is the network address as an unsigned 32-bit integer. */
export interface Cidr {
    readonly base: number;
    readonly prefix: number;
}

/** Thrown for text that is not a canonical IPv4 CIDR; `reason` says which part is wrong. */
export class CidrError extends Error {
    constructor(readonly input: string, readonly reason: string) {
        super(`"${input}" is not a valid IPv4 CIDR: ${reason}`);
        this.name = "CidrError";
    }
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`. Host bits must be zero: AWS would otherwise silently use a different block. */
export function parseCidr(text: string): Cidr {
    const match = CIDR_PATTERN.exec(text);
    if (!match) {
        throw new CidrError(text, "expected the form a.b.c.d/n");
    }
    const octets = match.slice(1, 5).map(Number);
    if (octets.some(o => o > 255) || match.slice(1, 5).some(o => o.length > 1 && o.startsWith("0"))) {
        throw new CidrError(text, "each octet must be a decimal number from 0 to 255 without leading zeros");
    }
    const prefix = Number(match[5]);
    if (prefix > 32) {
        throw new CidrError(text, "the prefix length must be from 0 to 32");
    }
    const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    const network = (base & mask(prefix)) >>> 0;
    if (network !== base) {
        throw new CidrError(text, `host bits are set; the network address is ${formatCidr({ base: network, prefix })}`);
    }
    return { base, prefix };
}

export function formatCidr(cidr: Cidr): string {
    return `${formatAddress(cidr.base)}/${cidr.prefix}`;
}

export function formatAddress(address: number): string {
    return [24, 16, 8, 0].map(shift => (address >>> shift) & 255).join(".");
}

/** The netmask of a prefix length as an unsigned 32-bit integer. */
export function mask(prefix: number): number {
    return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Number of addresses in the block. */
export function size(cidr: Cidr): number {
    return 2 ** (32 - cidr.prefix);
}

/** True when `inner` lies wholly inside `outer` (a block contains itself). */
export function contains(outer: Cidr, inner: Cidr): boolean {
    return inner.prefix >= outer.prefix && ((inner.base & mask(outer.prefix)) >>> 0) === outer.base;
}

/** True when the two blocks share at least one address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
    return contains(a, b) || contains(b, a);
}

/**
 * The `index`-th block of length `prefix` inside `parent`. Throws when it does not fit, so a planner can never
 * hand out an address outside its parent.
 */
export function subdivide(parent: Cidr, prefix: number, index: number): Cidr {
    if (prefix < parent.prefix || prefix > 32) {
        throw new RangeError(`cannot cut a /${prefix} out of ${formatCidr(parent)}`);
    }
    const count = 2 ** (prefix - parent.prefix);
    if (!Number.isInteger(index) || index < 0 || index >= count) {
        throw new RangeError(`${formatCidr(parent)} holds ${count} blocks of /${prefix}; index ${index} is outside`);
    }
    return { base: parent.base + index * 2 ** (32 - prefix), prefix };
}
