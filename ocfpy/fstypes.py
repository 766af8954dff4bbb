"""Filesystem types: what the kernel supports, which need fsck, helpers, and which are cluster-safe."""

import os

#: Types resource-agents' Filesystem never fscks with run_fsck=auto (journaled, network, virtual).
FSCK_SKIPPED = frozenset((
    "ext4", "ext4dev", "ext3", "reiserfs", "reiser4", "nss", "xfs", "jfs", "vfat", "fat", "nfs4",
    "nfs", "aznfs", "efs", "cifs", "smbfs", "ocfs2", "gfs2", "none", "lustre", "glusterfs", "ceph",
    "tmpfs", "overlay", "overlayfs", "rozofs", "zfs", "cvfs", "btrfs",
))
#: Types several nodes may mount at once (clones need no force_clones).
CLUSTER_SAFE = frozenset((
    "nfs", "nfs4", "aznfs", "efs", "smbfs", "cifs", "none", "gfs2", "glusterfs", "ceph", "ocfs2",
    "overlay", "overlayfs", "tmpfs", "cvfs", "lustre",
))
#: Local types a clone may mount only with force_clones (each node its own device).
LOCAL_ONLY = frozenset(("ext2", "ext3", "ext4", "ext4dev", "reiserfs", "reiser4", "xfs", "jfs"))
#: Types whose mount goes through a mount.TYPE helper program.
HELPER_TYPES = frozenset(("nfs", "nfs4", "cifs", "smb3", "glusterfs", "ceph", "aznfs", "efs",
                          "lustre"))
#: Types the kernel knows under another name.
KERNEL_NAMES = {"efs": "nfs4", "aznfs": "nfs4", "overlayfs": "overlay", "smbfs": "cifs",
                "glusterfs": "fuse", "rozofs": "fuse"}


def kernel_name(fstype: str) -> str:
    if fstype.startswith("fuse."):
        return "fuse"
    return KERNEL_NAMES.get(fstype, fstype)


def kernel_supports(fstype: str, proc: str = "/proc", modules: str = "/lib/modules") -> bool:
    """The kernel has ``fstype`` (in /proc/filesystems), or a module it loads on mount."""
    name = kernel_name(fstype)
    try:
        with open(f"{proc}/filesystems", "rb") as handle:
            known = {line.split()[-1].decode("ascii", "replace")
                     for line in handle.read().splitlines() if line.split()}
    except OSError:
        known = set()
    if name in known:
        return True
    directory = f"{modules}/{os.uname().release}"
    alias = f"alias fs-{name} ".encode()
    for index in ("modules.alias", "modules.builtin"):
        try:
            with open(f"{directory}/{index}", "rb") as handle:
                text = handle.read()
        except OSError:
            continue
        if alias in text or f"/{name}.ko".encode() in text:
            return True
    return False


def fsck_wanted(policy: str, fstype: str, is_block: bool) -> bool:
    """Whether start runs fsck: ``force`` always, ``auto`` unless the type needs none, on
    block devices only (resource-agents' rule: ``auto`` checks ext2 and an unset type)."""
    if not is_block or policy == "no":
        return False
    return policy == "force" or fstype not in FSCK_SKIPPED


def fsck_tools(fstype: str) -> list:
    """The programs fsck of ``fstype`` runs."""
    return ["fsck"] + ([f"fsck.{fstype}"] if fstype else [])


def mount_helpers(fstype: str) -> list:
    """Programs mount(8) needs for ``fstype`` beyond itself: alternatives per entry."""
    if fstype.startswith("fuse."):
        return [("mount.fuse3", "mount.fuse"), (fstype[5:],)]
    if fstype in HELPER_TYPES:
        return [(f"mount.{fstype}",)]
    return []


def fsck(device: str, fstype: str, timeout: float, log=None) -> None:
    """fsck -p of ``device`` within ``timeout``; OCFError when it times out or leaves errors
    (exit 4 or more)."""
    from ocfpy import bounded
    from ocfpy.errors import OCFError

    argv = ["fsck"] + (["-t", fstype] if fstype else []) + ["-p", device]
    if log is not None:
        log.info(f"running {' '.join(argv)}")
    outcome = bounded.command(argv, timeout=timeout)
    if outcome.timed_out:
        raise OCFError(f"fsck of {device}: {outcome.error}")
    if outcome.rc is not None and outcome.rc >= 4:
        raise OCFError(f"fsck of {device} found errors it could not repair "
                       f"(exit {outcome.rc}); repair it by hand")


def require_tools(needed: list) -> None:
    """NotInstalled (rc 5) naming the first entry of ``needed`` (alternatives) not on PATH."""
    from ocfpy.commands import find_binary
    from ocfpy.errors import NotInstalled

    for alternatives in needed:
        if not any(find_binary(tool) for tool in alternatives):
            raise NotInstalled(f"command not found: {' or '.join(alternatives)}")


def clone_refusal(fstype: str, options: list, force_clones: bool) -> "str | None":
    """Why ``fstype`` may not be mounted by a clone (several nodes at once); None if it may."""
    if fstype in CLUSTER_SAFE or (fstype in LOCAL_ONLY and force_clones):
        return None
    if fstype in LOCAL_ONLY:
        return (f"{fstype or 'this filesystem'} is not cluster-aware: mounting it on several nodes "
                "corrupts it (force_clones=true if each node has its own device)")
    if "ro" in options:
        return None
    return f"{fstype or 'a filesystem of unknown type'} is not known to be cluster-aware: refusing a clone"
