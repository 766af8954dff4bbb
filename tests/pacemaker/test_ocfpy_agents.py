"""Pacemaker's own tools accept ocf:ocfpy:Dummy, Stateful, Daemon and Filesystem (these two run only
inside namespaces); resource-agents' ocf-tester the first two."""

from __future__ import annotations

import os
import subprocess
from xml.etree import ElementTree as ET

import pytest
from isolation import isolated, unshare_available

AGENTS = ["Dummy", "Stateful", "Daemon"]
#: What each agent needs to validate (Daemon's binfile is required).
REQUIRED = {"Dummy": [], "Stateful": [], "Daemon": ["binfile=sleep"]}
#: ocf-tester starts and stops agents outside any namespace: only those that signal no process.
OCF_TESTER_AGENTS = ["Dummy", "Stateful"]


def run(argv, **env):
    return subprocess.run(argv, capture_output=True, text=True, env=dict(os.environ, **env),
                          timeout=120, cwd="/tmp")


@pytest.mark.parametrize("agent", AGENTS)
def test_crm_resource_reads_the_metadata(agent, installed_agents):
    result = run(["crm_resource", "--show-metadata", f"ocf:ocfpy:{agent}"])
    assert result.returncode == 0, result.stderr
    root = ET.fromstring(result.stdout)
    assert root.get("name") == agent and root.find("version").text == "1.1"


def test_crm_resource_lists_the_provider(installed_agents):
    result = run(["crm_resource", "--list-agents", "ocf:ocfpy"])
    assert result.returncode == 0 and set(AGENTS) <= set(result.stdout.split())


@pytest.mark.parametrize("agent", AGENTS)
def test_crm_resource_validate_succeeds(agent, installed_agents):
    options = [word for option in REQUIRED[agent] for word in ("--option", option)]
    result = run(["crm_resource", "--validate", "--class", "ocf", "--provider", "ocfpy", "--agent", agent]
                 + options)
    assert result.returncode == 0, result.stdout + result.stderr


def test_crm_resource_validate_shows_the_one_line_reason(installed_agents):
    result = run(["crm_resource", "--validate", "--class", "ocf", "--provider", "ocfpy",
                  "--agent", "Dummy", "--option", "op_sleep=soon"])
    assert result.returncode == 6
    assert "op_sleep: 'soon' is not an integer" in result.stdout + result.stderr


def test_crm_resource_force_actions_run_the_lifecycle(installed_agents, tmp_path):
    base = ["crm_resource", "--class", "ocf", "--provider", "ocfpy", "--agent", "Dummy",
            "--option", f"state={tmp_path}/d.state"]
    codes = [run(base + [flag]).returncode
             for flag in ("--force-check", "--force-start", "--force-check", "--force-stop", "--force-check")]
    assert codes == [7, 0, 0, 0, 7]


@pytest.mark.parametrize("agent", OCF_TESTER_AGENTS)
def test_ocf_tester_fails_only_its_ocf_1_0_dtd_check(agent, installed_agents, tmp_path, require_tools):
    require_tools("ocf-tester")
    result = run(["ocf-tester", "-n", "ocfpytest", "-o", f"state={tmp_path}/s", f"{installed_agents}/{agent}"])
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "does not conform to ra-api-1.dtd" in output
    assert "failed 1 tests" in output


@pytest.mark.parametrize("agent", OCF_TESTER_AGENTS)
def test_ocf_tester_passes_everything_in_ocf_1_0_mode(agent, installed_agents, tmp_path, require_tools):
    require_tools("ocf-tester")
    result = run(["ocf-tester", "-n", "ocfpytest", "-o", f"state={tmp_path}/s", f"{installed_agents}/{agent}"],
                 OCFPY_OCF_VERSION="1.0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed all tests" in result.stdout


# --- ocf:ocfpy:Daemon: its processes are only ever started and stopped inside new namespaces ---
def daemon_options(**params) -> list:
    return ["crm_resource", "--class", "ocf", "--provider", "ocfpy", "--agent", "Daemon"] + [
        word for name, value in params.items() for word in ("--option", f"{name}={value}")]


@pytest.mark.parametrize("params, rc, reason", [
    ({"binfile": "ocfpy-no-such-daemon"}, 5, "binfile ocfpy-no-such-daemon: no such command in PATH ("),
    ({"binfile": "/etc"}, 5, "binfile /etc is a directory, not a program"),
    ({"binfile": "sleep", "health_status": "200-"}, 6,
     "health_status: '200-' is a range without its end: write both, such as 200-399"),
    ({"binfile": "sleep", "cmdline_options": "'120"}, 6, "cmdline_options: No closing quotation"),
    ({"binfile": "sleep", "health_url": "ftp://127.0.0.1/"}, 6,
     "health_url: 'ftp://127.0.0.1/' is not an http:// or https:// URL"),
])
def test_crm_resource_validate_of_daemon_gives_the_code_and_one_line(installed_agents, params, rc, reason):
    result = run(daemon_options(**params) + ["--validate=10"])

    assert result.returncode == rc, result.stdout + result.stderr
    reasons = [line for line in result.stdout.splitlines() if line.startswith("ocf-exit-reason:")]
    assert len(reasons) == 1 and reasons[0].startswith(f"ocf-exit-reason:{reason}")  # a PATH may follow
    assert "Traceback" not in result.stdout + result.stderr


def daemon_lifecycle(directory: str, port: int) -> dict:
    """Inside the namespace: crm_resource --force-* through a supervised http.server's life."""
    import socket

    env = {"HA_RSCTMP": directory, "HA_VARRUN": directory + "/"}
    base = daemon_options(binfile="/usr/bin/python3", workdir=directory,
                          cmdline_options=f"-m http.server --bind 127.0.0.1 {port}",
                          health_url=f"http://127.0.0.1:{port}/", health_regex="Directory listing")
    seen = {}
    for step, flag in (("probe", "--force-check"), ("start", "--force-start"),
                       ("depth0", "--force-check"), ("depth20", "--force-check=20")):
        seen[step] = run(base + [flag], **env).returncode
    with open(os.path.join(directory, "anything_test.pid")) as pidfile:
        pid = int(pidfile.readline())
    seen["stop"] = run(base + ["--force-stop"], **env).returncode
    seen["after_stop"] = run(base + ["--force-check"], **env).returncode
    seen["server_gone"] = not os.path.exists(f"/proc/{pid}")
    with socket.socket() as probe:
        seen["port_closed"] = probe.connect_ex(("127.0.0.1", port)) != 0
    return seen


@pytest.mark.needs_root
def test_crm_resource_force_actions_run_a_daemon_through_its_lifecycle(installed_agents, tmp_path):
    from isolation import run_isolated, unshare_available

    if unshare_available():
        pytest.skip(f"Daemon's processes are stopped only inside new namespaces: {unshare_available()}")
    os.chmod(tmp_path, 0o755)
    seen = run_isolated(daemon_lifecycle, str(tmp_path), free_port(), timeout=120)

    assert [seen[step] for step in ("probe", "start", "depth0", "depth20", "stop", "after_stop")] == \
        [7, 0, 0, 0, 0, 7]
    assert seen["server_gone"] and seen["port_closed"]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- Filesystem: ocf-tester would mount outside a namespace, so crm_resource only -----------
FILESYSTEM = ["crm_resource", "--class", "ocf", "--provider", "ocfpy", "--agent", "Filesystem"]
FILESYSTEM_PARAMETERS = {"device", "directory", "fstype", "options", "statusfile_prefix", "run_fsck",
                         "fast_stop", "force_clones", "force_unmount", "term_signals", "kill_signals",
                         "signal_delay"}


def options(**values):
    return [argument for name, value in values.items() for argument in ("--option", f"{name}={value}")]


def test_crm_resource_reads_the_filesystem_metadata(installed_agents):
    result = run(["crm_resource", "--show-metadata", "ocf:ocfpy:Filesystem"])
    assert result.returncode == 0, result.stderr
    root = ET.fromstring(result.stdout)
    assert {parameter.get("name") for parameter in root.iter("parameter")} == FILESYSTEM_PARAMETERS
    depths = [action.get("depth") for action in root.iter("action") if action.get("name") == "monitor"]
    assert sorted(depths) == ["0", "10", "20"]


def test_crm_resource_validates_a_filesystem(installed_agents, tmp_path):
    good = run(FILESYSTEM + ["--validate"] + options(device="tmpfs", directory=tmp_path / "d", fstype="tmpfs"))
    assert good.returncode == 0, good.stdout + good.stderr
    for values, reason in (({"device": "/dev/sdb1", "directory": "/etc/"}, "/etc is a system directory"),
                           ({"device": "-a", "directory": tmp_path / "d", "fstype": "ext4"}, "starts with '-'"),
                           ({"device": "/dev/sdb1", "directory": "relative"}, "not an absolute path"),
                           ({"device": "/dev/sdb1", "directory": tmp_path / "d", "options": "ro noatime"},
                            "options: 'ro noatime': mount options are separated by commas (ro,noatime)")):
        bad = run(FILESYSTEM + ["--validate"] + options(**values))
        output = bad.stdout + bad.stderr
        assert (bad.returncode, reason in output) == (6, True), output
        assert output.count("ocf-exit-reason:") == 1 and "Traceback" not in output


def test_crm_resource_validate_10_finds_what_start_would_refuse(installed_agents, tmp_path):
    regular_file = tmp_path / "a-file"
    regular_file.write_text("not a mount point\n")
    cases = (({"device": "tmpfs", "directory": tmp_path / "d", "fstype": "TMPFS"}, 6,
              "fstype TMPFS: filesystem types are lower case: tmpfs"),
             ({"device": "tmpfs", "directory": regular_file, "fstype": "tmpfs"}, 5,
              f"{regular_file} is not a directory: it cannot be a mount point"))
    for values, rc, reason in cases:
        result = run(FILESYSTEM + ["--validate=10"] + options(**values))
        reasons = [line for line in result.stdout.splitlines() if line.startswith("ocf-exit-reason:")]
        assert (result.returncode, reasons) == (rc, [f"ocf-exit-reason:{reason}"]), result.stdout + result.stderr


@pytest.mark.needs_root
@pytest.mark.skipif(unshare_available() is not None, reason=f"isolated: {unshare_available()}")
def test_crm_resource_force_actions_mount_and_unmount_a_filesystem(installed_agents, tmp_path):
    check_force_lifecycle(str(tmp_path / "data"))


@isolated  # mounts and kills: in its own PID and mount namespaces
def check_force_lifecycle(directory):
    base = FILESYSTEM + options(device="tmpfs", directory=directory + "/", fstype="tmpfs")
    codes = [run(base + [flag]).returncode
             for flag in ("--force-check", "--force-start", "--force-check=10", "--force-check=20")]
    holder = subprocess.Popen(["sleep", "600"], cwd=directory)
    try:
        codes += [run(base + [flag]).returncode for flag in ("--force-stop", "--force-check")]
        assert holder.wait(timeout=10) == -15  # TERM, from the stop
    finally:
        holder.kill()
        holder.wait()
    assert codes == [7, 0, 0, 0, 0, 7]
    with open("/proc/self/mountinfo") as table:
        assert f" {directory} " not in table.read()
