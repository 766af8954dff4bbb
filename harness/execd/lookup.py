"""Agent lookup as services__ocf_prepare() does it: <dir>/<provider>/<type> over OCF_RA_PATH."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_OCF_ROOT = "/usr/lib/ocf"
DEFAULT_RA_PATH = DEFAULT_OCF_ROOT + "/resource.d"


class AgentSpecError(ValueError):
    """The agent was named in a way that cannot be looked up (bad 'ocf:PROVIDER:TYPE')."""


@dataclass(frozen=True)
class AgentRef:
    """An OCF agent: provider and type as Pacemaker knows them, and the file if one was found."""

    provider: str
    type: str
    path: str | None  # None: not installed (execd answers rc 5 without forking)
    standard: str = "ocf"

    @property
    def found(self) -> bool:
        return self.path is not None

    @property
    def spec(self) -> str:
        return f"{self.standard}:{self.provider}:{self.type}"


def _check_name(kind: str, name: str, spec: str) -> None:
    if not name:
        raise AgentSpecError(f"{spec!r}: empty {kind}; expected ocf:PROVIDER:TYPE")
    if "/" in name or "\0" in name or name in (".", ".."):
        raise AgentSpecError(f"{spec!r}: {kind} {name!r} is not a plain file name")


def find_agent(provider: str, agent_type: str, ra_path: str | None = None) -> str | None:
    """The first <dir>/<provider>/<type> that stat()s, executable or not; empty dirs are skipped."""
    for directory in (ra_path or DEFAULT_RA_PATH).split(":"):
        if not directory:
            continue
        candidate = f"{directory}/{provider}/{agent_type}"
        try:
            os.stat(candidate)
        except OSError:
            continue
        return os.path.abspath(candidate)  # the agent runs in another cwd
    return None


def resolve_agent(agent: str | AgentRef, ra_path: str | None = None) -> AgentRef:
    """'ocf:PROVIDER:TYPE' looked up over ra_path, or a file path (provider = its directory's name)."""
    if isinstance(agent, AgentRef):
        return agent
    if not isinstance(agent, str) or not agent:
        raise AgentSpecError(f"{agent!r}: expected ocf:PROVIDER:TYPE or a path to an agent")
    if "\0" in agent:
        raise AgentSpecError(f"{agent!r}: agent names cannot contain a NUL byte")
    if "/" in agent:
        return _resolve_path(agent)
    parts = agent.split(":")
    if len(parts) != 3:
        raise AgentSpecError(f"{agent!r}: expected ocf:PROVIDER:TYPE or a path to an agent")
    standard, provider, agent_type = parts
    if standard != "ocf":
        raise AgentSpecError(f"{agent!r}: only the ocf class is supported, not {standard!r}")
    _check_name("provider", provider, agent)
    _check_name("type", agent_type, agent)
    return AgentRef(provider, agent_type, find_agent(provider, agent_type, ra_path))


def _resolve_path(path: str) -> AgentRef:
    absolute = os.path.abspath(path)
    agent_type = os.path.basename(absolute)
    provider = os.path.basename(os.path.dirname(absolute))
    _check_name("type", agent_type, path)
    try:
        os.stat(absolute)
    except OSError:
        return AgentRef(provider, agent_type, None)
    return AgentRef(provider, agent_type, absolute)
