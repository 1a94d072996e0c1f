"""The files a server needs, shipped with the package and printed by ``desmigratif
deploy``: the nginx site, the systemd units and the settings file (see the README's
"Deploying" section). Placeholders are ``{{name}}``; nginx's own ``$variables`` are left
alone, which is why this is not :class:`string.Template`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

# What ``desmigratif deploy NAME`` prints: the files, in order.
FILES: dict[str, tuple[str, ...]] = {
    "nginx": ("nginx-site.conf",),
    "service": ("desmigratif@.service",),
    "backup": ("desmigratif-backup.service", "desmigratif-backup.timer"),
    "env": ("desmigratif.env",),
}


@dataclass(frozen=True)
class Site:
    """The values the files are filled with."""

    domain: str = "bot.example.org"
    path: str = "/telegram"
    ports: tuple[int, ...] = (8081, 8082)
    https_port: int = 443
    certificate: str | None = None  # default: Let's Encrypt's path for the domain
    key: str | None = None

    def values(self) -> dict[str, str]:
        live = f"/etc/letsencrypt/live/{self.domain}"
        return {
            "domain": self.domain,
            "path": self.path,
            "https_port": str(self.https_port),
            "servers": "\n".join(f"    server 127.0.0.1:{port};" for port in self.ports),
            "certificate": self.certificate or f"{live}/fullchain.pem",
            "key": self.key or f"{live}/privkey.pem",
        }


def render(name: str, site: Site | None = None) -> str:
    """The file ``name`` of this package, filled in."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    values = (site or Site()).values()

    def fill(match: re.Match[str]) -> str:
        return values[match.group(1)]

    return re.sub(r"\{\{(\w+)\}\}", fill, text)


def printed(what: str, site: Site | None = None) -> str:
    """What ``desmigratif deploy WHAT`` prints (several files one after the other)."""
    return "\n".join(render(name, site) for name in FILES[what])
