#!/bin/bash
# inspected-api default appliance: Suricata in IPS mode behind a Gateway Load Balancer, on Ubuntu 24.04 LTS.
# A template: components/inspection/appliance/userData.ts fills every double-braced placeholder at deploy time.
#
# Packet path: GWLB --GENEVE/6081--> this host --DNAT back to the sending GWLB ENI--> FORWARD --NFQUEUE--> Suricata
# --verdict--> MASQUERADE --> GWLB. Without a Suricata verdict nothing is forwarded: the queue has no bypass.
set -euo pipefail
exec > >(tee -a /var/log/inspected-api-boot.log) 2>&1

readonly GENEVE_PORT='{{GENEVE_PORT}}'
readonly HEALTH_PORT='{{HEALTH_PORT}}'
readonly HEALTH_PATH='{{HEALTH_PATH}}'
readonly GWLB_ENI_DESCRIPTION='{{GWLB_ENI_DESCRIPTION}}'
readonly ALERTS_LOG_GROUP='{{ALERTS_LOG_GROUP}}'
readonly HOME_NET='{{HOME_NET}}'
readonly HTTP_PORTS='{{HTTP_PORTS}}'

# First boot races apt's own timers for the dpkg lock, and networks come up late: retry before giving up.
retry() {
    local attempt
    for attempt in 1 2 3 4 5; do
        "$@" && return 0
        echo "attempt ${attempt} of '$*' failed; retrying" >&2
        sleep $((attempt * 10))
    done
    return 1
}

imds() {
    local token
    token=$(curl -sSf -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')
    curl -sSf -H "X-aws-ec2-metadata-token: ${token}" "http://169.254.169.254/latest/meta-data/$1"
}
REGION=$(imds placement/region)
readonly REGION

export DEBIAN_FRONTEND=noninteractive
retry apt-get -o DPkg::Lock::Timeout=300 update -q
retry apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends suricata suricata-update python3-boto3 iptables acl curl ca-certificates

# Read by systemd (EnvironmentFile) and sourced by bash: every value double-quoted.
install -d -m 0755 /etc/inspected-api
cat > /etc/inspected-api/appliance.env <<EOF
GENEVE_PORT="${GENEVE_PORT}"
HEALTH_PORT="${HEALTH_PORT}"
HEALTH_PATH="${HEALTH_PATH}"
GWLB_ENI_DESCRIPTION="${GWLB_ENI_DESCRIPTION}"
HOME_NET="${HOME_NET}"
HTTP_PORTS="${HTTP_PORTS}"
REGION="${REGION}"
SURICATA_QUEUES="$(seq 0 $(($(nproc) - 1)) | sed 's/^/-q /' | tr '\n' ' ' | sed 's/ $//')"
EOF

cat > /etc/sysctl.d/60-inspected-api.conf <<'EOF'
net.ipv4.ip_forward = 1
net.netfilter.nf_conntrack_max = 262144
EOF
modprobe nf_conntrack
sysctl --system >/dev/null

# The hairpin: a GENEVE packet from any GWLB ENI (every AZ's, since cross-zone is on) goes back to that ENI. The ENI
# IPs come from the EC2 API; a timer re-reads them so an AZ added later is served without replacing instances.
cat > /usr/local/sbin/gwlb-hairpin <<'EOF'
#!/bin/bash
set -euo pipefail
# shellcheck source=/dev/null
. "${APPLIANCE_ENV:-/etc/inspected-api/appliance.env}"
# /run is a tmpfs: recreated after every reboot.
state="${HAIRPIN_STATE_DIR:-/run/gwlb-hairpin}"
mkdir -p "${state}"
token=$(curl -sSf -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60')
self=$(curl -sSf -H "X-aws-ec2-metadata-token: ${token}" http://169.254.169.254/latest/meta-data/local-ipv4)
queues=$(($(nproc) - 1))
ips=$(python3 - "${GWLB_ENI_DESCRIPTION}" "${REGION}" <<'PY'
import sys
import boto3
description, region = sys.argv[1], sys.argv[2]
pages = boto3.client("ec2", region_name=region).get_paginator("describe_network_interfaces").paginate(
    Filters=[{"Name": "description", "Values": [description]}])
print("\n".join(sorted({eni["PrivateIpAddress"] for page in pages for eni in page["NetworkInterfaces"]})))
PY
)
if [ -z "${ips}" ]; then
    echo "gwlb-hairpin: no ENI described '${GWLB_ENI_DESCRIPTION}' yet" >&2
    exit 1
fi
# Static rules: forward only what was DNATed here, every such packet through Suricata, nothing else.
iptables -P FORWARD DROP
iptables -C FORWARD -p udp --dport "${GENEVE_PORT}" -m conntrack --ctstate DNAT -j NFQUEUE --queue-balance "0:${queues}" --queue-cpu-fanout 2>/dev/null \
    || iptables -A FORWARD -p udp --dport "${GENEVE_PORT}" -m conntrack --ctstate DNAT -j NFQUEUE --queue-balance "0:${queues}" --queue-cpu-fanout
iptables -t nat -C POSTROUTING -p udp --dport "${GENEVE_PORT}" -m conntrack --ctstate DNAT -j MASQUERADE 2>/dev/null \
    || iptables -t nat -A POSTROUTING -p udp --dport "${GENEVE_PORT}" -m conntrack --ctstate DNAT -j MASQUERADE
iptables -t nat -N GWLB_HAIRPIN 2>/dev/null || true
iptables -t nat -C PREROUTING -p udp --dport "${GENEVE_PORT}" -j GWLB_HAIRPIN 2>/dev/null \
    || iptables -t nat -A PREROUTING -p udp --dport "${GENEVE_PORT}" -j GWLB_HAIRPIN
# Rewritten only when the ENI set changed, so a steady fleet never has a window without the rules.
if [ "${ips}" != "$(cat "${state}/ips" 2>/dev/null || true)" ]; then
    iptables -t nat -F GWLB_HAIRPIN
    for ip in ${ips}; do
        iptables -t nat -A GWLB_HAIRPIN -p udp -s "${ip}" -d "${self}" --dport "${GENEVE_PORT}" -j DNAT --to-destination "${ip}:${GENEVE_PORT}"
    done
    printf '%s\n' "${ips}" > "${state}/ips"
fi
EOF
chmod 0755 /usr/local/sbin/gwlb-hairpin

cat > /etc/systemd/system/gwlb-hairpin.service <<'EOF'
[Unit]
Description=GENEVE hairpin to every Gateway Load Balancer ENI
Wants=network-online.target
After=network-online.target
Before=suricata-ips.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/gwlb-hairpin
Restart=on-failure
RestartSec=10

[Install]
WantedBy=multi-user.target
EOF
cat > /etc/systemd/system/gwlb-hairpin.timer <<'EOF'
[Unit]
Description=Re-read the Gateway Load Balancer ENIs

[Timer]
OnBootSec=1min
OnUnitActiveSec=5min

[Install]
WantedBy=timers.target
EOF

# Suricata inline on NFQUEUE: GENEVE decoded on its port, flows picked up mid-stream (target failover rehashes
# live flows onto this host), and the queue fails closed when full rather than passing packets unseen. The
# inspected clients (VPC link ENIs) live in private space too, so EXTERNAL_NET is "any": with the default
# "!$HOME_NET", inbound-attack rules would never match them.
cat > /etc/systemd/system/suricata-ips.service <<'EOF'
[Unit]
Description=Suricata IPS (NFQUEUE) for the Gateway Load Balancer
Wants=gwlb-hairpin.service
After=gwlb-hairpin.service

[Service]
Type=simple
EnvironmentFile=/etc/inspected-api/appliance.env
ExecStart=/usr/bin/suricata -c /etc/suricata/suricata.yaml --pidfile /run/suricata-ips.pid $SURICATA_QUEUES \
    -S /var/lib/suricata/rules/suricata.rules \
    --set decoder.geneve.enabled=true --set decoder.geneve.ports=${GENEVE_PORT} \
    --set nfq.mode=accept --set nfq.fail-open=no --set stream.midstream=true \
    --set vars.address-groups.HOME_NET=${HOME_NET} --set vars.address-groups.EXTERNAL_NET=any \
    --set vars.port-groups.HTTP_PORTS=${HTTP_PORTS}
ExecReload=/bin/kill -USR2 $MAINPID
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
EOF

# ET Open, plus the categories whose hits are attacks turned from alert into drop, plus a self-test rule.
install -d -m 0755 /etc/suricata/rules
cat > /etc/suricata/drop.conf <<'EOF'
group:emerging-exploit.rules
group:emerging-web_server.rules
group:emerging-web_specific_apps.rules
group:emerging-sql.rules
group:emerging-shellcode.rules
group:emerging-malware.rules
group:emerging-worm.rules
group:emerging-coinminer.rules
re:classtype:trojan-activity
EOF
cat > /etc/suricata/rules/inspected-api.rules <<'EOF'
drop http any any -> any any (msg:"inspected-api IPS self-test"; flow:to_server,established; http.header; content:"X-Inspected-Api-Test|3a 20|drop"; nocase; classtype:policy-violation; sid:9100001; rev:1;)
EOF
cat > /usr/local/sbin/suricata-rules-update <<'EOF'
#!/bin/bash
set -euo pipefail
suricata-update --drop-conf /etc/suricata/drop.conf --local /etc/suricata/rules/inspected-api.rules
EOF
chmod 0755 retry /usr/local/sbin/suricata-rules-update
cat > /etc/systemd/system/suricata-rules-update.service <<'EOF'
[Unit]
Description=Refresh the Suricata rules (ET Open) and reload them without dropping flows

[Service]
Type=oneshot
ExecStart=retry /usr/local/sbin/suricata-rules-update
ExecStartPost=/bin/systemctl reload suricata-ips.service
EOF
cat > /etc/systemd/system/suricata-rules-update.timer <<'EOF'
[Unit]
Description=Daily Suricata rule refresh

[Timer]
OnCalendar=daily
RandomizedDelaySec=1h
Persistent=true

[Install]
WantedBy=timers.target
EOF
retry /usr/local/sbin/suricata-rules-update

# Healthy means the IPS is in the path: Suricata active, bound to every queue, and the hairpin knows an ENI.
cat > /usr/local/sbin/appliance-health <<'EOF'
#!/usr/bin/python3
import http.server
import os
import subprocess

PORT, PATH = int(os.environ["HEALTH_PORT"]), os.environ["HEALTH_PATH"]
QUEUES = set(range(os.cpu_count() or 1))
BOUND_QUEUES = os.environ.get("NFQUEUE_STATE", "/proc/net/netfilter/nfnetlink_queue")
HAIRPIN_IPS = os.environ.get("HAIRPIN_IPS", "/run/gwlb-hairpin/ips")


def healthy():
    if subprocess.run(["systemctl", "is-active", "--quiet", "suricata-ips.service"]).returncode != 0:
        return False
    with open(BOUND_QUEUES) as bound:
        if not QUEUES <= {int(line.split()[0]) for line in bound if line.strip()}:
            return False
    with open(HAIRPIN_IPS) as ips:
        return bool(ips.read().strip())


class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != PATH:
            self.send_error(404)
            return
        try:
            ok = healthy()
        except OSError:
            ok = False
        self.send_response(200 if ok else 503)
        self.end_headers()
        self.wfile.write(b"ok\n" if ok else b"ips not in path\n")

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("", PORT), Health).serve_forever()
EOF
chmod 0755 /usr/local/sbin/appliance-health
cat > /etc/systemd/system/appliance-health.service <<'EOF'
[Unit]
Description=Gateway Load Balancer health check: 200 only while the IPS is in the path
After=suricata-ips.service

[Service]
EnvironmentFile=/etc/inspected-api/appliance.env
ExecStart=/usr/local/sbin/appliance-health
# Root, because the queue bindings in /proc are readable by root alone (0440), but with no capability beyond
# binding a low port: it cannot override file permissions or touch the network stack.
AmbientCapabilities=CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target
EOF

# Alerts (and drops, which Suricata logs as alerts with action "blocked") to CloudWatch Logs, one stream per instance.
arch=$(dpkg --print-architecture)
retry curl -sSfo /tmp/amazon-cloudwatch-agent.deb \
    "https://amazoncloudwatch-agent-${REGION}.s3.${REGION}.amazonaws.com/ubuntu/${arch}/latest/amazon-cloudwatch-agent.deb"
dpkg -i -E /tmp/amazon-cloudwatch-agent.deb
setfacl -m u:cwagent:rx /var/log/suricata
setfacl -d -m u:cwagent:r /var/log/suricata
cat > /opt/aws/amazon-cloudwatch-agent/etc/inspected-api.json <<EOF
{
  "agent": { "run_as_user": "cwagent" },
  "logs": {
    "logs_collected": {
      "files": {
        "collect_list": [
          {
            "file_path": "/var/log/suricata/eve.json",
            "log_group_name": "${ALERTS_LOG_GROUP}",
            "log_stream_name": "{instance_id}",
            "filters": [{ "type": "include", "expression": "\"event_type\":\"alert\"" }]
          }
        ]
      }
    }
  }
}
EOF

systemctl daemon-reload
# The package's own unit sniffs in IDS mode; only the inline one may run.
systemctl disable --now suricata.service
systemctl mask suricata.service
# Enabled first, so a reboot brings everything back; started without waiting, so a hairpin that needs a few
# retries (credentials, the EC2 API) never aborts the boot: its unit restarts it.
systemctl enable gwlb-hairpin.service gwlb-hairpin.timer suricata-ips.service suricata-rules-update.timer appliance-health.service
systemctl start --no-block gwlb-hairpin.service gwlb-hairpin.timer suricata-ips.service suricata-rules-update.timer appliance-health.service
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s \
    -c file:/opt/aws/amazon-cloudwatch-agent/etc/inspected-api.json
echo "inspected-api appliance ready: health on :${HEALTH_PORT}${HEALTH_PATH}"
