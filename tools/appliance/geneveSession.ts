import { ChildProcess } from "child_process";
import * as readline from "readline";
import { ApplianceLab } from "./lab";

/** One inner packet sent through the appliance: whether it came back to the GWLB, and byte for byte. */
export interface Roundtrip { returned: boolean; identical: boolean; from?: string }

/** An inner TCP flow, client and service both played by tools/appliance/geneve.py in the GWLB's namespace. */
export interface InnerFlow { client: string; server: string; sport: number; dport: number }

/** Drives geneve.py's session mode: one JSON command a line, one JSON answer a line. */
export class GeneveSession {
    private readonly driver: ChildProcess;
    private readonly answers: string[] = [];
    private waiting?: (line: string) => void;
    private stderr = "";

    constructor(lab: ApplianceLab) {
        this.driver = lab.geneve("session");
        readline.createInterface({ input: this.driver.stdout! }).on("line", line => {
            if (this.waiting) {
                const resolve = this.waiting;
                this.waiting = undefined;
                resolve(line);
            } else {
                this.answers.push(line);
            }
        });
        this.driver.stderr!.on("data", chunk => { this.stderr += String(chunk); });
    }

    private call(command: object): Promise<Roundtrip[]> {
        this.driver.stdin!.write(`${JSON.stringify(command)}\n`);
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`geneve.py gave no answer to ${JSON.stringify(command)}: ${this.stderr}`)), 30_000);
            const take = (line: string) => { clearTimeout(timer); resolve(JSON.parse(line) as Roundtrip[]); };
            const queued = this.answers.shift();
            if (queued !== undefined) {
                take(queued);
            } else {
                this.waiting = take;
            }
        });
    }

    async open(name: string, flow: InnerFlow): Promise<void> {
        await this.call({ op: "open", flow: name, ...flow });
    }

    /** SYN, SYN-ACK, ACK. */
    handshake(name: string): Promise<Roundtrip[]> {
        return this.call({ op: "handshake", flow: name });
    }

    /** An HTTP GET from the client, with extra header lines. */
    request(name: string, path: string, headers: readonly string[] = []): Promise<Roundtrip[]> {
        return this.call({ op: "request", flow: name, path, headers });
    }

    /** The service's 200 answer, and the client's ACK of it. */
    response(name: string): Promise<Roundtrip[]> {
        return this.call({ op: "response", flow: name });
    }

    close(): void {
        this.driver.stdin!.end();
        this.driver.kill();
    }
}
