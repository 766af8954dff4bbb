"""Typed errors a handler raises to end its action with an OCF code and an exit reason."""

from ocfpy import codes


class OCFError(Exception):
    """End the action: the message becomes the exit reason, ``rc`` the exit code."""

    rc = codes.ERR_GENERIC

    def __init__(self, reason: str = "", rc: "int | None" = None):
        super().__init__(reason)
        self.reason = reason
        if rc is not None:
            if rc not in codes.VALID:
                raise ValueError(f"{rc!r} is not an OCF exit code")
            self.rc = int(rc)


class InvalidArgument(OCFError):
    """The configuration is wrong for this node (rc 2); another node may run it."""

    rc = codes.ERR_ARGS


class WrongKind(InvalidArgument):
    """A path holds the wrong kind of file, e.g. a directory or a link where a file belongs (rc 2).

    Nothing an agent's own start wrote can be such a thing; an agent whose state is that file
    may report "not running" from monitor, and stop may leave it alone.
    """


class Unimplemented(OCFError):
    """The action is not implemented (rc 3)."""

    rc = codes.ERR_UNIMPLEMENTED


class InsufficientPrivileges(OCFError):
    """The agent lacks a privilege it needs (rc 4)."""

    rc = codes.ERR_PERM


class NotInstalled(OCFError):
    """Something the agent needs is missing on this node (rc 5)."""

    rc = codes.ERR_INSTALLED


class NotConfigured(OCFError):
    """The configuration is invalid anywhere (rc 6): Pacemaker will not retry on any node."""

    rc = codes.ERR_CONFIGURED


class NotRunning(OCFError):
    """The resource is cleanly stopped (rc 7); from a recurring monitor, a failure."""

    rc = codes.NOT_RUNNING


class FailedPromoted(OCFError):
    """The resource failed while promoted (rc 9)."""

    rc = codes.FAILED_PROMOTED
