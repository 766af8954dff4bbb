"""The whole lab: preflight refusal, `up` (network, nodes, cluster) and a `down` that always finishes."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from pathlib import Path

from harness.lab import cluster, install, network, node, nodefs, pcsd
from harness.lab.config import LabConfig, LabError
from harness.lab.corosync import new_authkey
from harness.lab.network import TOOL_ENV

REQUIRED_TOOLS = ("ip", "nsenter", "unshare", "mount", "umount", "corosync", "pacemakerd",
                  "cibadmin", "crm_attribute", "crm_mon", "pcs")
FORM_TIMEOUT = 90.0


PCSD_TOOLS = ("pcsd", "openssl")


def preflight(with_pcsd: bool = False) -> None:
    """Refuse clearly when the lab cannot work here: not root, tools missing, no namespaces."""
    if os.geteuid() != 0:
        raise LabError("must run as root: the lab creates network namespaces, mounts and node processes")
    wanted = REQUIRED_TOOLS + (PCSD_TOOLS if with_pcsd else ())
    missing = [tool for tool in wanted if not shutil.which(tool, path=TOOL_ENV["PATH"])]
    if missing:
        raise LabError(f"missing tools: {', '.join(missing)} "
                       "(apt-get install corosync pacemaker pacemaker-cli-utils pcs iproute2 util-linux)")
    probe = subprocess.run(
        ["unshare", "--mount", "--uts", "--ipc", "--pid", "--net", "--fork", "--mount-proc", "true"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False, env=TOOL_ENV)
    if probe.returncode != 0:
        raise LabError(f"namespaces unavailable: {probe.stderr.strip() or 'unshare failed'}")


def up(config: LabConfig, source: dict, timeout: float = FORM_TIMEOUT, progress=print) -> None:
    """Build the network, boot every node with corosync + pacemaker, wait until the cluster formed.

    Anything that fails or interrupts it (Ctrl-C included) tears down what was built.
    """
    preflight(with_pcsd=config.pcsd)
    config.check_state_dir()
    if (config.state / "lab.json").exists():
        raise LabError(f"a lab is already up (state in {config.state}); run `ocfpy-lab down` first")
    if config.state.exists():
        raise LabError(f"{config.state} exists but holds no lab; remove it or choose --state-dir")
    config.save()
    try:
        config.install = install.materialize(source, config.state)
        config.save()
        nodefs.write_shared_files(config)
        network.create(config)
        authkey = new_authkey()
        for name in config.nodes:
            nodefs.prepare(config, name, authkey)
            node.boot(config, name, mode="start")
        for name in config.nodes:
            node.wait_booted(config, name)
        progress(f"nodes booted: {', '.join(config.nodes)}")
        cluster.wait_for(config, config.nodes[0], lambda view: view.formed(config.nodes),
                         timeout, "all nodes online with a DC")
        if config.pcsd:
            pcsd.authenticate(config)
            progress("pcsd: every node authenticated to every node")
    except BaseException:
        problems = down(config.state_dir, grace=5.0)
        for problem in problems:
            progress(f"teardown: {problem}")
        raise


def boot(config: LabConfig, name: str, mode: str, timeout: float = node.BOOT_TIMEOUT) -> dict:
    """Power a node on and wait until its init reports (on failure the node is killed again)."""
    try:
        node.boot(config, name, mode)
        return node.wait_booted(config, name, timeout)
    except BaseException:
        node.kill(config, name)
        raise


def load(state_dir: str) -> LabConfig:
    preflight()
    return LabConfig.load(state_dir)


def down(state_dir: str, grace: float = 60.0) -> list[str]:
    """Power off every node, delete the netns, unmount leftovers, remove the state dir.

    Returns problems found (empty when everything is gone). Signals only recorded PIDs.
    Ctrl-C and SIGTERM wait until it is done: a half-done teardown helps nobody.
    """
    with interrupts_ignored():
        return _down(state_dir, grace)


@contextlib.contextmanager
def interrupts_ignored():
    try:
        previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread: signals are not ours to handle
        yield
        return
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _down(state_dir: str, grace: float) -> list[str]:
    state = Path(state_dir)
    try:
        config = LabConfig.load(state_dir)
    except LabError:
        # no record (an up that died early, a state dir removed by hand): the names still say
        # which netns would be this lab's; processes are only ever signalled from records
        try:
            config = LabConfig(prefix=state.name, state_dir=state_dir)
        except LabError:
            config = None
        if config is None or not _looks_like_lab_state(state):
            return [] if not state.exists() else [f"{state} is not a lab's state dir; not touching it"]
    problems = []
    for name in config.nodes:
        if not node.shutdown(config, name, grace=grace):
            problems.append(f"{name}: recorded processes still alive")
    problems += network.destroy(config)
    problems += _unmount_under(state)
    if not problems:
        problems += _remove_tree(state)
    return problems


STATE_ENTRIES = {"lab.json", "lab.json.tmp", "hosts", "systemctl", "rpmroot", "rpmbuild", "checkout-copy",
                 "shadow", nodefs.PCSD_PASSWORD}


def _looks_like_lab_state(state: Path) -> bool:
    """Missing, or holding nothing but what `up` writes (so a mistyped --state-dir is never deleted)."""
    if not state.exists():
        return True
    return state.is_dir() and set(os.listdir(state)) <= STATE_ENTRIES | set(LabConfig().nodes)


def _mounts_under(path: Path) -> list[str]:
    prefix = str(path.resolve()) + "/"
    found = []
    with open("/proc/self/mountinfo") as handle:
        for line in handle:
            target = line.split()[4].replace("\\040", " ")
            if target.startswith(prefix) or target == prefix[:-1]:
                found.append(target)
    return found


def _unmount_under(path: Path) -> list[str]:
    """Mounts are only ever made inside nodes; if one is visible here, detach it before deleting."""
    if not path.exists():
        return []
    for target in sorted(_mounts_under(path), key=len, reverse=True):
        subprocess.run(["umount", "--lazy", target], check=False, env=TOOL_ENV)
    left = _mounts_under(path)
    return [f"still mounted: {target}" for target in left]


def _remove_tree(path: Path) -> list[str]:
    """Delete the state dir without ever crossing into another filesystem (a mount)."""
    if not path.exists():
        return []
    root_dev = path.lstat().st_dev
    problems = []

    def remove(entry: Path) -> None:
        info = entry.lstat()
        if info.st_dev != root_dev:
            problems.append(f"not deleting {entry}: another filesystem")
            return
        if entry.is_dir() and not entry.is_symlink():
            for child in entry.iterdir():
                remove(child)
            if not problems:
                entry.rmdir()
        else:
            entry.unlink()

    remove(path)
    return problems
