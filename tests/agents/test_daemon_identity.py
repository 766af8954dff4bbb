"""agents/Daemon keeps knowing its daemon when the daemon changes under it: it execs its real
program, drops root, daemonizes as another user, has workers of another user, its first pid
is reused, it writes its own pidfile, or start was killed between its fork and its record. Each scenario runs inside new PID and mount namespaces (tests/isolation.py)."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest
from isolation import run_isolated
from test_daemon import PYTHON, Resource, alive, script, wait_for, world  # noqa: F401 (world: a fixture)

from ocfpy.identity import TAG_VARIABLE, Identity, read_exe, read_stat

pytestmark = [
    pytest.mark.needs_root,
    pytest.mark.skipif(os.geteuid() != 0, reason="new PID and mount namespaces and setuid need root"),
]
NOBODY = 65534
DROPS_ROOT = ("import os, time\ntime.sleep(1)\nos.setgroups([])\nos.setgid({id})\nos.setuid({id})\n"
              "time.sleep(120)\n").format(id=NOBODY)
# memcached -d -u: fork, the parent exits, the child leaves the session and becomes nobody
DAEMONIZES_AS_NOBODY = ("import os, time\nif os.fork(): os._exit(0)\nos.setsid()\nos.setgroups([])\n"
                        "os.setgid({id})\nos.setuid({id})\ntime.sleep(120)\n").format(id=NOBODY)
# a root master and a worker that drops to nobody, both deaf to SIGTERM (the worker is left
# behind when the master dies of SIGKILL)
MASTER_AND_WORKER = ("import os, signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                     "if os.fork() == 0:\n    os.setgroups([])\n    os.setgid({id})\n    os.setuid({id})\n"
                     "time.sleep(120)\n").format(id=NOBODY)
SETSID_DOUBLE_FORK = "import os, time\nif os.fork(): os._exit(0)\nos.setsid()\nif os.fork(): os._exit(0)\ntime.sleep(120)\n"


def ours(world: dict, marker: str) -> list:
    """The live processes in the namespace whose command line names ``marker``."""
    found = []
    for name in os.listdir("/proc"):
        try:
            if name.isdigit() and alive(int(name)) and marker in open(f"/proc/{name}/cmdline").read():
                found.append(int(name))
        except OSError:
            pass
    return found


def lifecycle_of(daemon: Resource, marker: str, world: dict, settle=lambda: True) -> dict:
    seen = {"start": daemon.run("start")}
    seen["settled"] = wait_for(settle, 5)
    seen.update({"running": sorted(ours(world, marker)), "monitor": daemon.monitor(),
                 "probe": daemon.run("monitor"), "stop": daemon.run("stop")})
    seen["left"] = ours(world, marker)
    return seen


def scenario_execs_later(world: dict) -> dict:
    """A wrapper that execs its real program after start's settle time."""
    daemon = Resource(world, binfile="/bin/sh", cmdline_options="-c 'sleep 1; exec sleep 121'")
    seen = {"start": daemon.run("start")}
    pid = daemon.pid()
    seen["settled"] = wait_for(lambda: (read_exe(pid) or "").endswith("/sleep"), 5)
    seen.update({"monitor": daemon.monitor(), "probe": daemon.run("monitor"),
                 "stop": daemon.run("stop"), "alive": alive(pid)})
    return seen


def scenario_changes_user(world: dict, name: str, code: str, stop_timeout: str = "") -> dict:
    path = script(world, name, code)
    daemon = Resource(world, binfile=PYTHON, cmdline_options=path, stop_timeout=stop_timeout)

    def dropped():
        return any(_uid(pid) == NOBODY for pid in ours(world, path))

    return lifecycle_of(daemon, path, world, dropped)


def _uid(pid: int):
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("Uid:"))
    except (OSError, StopIteration):
        return None


def scenario_first_pid_reused(world: dict) -> dict:
    """A daemon that left its session; then an unrelated process gets its first pid."""
    path = script(world, "setsid_forks", SETSID_DOUBLE_FORK)
    daemon = Resource(world, binfile=PYTHON, cmdline_options=path)
    seen = {"start": daemon.run("start")}
    leader = daemon.pid()
    wait_for(lambda: read_stat(leader) is None)  # exited, and reaped by the namespace's init
    with open("/proc/sys/kernel/ns_last_pid", "w") as last:
        last.write(str(leader - 1))  # the next process made in this namespace gets ``leader``
    bystander = subprocess.Popen(["sleep", "122"])
    seen.update({"reused": bystander.pid == leader, "running": ours(world, path),
                 "monitor": daemon.monitor(), "probe": daemon.run("monitor"),
                 "stop": daemon.run("stop"), "left": ours(world, path),
                 "bystander_alive": bystander.poll() is None})
    bystander.send_signal(signal.SIGKILL)
    bystander.wait()
    return seen


def _written_pid(path: str):
    try:
        with open(path) as pidfile:
            text = pidfile.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def scenario_own_pidfile(world: dict) -> dict:
    """A daemon that forks into its own session and writes its pid to the configured pidfile."""
    pidfile = world["dir"] + "/own.pid"
    code = SETSID_DOUBLE_FORK.replace("time.sleep(120)", f"open({pidfile!r}, 'w').write(str(os.getpid()))\n"
                                                         "time.sleep(120)")
    path = script(world, "own_pidfile", code)
    daemon = Resource(world, binfile=PYTHON, cmdline_options=path, pidfile=pidfile)
    keeper = subprocess.Popen(["sleep", "123"])
    seen = {"start": daemon.run("start")}
    seen["written"] = wait_for(lambda: _written_pid(pidfile) not in (None, daemon.pid()))
    seen.update({"stop": daemon.run("stop"), "left": ours(world, path),
                 "pidfile_after_stop": os.path.exists(pidfile)})
    seen["start_again"] = daemon.run("start")
    with open(pidfile, "w") as other:  # now naming a live process that is not ours
        other.write(f"{keeper.pid}\n")
    seen.update({"stop_again": daemon.run("stop"), "unrelated_kept": os.path.exists(pidfile),
                 "keeper_alive": keeper.poll() is None})
    keeper.kill()
    keeper.wait()
    return seen


def scenario_killed_between_fork_and_record(world: dict) -> dict:
    """What a start killed right after its fork leaves: the record it wrote before forking
    (the tag alone) and the program, which carries the tag; and a bystander without it."""
    daemon = Resource(world, binfile="/usr/bin/sleep", cmdline_options="124")
    pending = Identity.pending("f00dfeedc0ffee0123456789", 0)
    with open(os.path.join(world["rsctmp"], "Daemon-test.identity"), "w") as record:
        record.write(pending.to_text())
    program = subprocess.Popen(["sleep", "124"], env={TAG_VARIABLE: pending.tag}, start_new_session=True)
    bystander = subprocess.Popen(["sleep", "125"], start_new_session=True)
    seen = {"probe": daemon.run("monitor"), "start": daemon.run("start")}
    seen.update({"after_start": ours(world, "124"), "stop": daemon.run("stop")})
    seen.update({"program_gone": wait_for(lambda: program.poll() is not None, 5),
                 "bystander_alive": bystander.poll() is None, "monitor": daemon.monitor()})
    bystander.kill()
    bystander.wait()
    return seen


def isolated(name, *args):
    return run_isolated(globals()["scenario_" + name], *args, timeout=120)


def test_a_wrapper_that_execs_its_daemon_later_is_still_running_and_is_stopped(world):
    seen = isolated("execs_later", world)

    assert seen["start"]["rc"] == 0 and seen["settled"]
    assert seen["monitor"]["rc"] == 0 and seen["probe"]["rc"] == 0
    assert seen["stop"]["rc"] == 0 and not seen["alive"]


@pytest.mark.parametrize("name, code, processes", [
    ("drops_root", DROPS_ROOT, 1),
    ("daemonizes_as_nobody", DAEMONIZES_AS_NOBODY, 1),
    ("master_and_worker", MASTER_AND_WORKER, 2),
], ids=["drops-root", "daemonizes-as-nobody", "master-and-worker"])
def test_a_daemon_switching_to_another_user_is_still_running_and_is_stopped(world, name, code, processes):
    seen = isolated("changes_user", world, name, code, "1")

    assert seen["start"]["rc"] == 0 and seen["settled"] and len(seen["running"]) == processes
    assert seen["monitor"]["rc"] == 0 and seen["probe"]["rc"] == 0
    assert seen["stop"]["rc"] == 0 and seen["left"] == []


def test_a_daemon_whose_first_pid_was_reused_is_still_found_and_the_bystander_is_spared(world):
    seen = isolated("first_pid_reused", world)

    assert seen["start"]["rc"] == 0 and seen["reused"] and len(seen["running"]) == 1
    assert seen["monitor"]["rc"] == 0 and seen["probe"]["rc"] == 0
    assert seen["stop"]["rc"] == 0 and seen["left"] == [] and seen["bystander_alive"]


def test_the_pidfile_a_daemon_wrote_itself_is_removed_by_stop_but_one_naming_another_process_is_kept(world):
    seen = isolated("own_pidfile", world)

    assert seen["start"]["rc"] == 0 and seen["written"]
    assert seen["stop"]["rc"] == 0 and seen["left"] == [] and not seen["pidfile_after_stop"]
    assert seen["start_again"]["rc"] == 0 and seen["stop_again"]["rc"] == 0
    assert seen["unrelated_kept"] and seen["keeper_alive"]


def test_a_start_killed_between_its_fork_and_its_record_leaves_a_program_that_stop_still_finds(world):
    seen = isolated("killed_between_fork_and_record", world)

    assert seen["probe"]["rc"] == 0  # running: a probe never says 7 for it
    assert seen["start"]["rc"] == 0 and len(seen["after_start"]) == 1  # and ran no second one
    assert seen["stop"]["rc"] == 0 and seen["program_gone"] and seen["bystander_alive"]
    assert seen["monitor"]["rc"] == 7
