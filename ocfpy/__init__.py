"""ocfpy: write OCF resource agents for Pacemaker in plain Python."""

__version__ = "0.1.0"

# Each public name and the module that defines it, imported on first use: an installed
# agent's meta-data (ocfpy.launch) then loads none of them, and a probe no enum.
_EXPORTS = {
    "Agent": "ocfpy.agent",
    "FailedPromoted": "ocfpy.errors",
    "InsufficientPrivileges": "ocfpy.errors",
    "InvalidArgument": "ocfpy.errors",
    "NotConfigured": "ocfpy.errors",
    "NotInstalled": "ocfpy.errors",
    "NotRunning": "ocfpy.errors",
    "OCFError": "ocfpy.errors",
    "OCFExit": "ocfpy.exitcodes",
    "Parameter": "ocfpy.params",
    "Unimplemented": "ocfpy.errors",
    "WrongKind": "ocfpy.errors",
    "codes": "ocfpy.codes",
    "is_true": "ocfpy.params",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'ocfpy' has no attribute {name!r}")
    module = __import__(module_name, fromlist=[name])
    value = module if name == "codes" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
