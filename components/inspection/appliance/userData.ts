import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";

/** What the default appliance's boot script needs to know about its place in the fleet. */
export interface SuricataApplianceSettings {
    /** UDP port GENEVE arrives on (6081). */
    readonly genevePort: number;
    /** TCP port of the health responder the target group checks. */
    readonly healthPort: number;
    /** HTTP path of the health responder. */
    readonly healthPath: string;
    /** Description EC2 gives the Gateway Load Balancer's ENIs: `ELB gwy/<name>/<id>`. */
    readonly gwlbEniDescription: string;
    /** CloudWatch log group that receives Suricata's alerts. */
    readonly alertsLogGroup: string;
    /** The networks the IPS protects (Suricata's HOME_NET): where the inspected services live. */
    readonly homeNet: readonly string[];
    /** Ports the protected services speak HTTP on (Suricata's HTTP_PORTS, which many ET rules match on). */
    readonly httpPorts: readonly number[];
    /**
     * Rule archives suricata-update fetches (`--url`, any scheme it reads: https, file). Default: none, which means
     * ET Open, suricata-update's own default source.
     */
    readonly ruleUrls?: readonly string[];
}

const SURICATA_TEMPLATE = path.join(__dirname, "suricata-ips.sh");

/** EC2 refuses user data over 16 KB before base64 encoding: that is, the gzipped script. */
export const USER_DATA_LIMIT_BYTES = 16 * 1024;

/** Values land inside single quotes, heredocs and unit files: nothing that could end a quote or start an expansion. */
const SAFE_VALUE = /^[A-Za-z0-9 ._/:@+=,[\]-]*$/;

const PLACEHOLDERS: Record<string, (s: SuricataApplianceSettings) => string | number> = {
    GENEVE_PORT: s => s.genevePort,
    HEALTH_PORT: s => s.healthPort,
    HEALTH_PATH: s => s.healthPath,
    GWLB_ENI_DESCRIPTION: s => s.gwlbEniDescription,
    ALERTS_LOG_GROUP: s => s.alertsLogGroup,
    HOME_NET: s => `[${s.homeNet.join(",")}]`,
    HTTP_PORTS: s => `[${s.httpPorts.join(",")}]`,
    RULE_URLS: s => (s.ruleUrls ?? []).join(" "),
};

/** The default appliance's boot script: the template beside this file with every placeholder filled. */
export function renderSuricataUserData(settings: SuricataApplianceSettings, template = fs.readFileSync(SURICATA_TEMPLATE, "utf8")): string {
    return template.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
        const value = PLACEHOLDERS[name];
        if (!value) {
            throw new Error(`the appliance template uses {{${name}}}, which renderSuricataUserData does not know`);
        }
        const text = String(value(settings));
        if (!SAFE_VALUE.test(text)) {
            throw new Error(`appliance setting ${name} = ${JSON.stringify(text)} may only hold letters, digits, spaces and . _ / : @ + = , [ ] -`);
        }
        return text;
    });
}

/**
 * The user data EC2 is given: the rendered script, gzipped (cloud-init recognises gzip and unpacks it), within EC2's
 * limit. The gzip header carries no time stamp, so the same script always gives the same bytes and launch template.
 */
export function suricataUserData(settings: SuricataApplianceSettings, template?: string): Buffer {
    const gzipped = zlib.gzipSync(renderSuricataUserData(settings, template), { level: 9 });
    if (gzipped.length > USER_DATA_LIMIT_BYTES) {
        throw new Error(`the gzipped appliance user data is ${gzipped.length} bytes; EC2 accepts at most ${USER_DATA_LIMIT_BYTES}`);
    }
    return gzipped;
}
