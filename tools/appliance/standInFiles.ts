/** Files the lab makes for its stand-ins: a test CA and certificate for AWS's host names, and agent packages. */
import * as fs from "fs";
import * as path from "path";
import { run } from "./run";

/** A CA the appliance root is made to trust, and a certificate it signs for `hosts`. */
export function standInCertificate(dir: string, hosts: readonly string[]): { ca: string; certificate: string; key: string } {
    fs.mkdirSync(dir);
    const f = (name: string) => path.join(dir, name);
    run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=appliance lab stand-in CA",
        "-keyout", f("ca.key"), "-out", f("ca.crt")]);
    run("openssl", ["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${hosts[0]}`, "-keyout", f("aws.key"), "-out", f("aws.csr")]);
    fs.writeFileSync(f("san.ext"), `subjectAltName=${hosts.map(h => `DNS:${h}`).join(",")}\n`);
    run("openssl", ["x509", "-req", "-in", f("aws.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial", "-days", "2",
        "-extfile", f("san.ext"), "-out", f("aws.crt")]);
    return { ca: f("ca.crt"), certificate: f("aws.crt"), key: f("aws.key") };
}

/**
 * A stand-in for one of AWS's agent packages: the same name, the paths the user data uses, a unit that stays up,
 * and, for the CloudWatch agent, its `cwagent` user and a ctl that checks the config it is given is JSON.
 */
export function standInAgent(dir: string, name: "amazon-ssm-agent" | "amazon-cloudwatch-agent"): string {
    const pkg = path.join(dir, name);
    const file = (p: string, body: string, mode = 0o644) => {
        fs.mkdirSync(path.dirname(path.join(pkg, p)), { recursive: true });
        fs.writeFileSync(path.join(pkg, p), body, { mode });
    };
    const note = "# Stand-in for AWS's agent, which cannot be downloaded on the boot test's machine.\n";
    file("DEBIAN/control", `Package: ${name}\nVersion: 0.0.0-stand-in\nArchitecture: amd64\nMaintainer: inspected-api boot test\nDescription: stand-in for ${name}\n`);
    file(`usr/bin/${name}`, `#!/bin/sh\n${note}exec sleep infinity\n`, 0o755);
    file(`usr/lib/systemd/system/${name}.service`, `[Unit]\nDescription=stand-in ${name}\n[Service]\nExecStart=/usr/bin/${name}\n[Install]\nWantedBy=multi-user.target\n`);
    if (name === "amazon-cloudwatch-agent") {
        file("DEBIAN/postinst", "#!/bin/sh\nset -e\ngetent passwd cwagent >/dev/null || useradd --system --no-create-home cwagent\n", 0o755);
        file("opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl", `#!/bin/sh\n${note}set -e\n`
            + "config=$(echo \"$*\" | sed -n 's/.*-c file:\\([^ ]*\\).*/\\1/p')\n"
            + "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' \"$config\"\n"
            + "echo \"$*\" >> /var/log/amazon-cloudwatch-agent-ctl.calls\nsystemctl start amazon-cloudwatch-agent.service\n", 0o755);
        file("opt/aws/amazon-cloudwatch-agent/etc/.keep", "");
    }
    run("dpkg-deb", ["--root-owner-group", "--build", pkg, `${pkg}.deb`]);
    return `${pkg}.deb`;
}
