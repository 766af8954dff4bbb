"""Differential tests: harness.execd against `crm_resource --validate` and `--force-*` (issue 3 item 5b, H18).

The harness runs each case with profile="crm_resource", and the result must equal what crm_resource
reports in its XML (`<agent-status code execution_code reason>`, `<output source=...>`) and its exit status.

Known differences between crm_resource and pacemaker-execd (conformance §1.10), which these tests
do not paper over:
* stdin is inherited from the caller and cwd is the caller's (execd: /dev/null, /var/lib/pacemaker/cores);
* a timeout SIGKILLs only the agent's pid (execd: its process group), with the reason "Resource agent
  did not exit within specified timeout" (execd: "... did not complete within <interval>");
* with -r, the resource's meta attributes are passed as CRM_meta_* (class, id, provider, type, ...);
  the cluster never does that, so those variables are left out of the environment comparison;
* `--option k=v` values end at the first newline and an empty value is refused;
* an agent that is not installed is a usage error (exit 64) before anything runs, where execd
  reports rc 5 / NOT_INSTALLED; the harness answers as execd does in every profile;
* `--timeout N` without a unit means seconds, so the tests always pass milliseconds with "ms";
* Debian's crm_resource also exports COLUMNS=80 and LINES=24 when its output is not a terminal;
  no line of Pacemaker 2.1.5's source sets them, so the profile does not copy them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
import xml.etree.ElementTree as ET

import pytest

from harness.execd import ExecStatus, Operation, run

RESOURCE_D = "/usr/lib/ocf/resource.d"
PROVIDER = f"ocfpydiff{os.getpid()}"

DIFF_AGENT = r"""#!/bin/sh
printf 'out %s %s\n' "$1" "$OCF_RESKEY_word"
echo "err line" >&2
[ -n "$OCF_RESKEY_sleep" ] && sleep "$OCF_RESKEY_sleep"
[ -n "$OCF_RESKEY_reason" ] && printf 'ocf-exit-reason:%s\n' "$OCF_RESKEY_reason" >&2
[ -n "$OCF_RESKEY_reason2" ] && printf 'noise ocf-exit-reason:%s\n' "$OCF_RESKEY_reason2" >&2
[ -n "$OCF_RESKEY_reason_stdout" ] && printf 'ocf-exit-reason:%s\n' "$OCF_RESKEY_reason_stdout"
[ -n "$OCF_RESKEY_sig" ] && kill -s "$OCF_RESKEY_sig" $$
exit "${OCF_RESKEY_rc:-0}"
"""
ENV_AGENT = "#!/bin/sh\ncat /proc/$$/environ > \"$OCF_RESKEY_dump\"\n"
AGENTS = {  # name: (body, mode)
    "Diff": (DIFF_AGENT, 0o755),
    "Env": (ENV_AGENT, 0o755),
    "NotExec": ("#!/bin/sh\nexit 0\n", 0o644),
    "BadInterp": ("#!/nonexistent/interp\nexit 0\n", 0o755),
    "NoShebang": ('echo "no shebang $1"\nexit 3\n', 0o755),
}

NOT_FROM_PACEMAKER = (b"COLUMNS", b"LINES")

CASES = {  # id: (agent, params, timeout_ms)
    "ok": ("Diff", {"word": "hello"}, 20000),
    "not-running-with-reason": ("Diff", {"rc": "7", "reason": "because"}, 20000),
    "degraded": ("Diff", {"rc": "190"}, 20000),
    "degraded-promoted": ("Diff", {"rc": "191"}, 20000),
    "out-of-range-200": ("Diff", {"rc": "200"}, 20000),
    "out-of-range-255": ("Diff", {"rc": "255"}, 20000),
    "long-reason-cut-at-128": ("Diff", {"rc": "1", "reason": "L" * 150}, 20000),
    "last-reason-wins-mid-line": ("Diff", {"rc": "1", "reason": "first", "reason2": "second"}, 20000),
    "reason-on-stdout-ignored": ("Diff", {"rc": "6", "reason_stdout": "not here"}, 20000),
    "leading-space-kept": ("Diff", {"rc": "2", "reason": "  spaced"}, 20000),
    "reason-with-rc-0": ("Diff", {"reason": "fine anyway"}, 20000),
    "signal-term": ("Diff", {"sig": "TERM"}, 20000),
    "signal-kill": ("Diff", {"sig": "KILL"}, 20000),
    "timeout": ("Diff", {"sleep": "5"}, 800),
    "not-executable": ("NotExec", {}, 20000),
    "bad-interpreter": ("BadInterp", {}, 20000),
    "no-shebang": ("NoShebang", {}, 20000),
}


@pytest.fixture(scope="module")
def provider_dir():
    """A throwaway provider under /usr/lib/ocf/resource.d, removed even when a test fails."""
    if os.geteuid() != 0 or shutil.which("crm_resource") is None:
        pytest.skip("needs root and crm_resource (Debian: pacemaker-cli-utils)")
    path = os.path.join(RESOURCE_D, PROVIDER)
    try:
        os.makedirs(path)
        for name, (body, mode) in AGENTS.items():
            with open(os.path.join(path, name), "w") as handle:
                handle.write(body)
            os.chmod(os.path.join(path, name), mode)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _crm_resource(args, env=None):
    proc = subprocess.run(["crm_resource", *args, "--output-as=xml"], capture_output=True, env=env, timeout=60)
    status = ET.fromstring(proc.stdout).find(".//agent-status")
    outputs = {node.get("source"): (node.text or "") for node in ET.fromstring(proc.stdout).iter("output")}
    return proc.returncode, status, outputs


def _validate(agent, params, timeout_ms):
    options = [arg for name, value in params.items() for arg in ("--option", f"{name}={value}")]
    return _crm_resource(["--validate", "--class", "ocf", "--provider", PROVIDER, "--agent", agent,
                          "--timeout", f"{timeout_ms}ms", *options])


def _cib_with(tmp_path, agent, params):
    """An offline CIB holding one primitive `p1` of our agent with `params` as instance attributes."""
    cib = tmp_path / "cib.xml"
    cib.write_bytes(subprocess.run(["cibadmin", "--empty"], capture_output=True, check=True).stdout)
    primitive = ET.Element("primitive", id="p1", **{"class": "ocf"}, provider=PROVIDER, type=agent)
    attributes = ET.SubElement(primitive, "instance_attributes", id="p1-ia")
    for name, value in params.items():
        ET.SubElement(attributes, "nvpair", id=f"p1-{name}", name=name, value=value)
    subprocess.run(["cibadmin", "--create", "-o", "resources", "--xml-text", ET.tostring(primitive, encoding="unicode")],
                   env=dict(os.environ, CIB_file=str(cib)), check=True, capture_output=True)
    return dict(os.environ, CIB_file=str(cib))


def _assert_same(result, crm):
    exit_status, status, outputs = crm
    assert result.rc == exit_status == int(status.get("code"))
    assert int(result.status) == int(status.get("execution_code"))
    assert result.exit_reason == status.get("reason")
    assert result.stdout.decode() == outputs.get("stdout", "")
    assert result.stderr.decode() == outputs.get("stderr", "")


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_matches_crm_resource(provider_dir, case):
    agent, params, timeout_ms = CASES[case]

    crm = _validate(agent, params, timeout_ms)
    result = run(Operation(f"ocf:{PROVIDER}:{agent}", "validate-all", params=params, timeout_ms=timeout_ms,
                           profile="crm_resource"))

    _assert_same(result, crm)


@pytest.mark.parametrize("option, action", [("--force-check", "monitor"), ("--force-start", "start"),
                                            ("--force-stop", "stop")])
@pytest.mark.parametrize("case", ["ok", "not-running-with-reason", "degraded", "out-of-range-200",
                                  "last-reason-wins-mid-line", "signal-term", "timeout", "not-executable"])
def test_force_actions_match_crm_resource(provider_dir, tmp_path, case, option, action):
    agent, params, timeout_ms = CASES[case]
    env = _cib_with(tmp_path, agent, params)

    crm = _crm_resource(["-r", "p1", option, "--timeout", f"{timeout_ms}ms"], env=env)
    result = run(Operation(f"ocf:{PROVIDER}:{agent}", action, params=params, timeout_ms=timeout_ms,
                           instance="p1", profile="crm_resource"))

    _assert_same(result, crm)


def test_timeout_under_crm_resource_is_timed_out_with_its_own_reason(provider_dir):
    _, status, _ = _validate("Diff", {"sleep": "5"}, 800)

    assert int(status.get("execution_code")) == ExecStatus.TIMEOUT
    assert status.get("reason") == "Resource agent did not exit within specified timeout"


def test_environment_matches_crm_resource_validate(provider_dir, tmp_path):
    """Plain text output, as users run it: --output-as=xml sets OCF_OUTPUT_FORMAT=xml (and COLUMNS/LINES)."""
    params = {"foo": "bar", "dash-name": "v", "spaced": "a  b"}

    subprocess.run(["crm_resource", "--validate", "--class", "ocf", "--provider", PROVIDER, "--agent", "Env",
                    "--option", f"dump={tmp_path / 'theirs'}", *[f"--option={k}={v}" for k, v in params.items()]],
                   capture_output=True, timeout=60)
    run(Operation(f"ocf:{PROVIDER}:Env", "validate-all", params={**params, "dump": str(tmp_path / "ours")},
                  profile="crm_resource"))

    theirs, ours = (dict(entry.split(b"=", 1) for entry in (tmp_path / name).read_bytes().split(b"\0") if entry)
                    for name in ("theirs", "ours"))
    theirs[b"OCF_RESKEY_dump"] = ours[b"OCF_RESKEY_dump"]
    for name in NOT_FROM_PACEMAKER:
        theirs.pop(name, None)
    assert ours == theirs


def test_newline_in_an_option_value_is_cut_by_both(provider_dir):
    crm = _validate("Diff", {"word": "kept\nlost"}, 20000)
    result = run(Operation(f"ocf:{PROVIDER}:Diff", "validate-all", params={"word": "kept\nlost"},
                           profile="crm_resource"))

    _assert_same(result, crm)
    assert result.stdout == b"out validate-all kept\n"


def test_known_difference_missing_agent(provider_dir):
    proc = subprocess.run(["crm_resource", "--validate", "--class", "ocf", "--provider", PROVIDER,
                           "--agent", "Missing"], capture_output=True)
    result = run(Operation(f"ocf:{PROVIDER}:Missing", "validate-all", profile="crm_resource"))

    assert proc.returncode == 64 and b"is not a known resource" in proc.stderr
    assert (result.rc, result.status) == (5, ExecStatus.NOT_INSTALLED)
