/**
 * `npm run bench:appliance`: what inline inspection costs. Boots the default appliance (the appliance lab of
 * npm run test:appliance) and sends benign GENEVE traffic through it from the namespace that plays the GWLB, two ways
 * in one run, alternating: through Suricata (the appliance as it boots), and plain forwarding in the same container
 * (one iptables rule ahead of the NFQUEUE rule accepts the same packets uninspected). Closed loop: a fixed number of
 * packets in flight, each sent when one comes back, so the rate is what the path sustains without loss.
 * Prints packets/s, Mbit/s and round-trip latency (p50, p99) of each, and their ratios.
 */
import { ApplianceLab, LAB, labUserData } from "../appliance/lab";
import { priceTable } from "../plan/pricing";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SIZE = Number(process.env.BENCH_PAYLOAD ?? 512);
/** The instance the README sizes against: the default applianceInstanceType, 2 vCPUs like this machine. */
const INSTANCE = "t3.medium";

interface Run { sent: number; returned: number; lost: number; seconds: number; pps: number; mbps: number; p50_us: number; p99_us: number }

function load(lab: ApplianceLab, window: number, seconds: number): Promise<Run> {
    return new Promise((resolve, reject) => {
        const driver = lab.geneve("bench", ["--window", String(window), "--seconds", String(seconds), "--size", String(SIZE)]);
        let out = "";
        let err = "";
        driver.stdout!.on("data", chunk => { out += String(chunk); });
        driver.stderr!.on("data", chunk => { err += String(chunk); });
        driver.on("exit", code => code === 0 ? resolve(JSON.parse(out) as Run) : reject(new Error(`geneve.py bench exited ${code}: ${err}`)));
    });
}

const PLAIN = ["FORWARD", "1", "-p", "udp", "--dport", "6081", "-m", "conntrack", "--ctstate", "DNAT", "-j", "ACCEPT"];

async function main(): Promise<void> {
    const lab = await ApplianceLab.boot(labUserData());
    try {
        const suricata = lab.exec(["suricata", "-V"]).stdout.trim();
        const runs: Record<"inline" | "plain", { rate: Run[]; latency: Run[] }> = { inline: { rate: [], latency: [] }, plain: { rate: [], latency: [] } };
        await load(lab, WINDOW, 2);
        for (let round = 0; round < ROUNDS; round++) {
            for (const mode of ["inline", "plain"] as const) {
                if (mode === "plain") {
                    lab.exec(["iptables", "-I", ...PLAIN]);
                }
                runs[mode].rate.push(await load(lab, WINDOW, SECONDS));
                runs[mode].latency.push(await load(lab, 1, SECONDS / 2));
                if (mode === "plain") {
                    lab.exec(["iptables", "-D", ...PLAIN.filter(a => a !== "1")]);
                }
            }
        }
        const sum = (rs: Run[], f: (r: Run) => number) => rs.reduce((a, r) => a + f(r), 0);
        const rate = (rs: Run[]) => sum(rs, r => r.returned) / sum(rs, r => r.seconds);
        const mbps = (rs: Run[]) => sum(rs, r => r.mbps * r.seconds) / sum(rs, r => r.seconds);
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
        const row = (label: string, mode: "inline" | "plain") => {
            const r = runs[mode];
            return `${label.padEnd(28)}${rate(r.rate).toFixed(0).padStart(9)} pkt/s ${mbps(r.rate).toFixed(1).padStart(8)} Mbit/s   `
                + `p50 ${median(r.latency.map(x => x.p50_us)).toFixed(0).padStart(5)} µs  p99 ${median(r.latency.map(x => x.p99_us)).toFixed(0).padStart(6)} µs   `
                + `lost ${sum(r.rate, x => x.lost) + sum(r.latency, x => x.lost)} of ${sum(r.rate, x => x.sent) + sum(r.latency, x => x.sent)}`;
        };
        const ratio = rate(runs.inline.rate) / rate(runs.plain.rate);
        const added = (q: "p50_us" | "p99_us") => median(runs.inline.latency.map(x => x[q])) - median(runs.plain.latency.map(x => x[q]));
        console.log(`${suricata}, ${ROUNDS} rounds × ${SECONDS} s each way, ${WINDOW} packets in flight, ${SIZE}-byte inner UDP payload over 64 flows`);
        console.log(row("inline (Suricata, NFQUEUE)", "inline"));
        console.log(row("plain forwarding", "plain"));
        console.log(`ratio inline/plain           ${ratio.toFixed(2)}× packets/s (goal ≥ 0.6×)   added latency p50 ${added("p50_us").toFixed(0)} µs, p99 ${added("p99_us").toFixed(0)} µs`);
        const price = priceTable().find(LAB.region, `ec2:${INSTANCE}`);
        const gbPerHour = mbps(runs.inline.rate) * 3600 / 8 / 1000;
        if (price) {
            console.log(`sizing: ${INSTANCE} (2 vCPUs, $${price.usd}/h in ${LAB.region}) at this rate inspects ${gbPerHour.toFixed(1)} GB/h: `
                + `$${(price.usd / gbPerHour).toFixed(4)} per GB of instance time at full load (this machine's 2 cores also ran the sender)`);
        }
    } finally {
        await lab.stop();
    }
}

main().catch(e => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
});
