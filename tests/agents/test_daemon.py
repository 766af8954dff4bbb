"""agents/Daemon with real processes, each scenario inside new PID and mount namespaces.

A scenario (a function below named ``scenario_*``) runs in the namespace through
tests/isolation.py's run_isolated: it drives the agent exactly as pacemaker-execd would and returns what it
saw; the test asserts on that. Only the namespace's processes can ever be signalled.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
from isolation import run_isolated, unshare_available

from ocfpy.identity import read_stat

PYTHON = "/usr/bin/python3"  # what the daemons run: readable by every user, as on a node
SERVER_500 = """
import http.server, os, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        failing = os.path.exists(sys.argv[2])
        self.send_response(500 if failing else 200)
        self.end_headers()
        self.wfile.write(b"<html>service page</html>")
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""
DOUBLE_FORK = "import os, time\nif os.fork(): os._exit(0)\n{setsid}if os.fork(): os._exit(0)\ntime.sleep(120)\n"
IGNORES_TERM = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(120)\n"
ARGV_RECORDER = "import sys, time\nopen(sys.argv[1], 'w').write(repr(sys.argv[2:]))\ntime.sleep(120)\n"

pytestmark = [
    pytest.mark.needs_root,
    pytest.mark.skipif(os.geteuid() != 0, reason="new PID and mount namespaces need root"),
]


# --- what runs inside the namespace ---------------------------------------------------------
class Resource:
    """One Daemon resource whose actions run as execd runs them."""

    def __init__(self, world: dict, **params):
        self.world = world
        self.params = params

    def run(self, action: str, *, interval_ms: int = 0, timeout_ms: int = 20000,
            check_level=None, **overrides) -> dict:
        from harness.execd import Operation, run

        env = {"PYTHONPATH": self.world["pythonpath"], "HA_RSCTMP": self.world["rsctmp"],
               "HA_VARRUN": self.world["dir"] + "/", "PCMK_logfacility": "none",
               "PCMK_logfile": self.world["dir"] + "/agent.log"}
        params = {key: str(value) for key, value in dict(self.params, **overrides).items()
                  if value is not None}
        result = run(Operation(agent=self.world["agent"], action=action, params=params,
                               interval_ms=interval_ms, timeout_ms=timeout_ms,
                               check_level=check_level, extra_env=env, cwd=self.world["dir"]))
        return {"rc": result.rc, "reason": result.exit_reason, "elapsed": result.elapsed,
                "status": int(result.status), "stderr": result.stderr.decode(errors="replace")}

    def monitor(self, depth=None, **options) -> dict:
        return self.run("monitor", interval_ms=10000, check_level=depth, **options)

    def identity(self) -> dict:
        path = os.path.join(self.world["rsctmp"], "Daemon-test.identity")
        if not os.path.exists(path):
            return {}
        with open(path) as state:
            return dict(line.split("=", 1) for line in state.read().splitlines())

    def pid(self) -> int:
        return int(self.identity()["pid"])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_server(world: dict, port: int, **params) -> Resource:
    params.setdefault("logfile", world["dir"] + "/out.log")
    return Resource(world, binfile=PYTHON, workdir=world["dir"],
                    cmdline_options=f"-m http.server --bind 127.0.0.1 {port}", **params)


def alive(pid: int) -> bool:
    """Running or sleeping; a zombie or a reaped process counts as gone."""
    stat = read_stat(pid)
    return stat is not None and not stat.zombie


def wait_for(predicate, seconds: float = 5.0) -> bool:
    until = time.monotonic() + seconds
    while time.monotonic() < until and not predicate():
        time.sleep(0.02)
    return predicate()


def script(world: dict, name: str, code: str) -> str:
    """A Python program written to a file (parameter values are single lines)."""
    path = os.path.join(world["dir"], name + ".py")
    with open(path, "w") as program:
        program.write(code)
    return path


def proc_status(pid: int) -> dict:
    with open(f"/proc/{pid}/status") as status:
        return dict(line.split(":", 1) for line in status.read().splitlines() if ":" in line)


def scenario_lifecycle(world: dict) -> dict:
    port = free_port()
    web = http_server(world, port, health_tcp=f"127.0.0.1:{port}",
                      health_url=f"http://127.0.0.1:{port}/", health_regex="Directory listing")
    seen = {"probe": web.run("monitor"), "start": web.run("start")}
    pid = web.pid()
    seen.update({
        "depth0": web.monitor(), "depth10": web.monitor(10), "depth20": web.monitor(20),
        "start_again": web.run("start"), "pid_again": web.pid(), "sid": os.getsid(pid),
        "cwd": os.readlink(f"/proc/{pid}/cwd"),
        "fds": {fd: os.readlink(f"/proc/{pid}/fd/{fd}") for fd in ("0", "1", "2")},
        "pidfile": open(world["dir"] + "/anything_test.pid").read().splitlines()[0],
        "pid": pid, "identity": web.identity(),
    })
    seen["stop"] = web.run("stop")
    seen.update({"alive_after_stop": alive(pid), "after_stop": web.monitor(),
                 "stop_again": web.run("stop"), "identity_after": web.identity(),
                 "pidfile_after": os.path.exists(world["dir"] + "/anything_test.pid")})
    return seen


def scenario_sigstopped(world: dict) -> dict:
    port = free_port()
    web = http_server(world, port, health_url=f"http://127.0.0.1:{port}/", health_timeout=3)
    seen = {"start": web.run("start")}
    os.kill(web.pid(), signal.SIGSTOP)
    seen.update({"depth10": web.monitor(10, timeout_ms=6000), "depth0": web.monitor(0),
                 "stop": web.run("stop", timeout_ms=6000)})
    seen["alive"] = alive(web.pid()) if web.identity() else False
    return seen


def scenario_failing_server(world: dict) -> dict:
    port, flag = free_port(), world["dir"] + "/fail"
    web = Resource(world, binfile=PYTHON, health_url=f"http://127.0.0.1:{port}/",
                   cmdline_options=f"{script(world, 'server500', SERVER_500)} {port} {flag}", workdir=world["dir"])
    seen = {"start": web.run("start"), "healthy": web.monitor(10)}
    open(flag, "w").close()
    seen.update({"depth10": web.monitor(10), "depth0": web.monitor(0),
                 "accepted": web.monitor(10, health_status="200-299,500")})
    seen["stop"] = web.run("stop")
    seen["start_failing"] = web.run("start", timeout_ms=4000)
    seen["stop_after_failed_start"] = web.run("stop")
    seen["left"] = web.identity()
    return seen


def scenario_killed(world: dict) -> dict:
    daemon = Resource(world, binfile="sleep", cmdline_options="120")
    seen = {"start": daemon.run("start")}
    pid = daemon.pid()
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not alive(pid))
    seen.update({"pid": pid, "monitor": daemon.monitor(), "probe": daemon.run("monitor"),
                 "stop": daemon.run("stop")})
    return seen


def scenario_pid_reuse(world: dict) -> dict:
    """Files that name an unrelated live process: it is not running, and it survives stop."""
    from ocfpy.identity import Identity
    from ocfpy.process import write_pidfile

    bystander = subprocess.Popen(["sleep", "120"])
    other_user = subprocess.Popen(["sleep", "121"], user=65534, group=65534, extra_groups=[])
    wait_for(lambda: os.readlink(f"/proc/{bystander.pid}/exe").endswith("sleep"))
    daemon = Resource(world, binfile="sleep", cmdline_options="120")
    pidfile, state = world["dir"] + "/anything_test.pid", world["rsctmp"] + "/Daemon-test.identity"
    seen = {}
    real = Identity.capture(bystander.pid)
    cases = {
        "bare_pidfile": (lambda: open(pidfile, "w").write(f"{bystander.pid}\n")),
        "pidfile_matching_start": (lambda: write_pidfile(pidfile, bystander.pid)),
        "pidfile_other_start": (lambda: open(pidfile, "w").write(
            f"{bystander.pid}\nstart_time={real.start_time - 5}\ncomm=sleep\n")),
        "state_reused_pid": (lambda: open(state, "w").write(Identity(
            bystander.pid, real.start_time - 5, real.exe, bystander.pid, 0).to_text())),
        "pidfile_other_user": (lambda: write_pidfile(pidfile, other_user.pid)),
        "state_pid_1": (lambda: open(state, "w").write(Identity.capture(1).to_text())),
    }
    for name, plant in cases.items():
        plant()
        seen[name] = {"monitor": daemon.monitor(), "probe": daemon.run("monitor"),
                      "stop": daemon.run("stop"),
                      "survived": bystander.poll() is None and other_user.poll() is None}
        for path in (pidfile, state):
            if os.path.exists(path):
                os.unlink(path)
    seen["init_alive"] = alive(1)
    return seen


def scenario_double_fork(world: dict, setsid: bool) -> dict:
    code = DOUBLE_FORK.format(setsid="os.setsid()\n" if setsid else "")
    daemon = Resource(world, binfile=PYTHON, cmdline_options=script(world, "forks", code))
    seen = {"start": daemon.run("start"), "monitor": daemon.monitor()}
    leader = daemon.pid()
    children = [int(name) for name in os.listdir("/proc") if name.isdigit() and int(name) > leader
                and alive(int(name)) and "forks.py" in open(f"/proc/{name}/cmdline").read()]
    seen.update({"leader_alive": alive(leader), "children": len(children),
                 "stop": daemon.run("stop"), "left": [pid for pid in children if alive(pid)],
                 "after_stop": daemon.monitor()})
    return seen


def scenario_ignores_term(world: dict, stop_timeout: str, timeout_ms: int) -> dict:
    daemon = Resource(world, binfile=PYTHON, cmdline_options=script(world, "ignores", IGNORES_TERM),
                      stop_timeout=stop_timeout)
    seen = {"start": daemon.run("start")}
    pid = daemon.pid()
    seen["stop"] = daemon.run("stop", timeout_ms=timeout_ms)
    seen["alive"] = alive(pid)
    return seen


def scenario_user(world: dict, user: str) -> dict:
    import pwd

    port = free_port()
    web = http_server(world, port, user=user, health_url=f"http://127.0.0.1:{port}/",
                      logfile=world["dir"] + "/logs/out.log", errlogfile=world["dir"] + "/logs/err.log")
    seen = {"start": web.run("start")}
    pid = web.pid()
    status = proc_status(pid)
    entry = pwd.getpwnam(user)
    with open(f"/proc/{pid}/environ", "rb") as environ:
        env = dict(item.split(b"=", 1) for item in environ.read().split(b"\0") if b"=" in item)
    seen.update({
        "uid": int(status["Uid"].split()[0]), "gid": int(status["Gid"].split()[0]),
        "groups": sorted(int(g) for g in status["Groups"].split()),
        "expected": [entry.pw_uid, entry.pw_gid, sorted(os.getgrouplist(user, entry.pw_gid))],
        "home": env.get(b"HOME", b"").decode(), "pw_dir": entry.pw_dir,
        "pidfile": open(world["dir"] + "/anything_test.pid").read().splitlines()[0], "pid": pid,
        "depth10": web.monitor(10), "stop": web.run("stop"), "alive": alive(pid),
    })
    return seen


def scenario_user_without_workdir(world: dict, user: str) -> dict:
    daemon = Resource(world, binfile="sleep", cmdline_options="120", user=user)
    seen = {"validate": daemon.run("validate-all", check_level=10), "start": daemon.run("start")}
    pid = daemon.pid() if daemon.identity() else 0
    seen.update({"cwd": os.readlink(f"/proc/{pid}/cwd") if pid else None,
                 "stop": daemon.run("stop"), "alive": bool(pid) and alive(pid)})
    return seen


def scenario_arguments(world: dict, options: str) -> dict:
    marker, record = world["dir"] + "/shell-ran", world["dir"] + "/argv"
    daemon = Resource(world, binfile=PYTHON,
                      cmdline_options=f"{script(world, 'argv', ARGV_RECORDER)} {record} {options}",
                      monitor_hook=f"test ! -e {marker}")
    seen = {"start": daemon.run("start")}
    wait_for(lambda: os.path.exists(record))
    seen.update({"argv": open(record).read() if os.path.exists(record) else None,
                 "monitor": daemon.monitor(), "stop": daemon.run("stop"),
                 "shell_ran": os.path.exists(marker)})
    return seen


def scenario_start_failures(world: dict) -> dict:
    seen = {}
    closed = socket.socket()  # bound, never listening: refused, and nobody else can take it
    closed.bind(("127.0.0.1", 0))
    for name, params, timeout_ms in (
        ("exits_at_once", {"binfile": "/bin/false"}, 20000),
        ("exits_with_message", {"binfile": "sh", "cmdline_options": "-c 'echo config broken >&2; exit 3'",
                                "errlogfile": world["dir"] + "/err.log"}, 20000),
        ("never_healthy", {"binfile": "sleep", "cmdline_options": "120",
                           "health_url": f"http://127.0.0.1:{closed.getsockname()[1]}/"}, 4000),
        ("hook_fails", {"binfile": "sleep", "cmdline_options": "120", "monitor_hook": "false"}, 3000),
    ):
        daemon = Resource(world, **params)
        result = daemon.run("start", timeout_ms=timeout_ms)
        pid = int(daemon.identity().get("pid", 0))
        result["stop"] = daemon.run("stop")["rc"]
        result["alive_after_stop"] = bool(pid) and alive(pid)
        seen[name] = result
    return seen


def scenario_monitor_hook(world: dict) -> dict:
    flag, marker = world["dir"] + "/healthy", world["dir"] + "/shell-ran"
    daemon = Resource(world, binfile="sleep", cmdline_options="120",
                      monitor_hook=f"test -e {flag} -a '$(touch {marker})' = '$(touch {marker})'")
    open(flag, "w").close()
    seen = {"start": daemon.run("start")}
    os.unlink(flag)
    seen.update({"monitor": daemon.monitor(), "stop": daemon.run("stop"),
                 "shell_ran": os.path.exists(marker)})
    return seen


def scenario_regex_turned_invalid(world: dict) -> dict:
    port = free_port()
    web = http_server(world, port, health_url=f"http://127.0.0.1:{port}/", health_regex="Directory listing")
    seen = {"start": web.run("start")}
    seen.update({"depth20": web.monitor(20, health_regex="("), "reload": web.run("reload-agent", health_regex="("),
                 "stop": web.run("stop", health_regex="(")})
    with open(world["dir"] + "/agent.log") as log:
        seen["log"] = log.read()
    return seen


def scenario_unrunnable_check(world: dict) -> dict:
    no_interpreter = script(world, "no-hash-bang", "exit 0\n")
    os.chmod(no_interpreter, 0o755)
    daemon = Resource(world, binfile="sleep", cmdline_options="120")
    seen = {"start": daemon.run("start")}
    seen.update({"hook": daemon.monitor(monitor_hook=no_interpreter),
                 "command": daemon.monitor(10, health_command=no_interpreter), "stop": daemon.run("stop")})
    log = world["dir"] + "/agent.log"
    seen["log"] = open(log).read() if os.path.exists(log) else ""
    return seen


def scenario_invalid_later(world: dict, broken: dict) -> dict:
    """Parameters turned invalid under a running daemon: probe, monitor and stop still tell the truth."""
    daemon = Resource(world, binfile="sleep", cmdline_options="120")
    seen = {"start": daemon.run("start")}
    pid = daemon.pid()
    seen.update({"probe": daemon.run("monitor", **broken), "monitor": daemon.monitor(**broken),
                 "depth10": daemon.monitor(10, **broken),
                 "stop": daemon.run("stop", **broken), "alive": alive(pid),
                 "probe_after": daemon.run("monitor", **broken)})
    return seen


# --- the tests ------------------------------------------------------------------------------
@pytest.fixture
def world(ocfpy_pythonpath, readable_agents):
    """Paths a scenario needs: the agent, ocfpy for it, a world-readable directory for state."""
    reason = unshare_available()
    if reason:
        pytest.skip(f"no PID and mount namespaces here: {reason}")
    directory = tempfile.mkdtemp(prefix="ocfpy-daemon-")
    os.chmod(directory, 0o755)
    rsctmp = os.path.join(directory, "rsctmp")
    os.mkdir(rsctmp)
    yield {"agent": os.path.join(readable_agents, "Daemon"), "pythonpath": ocfpy_pythonpath,
           "dir": directory, "rsctmp": rsctmp}
    shutil.rmtree(directory, ignore_errors=True)


def scenario(name, world, *args, timeout=120):
    return run_isolated(globals()["scenario_" + name], world, *args, timeout=timeout)


def test_an_http_server_through_its_lifecycle(world):
    seen = scenario("lifecycle", world)

    assert seen["probe"]["rc"] == 7 and seen["probe"]["reason"] is None
    assert seen["start"]["rc"] == 0 and seen["start"]["elapsed"] < 5
    assert [seen[depth]["rc"] for depth in ("depth0", "depth10", "depth20")] == [0, 0, 0]
    assert seen["start_again"]["rc"] == 0 and seen["pid_again"] == seen["pid"]
    assert seen["sid"] == seen["pid"] and seen["cwd"] == world["dir"]
    assert seen["fds"] == {"0": "/dev/null", "1": world["dir"] + "/out.log", "2": world["dir"] + "/out.log"}
    assert seen["pidfile"] == str(seen["pid"])
    assert seen["identity"]["exe"].startswith("/usr/") and seen["identity"]["uid"] == "0"
    assert seen["stop"]["rc"] == 0 and not seen["alive_after_stop"]
    assert seen["after_stop"]["rc"] == 7 and seen["stop_again"]["rc"] == 0
    assert seen["identity_after"] == {} and not seen["pidfile_after"]


def test_a_sigstopped_server_fails_depth_10_within_the_timeout_and_is_still_stopped(world):
    seen = scenario("sigstopped", world)

    assert seen["start"]["rc"] == 0
    depth10 = seen["depth10"]
    assert depth10["rc"] == 1 and depth10["status"] == 0  # an answer, not an execd timeout
    assert depth10["reason"] == "health_url: timeout after 3.0 s" and depth10["elapsed"] < 4
    assert seen["depth0"]["rc"] == 0  # the process itself is there
    assert seen["stop"]["rc"] == 0 and seen["stop"]["elapsed"] < 2 and not seen["alive"]


def test_a_server_answering_500_fails_with_its_status(world):
    seen = scenario("failing_server", world)

    assert seen["start"]["rc"] == 0 and seen["healthy"]["rc"] == 0
    assert seen["depth10"]["rc"] == 1 and seen["depth10"]["reason"] == "health_url: status 500, not 200-399"
    assert seen["depth0"]["rc"] == 0 and seen["accepted"]["rc"] == 0
    failing = seen["start_failing"]
    assert failing["rc"] == 1 and failing["status"] == 0 and failing["elapsed"] < 4
    assert failing["reason"] == "not healthy before the start timeout: health_url: status 500, not 200-399"
    assert seen["stop_after_failed_start"]["rc"] == 0 and seen["left"] == {}


def test_a_killed_daemon_is_not_running(world):
    seen = scenario("killed", world)

    assert seen["start"]["rc"] == 0
    assert seen["monitor"]["rc"] == 7 and seen["monitor"]["reason"] == f"sleep (pid {seen['pid']}) is not running"
    assert seen["probe"]["rc"] == 7 and seen["probe"]["reason"] is None
    assert seen["stop"]["rc"] == 0


def test_files_naming_an_unrelated_process_never_make_it_ours(world):
    seen = scenario("pid_reuse", world)

    for case in ("bare_pidfile", "pidfile_matching_start", "pidfile_other_start",
                 "state_reused_pid", "pidfile_other_user", "state_pid_1"):
        assert seen[case]["monitor"]["rc"] == 7, case
        assert seen[case]["probe"]["rc"] == 7, case
        assert seen[case]["stop"]["rc"] == 0 and seen[case]["survived"], case
    assert seen["init_alive"]


@pytest.mark.parametrize("setsid", [False, True], ids=["in-session", "own-session"])
def test_a_double_forking_daemon_is_followed_and_stopped(world, setsid):
    seen = scenario("double_fork", world, setsid)

    assert seen["start"]["rc"] == 0 and seen["monitor"]["rc"] == 0
    assert not seen["leader_alive"] and seen["children"] == 1
    assert seen["stop"]["rc"] == 0 and seen["left"] == [] and seen["after_stop"]["rc"] == 7


@pytest.mark.parametrize("stop_timeout, timeout_ms, kill_after", [
    ("1", 20000, (1.0, 1.8)),  # stop_timeout seconds of SIGTERM, then SIGKILL
    ("", 4500, (2.3, 3.6)),  # 2/3 of the timeout (3 s), bounded by the time left less margins
    ("60", 4000, (2.3, 3.2)),  # a stop_timeout longer than the stop: SIGKILL still in time
])
def test_a_daemon_ignoring_sigterm_is_killed_in_time(world, stop_timeout, timeout_ms, kill_after):
    seen = scenario("ignores_term", world, stop_timeout, timeout_ms)

    assert seen["start"]["rc"] == 0
    assert seen["stop"]["rc"] == 0 and seen["stop"]["status"] == 0 and not seen["alive"]
    assert kill_after[0] <= seen["stop"]["elapsed"] < kill_after[1]


def test_user_nobody_runs_without_a_shell_with_its_own_groups(world):
    seen = scenario("user", world, "nobody")

    assert seen["start"]["rc"] == 0, seen["start"]
    assert [seen["uid"], seen["gid"], seen["groups"]] == seen["expected"]
    assert 0 not in seen["groups"] and seen["home"] == seen["pw_dir"]
    assert seen["pidfile"] == str(seen["pid"])  # no "This account is currently not available."
    assert seen["depth10"]["rc"] == 0 and seen["stop"]["rc"] == 0 and not seen["alive"]


def test_a_user_whose_home_does_not_exist_runs_in_the_root_directory(world):
    import pwd

    assert not os.path.isdir(pwd.getpwnam("nobody").pw_dir)  # /nonexistent, as on Debian and EL
    seen = scenario("user_without_workdir", world, "nobody")

    assert seen["validate"]["rc"] == 0 and seen["start"]["rc"] == 0, seen
    assert seen["cwd"] == "/" and seen["stop"]["rc"] == 0 and not seen["alive"]


@pytest.mark.parametrize("options, argv", [
    ("'$(touch {marker})' ; touch {marker}", ["$(touch {marker})", ";", "touch", "{marker}"]),
    ("`touch {marker}` | > {marker} && $HOME", ["`touch", "{marker}`", "|", ">", "{marker}", "&&", "$HOME"]),
    ("\"two words\" back\\ slash", ["two words", "back slash"]),
])
def test_cmdline_options_are_split_never_interpreted(world, options, argv):
    marker = world["dir"] + "/shell-ran"
    seen = scenario("arguments", world, options.replace("{marker}", marker))

    assert seen["start"]["rc"] == 0 and seen["monitor"]["rc"] == 0 and seen["stop"]["rc"] == 0
    assert seen["argv"] == repr([word.replace("{marker}", marker) for word in argv])
    assert not seen["shell_ran"]


def test_start_failures_end_with_a_code_and_a_line_before_the_timeout(world):
    seen = scenario("start_failures", world)

    assert seen["exits_at_once"]["rc"] == 1
    assert seen["exits_at_once"]["reason"] == ("false exited with status 1 right after it started: "
                                               "its stderr went to /dev/null (set errlogfile to see why)")
    assert seen["exits_with_message"]["reason"] == "sh exited with status 3 right after it started: config broken"
    never = seen["never_healthy"]
    assert never["rc"] == 1 and never["status"] == 0 and never["elapsed"] < 4
    assert never["reason"] == "not healthy before the start timeout: health_url: refused"
    assert seen["hook_fails"]["reason"] == "not healthy before the start timeout: monitor_hook: false exited with 1"
    for case in seen.values():
        assert case["stderr"].count("ocf-exit-reason:") == 1 and "Traceback" not in case["stderr"]
        assert case["stop"] == 0 and not case["alive_after_stop"]


def test_monitor_hook_is_an_argv_without_a_shell(world):
    seen = scenario("monitor_hook", world)

    assert seen["start"]["rc"] == 0, seen["start"]
    assert seen["monitor"]["rc"] == 1 and seen["monitor"]["reason"] == "monitor_hook: test exited with 1"
    assert seen["stop"]["rc"] == 0 and not seen["shell_ran"]


@pytest.mark.parametrize("broken", [
    {"binfile": "bin/sleep"}, {"binfile": None}, {"stop_timeout": "soon"}, {"health_timeout": "ten"},
    {"health_tcp": "nope"}, {"logfile": "relative.log"}, {"pidfile": "relative.pid"},
    {"monitor_hook": "test -e '/x"}, {"health_command": "test -e '/x"},  # an open quote: not a 6
    {"monitor_hook": " "}, {"health_command": " "},  # no command: not a traceback
    {"user": "ocfpy-no-such-user"}, {"workdir": "/nonexistent"}, {"health_status": "200-"},
], ids=lambda value: str(value))
def test_parameters_turned_invalid_under_a_running_daemon(world, broken):
    seen = scenario("invalid_later", world, broken)

    assert seen["start"]["rc"] == 0
    assert seen["probe"]["rc"] == 0 and seen["monitor"]["rc"] == 0  # running, whatever the values
    assert seen["depth10"]["rc"] == 0, seen["depth10"]
    assert seen["stop"]["rc"] == 0 and not seen["alive"] and seen["probe_after"]["rc"] == 7


def test_a_regex_turned_invalid_under_a_running_server_is_skipped_not_a_traceback(world):
    seen = scenario("regex_turned_invalid", world)

    assert seen["start"]["rc"] == 0
    assert seen["depth20"]["rc"] == 0, seen["depth20"]  # the status still checked, the regex skipped
    assert seen["reload"]["rc"] == 6 and seen["reload"]["reason"].startswith("health_regex: missing )")
    assert seen["stop"]["rc"] == 0
    assert "Traceback" not in seen["log"]
    assert "(default used): health_regex: missing ), unterminated subpattern" in seen["log"]


def test_a_check_the_kernel_cannot_run_fails_the_monitor_with_its_reason_not_a_traceback(world):
    seen = scenario("unrunnable_check", world)

    assert seen["start"]["rc"] == 0 and seen["stop"]["rc"] == 0
    for name, key in (("monitor_hook", "hook"), ("health_command", "command")):
        assert seen[key]["rc"] == 1
        assert seen[key]["reason"].startswith(f"{name}: cannot run "), seen[key]
        assert seen[key]["reason"].endswith("no-hash-bang.py: Exec format error")
    assert "Traceback" not in seen["log"]
