#!/bin/sh
# Raise nginx's ceiling of open connections (README, "Deployment", step 5). Debian's nginx.conf
# allows 768 per worker: 2,000 sockets held open by one address were enough to make it refuse
# everyone else. 4096 per worker, with the open-file limit to match (a proxied request holds two).
# Run once as root, then `nginx -t && systemctl reload nginx`. Running it again changes nothing.
set -eu
conf="${1:-/etc/nginx/nginx.conf}"
sed -i -E 's/^([[:space:]]*worker_connections)[[:space:]]+[0-9]+;/\1 4096;/' "$conf"
if ! grep -Eq '^[[:space:]]*worker_rlimit_nofile[[:space:]]' "$conf"; then
    sed -i -E 's/^(worker_processes[^;]*;)/\1\nworker_rlimit_nofile 8192;/' "$conf"
fi
grep -Eq '^[[:space:]]*worker_connections 4096;' "$conf" && grep -Eq '^worker_rlimit_nofile 8192;' "$conf" || {
    echo "$conf: worker_connections or worker_processes not found; set them by hand" >&2
    exit 1
}
