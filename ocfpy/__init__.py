"""ocfpy: write OCF resource agents for Pacemaker in plain Python."""

from ocfpy import codes
from ocfpy.agent import Agent
from ocfpy.errors import (
    FailedPromoted,
    InsufficientPrivileges,
    InvalidArgument,
    NotConfigured,
    NotInstalled,
    NotRunning,
    OCFError,
    Unimplemented,
)
from ocfpy.params import Parameter, is_true

__version__ = "0.1.0"

__all__ = [
    "Agent", "FailedPromoted", "InsufficientPrivileges", "InvalidArgument", "NotConfigured",
    "NotInstalled", "NotRunning", "OCFError", "OCFExit", "Parameter", "Unimplemented", "codes", "is_true",
]


def __getattr__(name: str):
    """``OCFExit`` is imported on first use: the enum module costs a probe a millisecond."""
    if name == "OCFExit":
        from ocfpy.exitcodes import OCFExit

        return OCFExit
    raise AttributeError(f"module 'ocfpy' has no attribute {name!r}")
