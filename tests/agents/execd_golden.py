"""Reading EnvProbe dumps (tests/data/execd-golden) into comparable facts, pids and pipe inodes aside."""

from __future__ import annotations

import json
import re
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "execd-golden"
PROBE_AGENT = GOLDEN / "EnvProbe"
# start_execd.py turns on a debug log; H4's profile is §2.1 without these
DEBUG_LOG_VARIABLES = {"PCMK_logfile", "PCMK_debug", "HA_LOGFILE", "HA_DEBUGLOG"}
# what the controller itself puts into every parameter table (lrmd_probe was given them explicitly)
CONTROLLER_PARAMS = {"CRM_meta_timeout", "CRM_meta_on_node", "CRM_meta_on_node_uuid", "crm_feature_set"}
# fields of /proc/PID/stat after "pid (comm) "
STAT_PGRP, STAT_SESSION, STAT_TTY, STAT_PRIORITY, STAT_NICE, STAT_POLICY = 2, 3, 4, 15, 16, 38


def golden_results() -> dict:
    return json.loads((GOLDEN / "results.json").read_text())


def read_environment(path: Path, dump_dir: str) -> dict:
    """The execve() environment, with the per-run dump directory replaced by a placeholder."""
    env = {}
    for entry in path.read_bytes().split(b"\0"):
        if entry:
            name, _, value = entry.decode("utf-8", "surrogateescape").partition("=")
            env[name] = "<dump_dir>" if name == "OCF_RESKEY_dump_dir" else value
    assert env.get("OCF_RESKEY_dump_dir") == "<dump_dir>", f"{path} was not written for {dump_dir}"
    return env


def read_process(path: Path, agent_path: str) -> dict:
    """argv, cwd, umask, ids, and how the agent's group, session and priority relate to its parent's."""
    raw = dict(line.split("=", 1) for line in path.read_text().splitlines())
    me, parent = raw["self_stat"].split(), raw["parent_stat"].split()
    return {
        "argc": raw["argc"], "argv0": raw["argv0"].replace(agent_path, "<agent>"), "argv1": raw["argv1"],
        "cwd": raw["cwd"], "umask": raw["umask"], "uid": raw["uid"], "gid": raw["gid"], "groups": raw["groups"],
        "own process group": me[STAT_PGRP] == raw["pid"],
        "parent's session": me[STAT_SESSION] == parent[STAT_SESSION],
        "parent's terminal": me[STAT_TTY] == parent[STAT_TTY],
        "priority": me[STAT_PRIORITY], "nice": me[STAT_NICE], "policy": me[STAT_POLICY],
    }


def read_fds(path: Path, agent_path: str) -> list:
    """Open descriptors at start: number, what (pipe inodes dropped) and open flags."""
    fds = []
    for line in path.read_text().splitlines():
        _, number, target, flags = line.split(" ", 3)
        target = re.sub(r"^pipe:\[\d+\]$", "pipe", target).replace(agent_path, "<agent>")
        fds.append((int(number), target, flags))
    return fds


def read_signals(path: Path) -> dict:
    return dict(line.split(":\t", 1) for line in path.read_text().splitlines())


def read_dump(directory: Path, action: str, agent_path: str) -> dict:
    """Every fact of one dump, keyed for a variable-by-variable comparison."""
    facts = {f"env {name}": value
             for name, value in read_environment(directory / f"{action}.env0", str(directory)).items()}
    facts.update({f"process {k}": v for k, v in read_process(directory / f"{action}.proc", agent_path).items()})
    facts["fds"] = read_fds(directory / f"{action}.fds", agent_path)
    facts.update({f"status {k}": v for k, v in read_signals(directory / f"{action}.sig").items()})
    return facts


def operation_fields(scenario: dict) -> dict:
    """Turn the parameter list given to lrmd_probe back into Operation fields."""
    params, meta, check_level = {}, {}, None
    for pair in scenario["params"]:
        name, _, value = pair.partition("=")
        if name in ("CRM_meta_interval", "CRM_meta_name"):
            continue  # the harness adds these itself for recurring operations
        if name == "OCF_CHECK_LEVEL":
            check_level = int(value)
        elif name.startswith("CRM_meta_"):
            meta[name[len("CRM_meta_"):]] = value
        else:
            params[name] = value
    return {"action": scenario["action"], "params": params, "meta": meta, "check_level": check_level,
            "instance": scenario["instance"], "interval_ms": scenario["interval_ms"],
            "timeout_ms": scenario["timeout_ms"]}
