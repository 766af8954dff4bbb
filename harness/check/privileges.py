"""Who runs meta-data unprivileged (hacluster, else nobody), and whether that user can reach the agent."""

from __future__ import annotations

import os
import pwd
import stat
from typing import Optional

UNPRIVILEGED_USERS = ("hacluster", "nobody")  # the controller's user first


def unprivileged_user() -> Optional[str]:
    """A user to run meta-data as when we are root; None when we are not root (we already are one)."""
    if os.geteuid() != 0:
        return None
    for name in UNPRIVILEGED_USERS:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    return None


def _allowed(path: str, uid: int, groups: set, bits: tuple) -> bool:
    info = os.stat(path)
    if info.st_uid == uid:
        mask = bits[0]
    elif info.st_gid in groups:
        mask = bits[1]
    else:
        mask = bits[2]
    return bool(info.st_mode & mask)


def unreachable(user: str, paths: list) -> Optional[str]:
    """The first directory or file among paths (and their parents) that user cannot enter or read."""
    entry = pwd.getpwnam(user)
    groups = set(os.getgrouplist(user, entry.pw_gid))
    search = (stat.S_IXUSR, stat.S_IXGRP, stat.S_IXOTH)
    read = (stat.S_IRUSR, stat.S_IRGRP, stat.S_IROTH)
    for path in paths:
        path = os.path.abspath(path)
        parent = os.path.dirname(path)
        ancestors = []
        while parent and parent != os.path.dirname(parent):
            ancestors.append(parent)
            parent = os.path.dirname(parent)
        try:
            for directory in reversed(ancestors):
                if not _allowed(directory, entry.pw_uid, groups, search):
                    return directory
            if os.path.exists(path) and not _allowed(os.path.realpath(path), entry.pw_uid, groups, read):
                return path
        except OSError:
            return path
    return None
