"""nginx in front of several app processes (`smarketing app --workers N`): the configuration and the command.

Sticky sessions by cookie: a browser's first request gets a random key (nginx's $request_id) that is hashed
onto a worker and kept in the cookie `smarketing_worker`, so its websocket, uploads and downloads all reach
the process holding its session. ip_hash would send everyone behind one office address to one worker.
"""

from __future__ import annotations

import getpass
import os
import shutil
from pathlib import Path

COOKIE = "smarketing_worker"
DEBIAN_NGINX = "/usr/sbin/nginx"


def find_nginx() -> str:
    """The nginx binary; FileNotFoundError saying how to install it."""
    found = shutil.which("nginx") or (DEBIAN_NGINX if os.access(DEBIAN_NGINX, os.X_OK) else None)
    if not found:
        raise FileNotFoundError("--workers needs nginx: install Debian's nginx (apt-get install nginx; "
                                "./run app --workers N does it for you)")
    return found


def listen_directive(address: str, port: int) -> str:
    if address in ("", "0.0.0.0"):
        return f"listen {port};"
    if ":" in address:  # IPv6
        return f"listen [{address.strip('[]')}]:{port};"
    return f"listen {address}:{port};"


def config(address: str, port: int, upstream_ports: list[int], run_dir: Path, max_body_mb: float) -> str:
    """nginx.conf: listen on address:port, proxy HTTP and websockets to 127.0.0.1:<upstream_ports>."""
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in upstream_ports)
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""  # workers as the launcher's user
    temp = "\n".join(f"    {kind}_temp_path {run_dir / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                             "uwsgi", "scgi"))
    return f"""# Written by `smarketing app --workers {len(upstream_ports)}`, removed when it stops.
{user}daemon off;
worker_processes 1;
pid {run_dir / "nginx.pid"};
error_log stderr warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
{temp}
    client_max_body_size {max(1, int(max_body_mb) + 1)}m;
    map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
    map $cookie_{COOKIE} $sticky_key {{ "" $request_id; default $cookie_{COOKIE}; }}
    map $cookie_{COOKIE} $sticky_cookie {{ "" "{COOKIE}=$request_id; Path=/; HttpOnly; SameSite=Lax"; default ""; }}
    upstream smarketing {{
        hash $sticky_key consistent;
{servers}
    }}
    server {{
        {listen_directive(address, port)}
        location / {{
            proxy_pass http://smarketing;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 1d;
            proxy_send_timeout 1d;
            add_header Set-Cookie $sticky_cookie always;
        }}
    }}
}}
"""


def command(binary: str, run_dir: Path) -> list[str]:
    """Run nginx in the foreground on the configuration in run_dir (-e: no default error log is opened)."""
    return [binary, "-e", "stderr", "-p", str(run_dir), "-c", str(run_dir / "nginx.conf")]
