"""ocfpy: write OCF resource agents for Pacemaker in plain Python."""

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
from ocfpy.exitcodes import OCFExit
from ocfpy.params import Parameter, is_true

__version__ = "0.1.0"

__all__ = [
    "Agent", "FailedPromoted", "InsufficientPrivileges", "InvalidArgument", "NotConfigured",
    "NotInstalled", "NotRunning", "OCFError", "OCFExit", "Parameter", "Unimplemented", "is_true",
]
