"""What Pacemaker 2.1.5's scheduler makes of one result: expected code, remapping, classification (H16).

The rules follow remap_operation() and unpack_rsc_op() in lib/pengine/unpack.c of 2.1.5:
degraded codes are remapped only for monitor, a probe's 5, 2 or NOT_INSTALLED is masked as
"not running", 6 is fatal, 2/4/5 (and 3 when not recurring) are hard, everything else soft,
and a failed stop can only be recovered by fencing; without fencing the resource is blocked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from harness.execd import ExecStatus

OCF_OK, OCF_ERR_GENERIC, OCF_ERR_ARGS, OCF_ERR_UNIMPLEMENTED = 0, 1, 2, 3
OCF_ERR_PERM, OCF_ERR_INSTALLED, OCF_ERR_CONFIGURED, OCF_NOT_RUNNING = 4, 5, 6, 7
OCF_RUNNING_PROMOTED, OCF_FAILED_PROMOTED = 8, 9
OCF_DEGRADED, OCF_DEGRADED_PROMOTED = 190, 191

SOFT, HARD, FATAL = "soft", "hard", "fatal"
PROMOTED_ROLES = ("Promoted", "Master")

# executor statuses the scheduler takes as final (it re-judges only DONE and ERROR)
_STATUS_SEVERITY = {
    ExecStatus.TIMEOUT: SOFT,
    ExecStatus.NOT_SUPPORTED: SOFT,
    ExecStatus.INVALID: SOFT,
    ExecStatus.NOT_CONNECTED: SOFT,
    ExecStatus.ERROR_HARD: HARD,
    ExecStatus.NOT_INSTALLED: HARD,
    ExecStatus.NO_FENCE_DEVICE: HARD,
    ExecStatus.NO_SECRETS: HARD,
    ExecStatus.ERROR_FATAL: FATAL,
}


@dataclass(frozen=True)
class Verdict:
    """The scheduler's reading of one result on one node."""

    expected: int
    rc: int  # after the monitor remap and probe masking
    status: ExecStatus  # the status the scheduler acts on
    severity: Optional[str]  # None (not a failure), SOFT, HARD (ban from the node) or FATAL (ban everywhere)
    role: Optional[str]  # the role the result proves: Stopped, Started, Promoted, Unpromoted; None: unchanged
    listed: bool  # shown under "Failed Resource Actions"
    masked_probe: bool = False  # probe 5/2/NOT_INSTALLED read as "not running"; the node is banned
    stop_failed: bool = False  # recoverable only by fencing; without it the resource is blocked

    @property
    def failed(self) -> bool:
        return self.severity is not None


def is_probe(action: str, interval_ms: int) -> bool:
    return action == "monitor" and interval_ms == 0


def expected_rc(action: str, interval_ms: int, role: Optional[str] = None) -> int:
    """The code the cluster expects: 7 from a probe, 8 from a Promoted monitor, else 0."""
    if is_probe(action, interval_ms):
        return OCF_NOT_RUNNING
    if action == "monitor" and role in PROMOTED_ROLES:
        return OCF_RUNNING_PROMOTED
    return OCF_OK


def effective_rc(action: str, rc: int) -> int:
    """pcmk__effective_rc(), applied only to monitor: 190 -> 0 and 191 -> 8."""
    if action != "monitor":
        return rc
    return {OCF_DEGRADED: OCF_OK, OCF_DEGRADED_PROMOTED: OCF_RUNNING_PROMOTED}.get(rc, rc)


def masks_probe_failure(action: str, interval_ms: int, rc: int, status: ExecStatus) -> bool:
    """pcmk_xe_mask_probe_failure(): not installed or bad parameters, seen by a probe."""
    return is_probe(action, interval_ms) and (
        rc in (OCF_ERR_INSTALLED, OCF_ERR_ARGS) or status == ExecStatus.NOT_INSTALLED)


_ALWAYS_FAILED = (ExecStatus.NOT_SUPPORTED, ExecStatus.TIMEOUT, ExecStatus.ERROR, ExecStatus.NOT_CONNECTED,
                  ExecStatus.NO_FENCE_DEVICE, ExecStatus.NO_SECRETS, ExecStatus.INVALID)


def writes_last_failure(rc: int, status: ExecStatus, expected: int) -> bool:
    """did_rsc_op_fail(): whether the controller records a last-failure entry (raw code, unremapped)."""
    if status == ExecStatus.CANCELLED:
        return False
    return status in _ALWAYS_FAILED or rc != expected


def interpret(action: str, interval_ms: int, rc: int, status: ExecStatus, role: Optional[str] = None,
              expected: Optional[int] = None) -> Verdict:
    """Read one result as the scheduler would; `role` is the op's role (Promoted monitors expect 8)."""
    target = expected_rc(action, interval_ms, role) if expected is None else expected
    status = ExecStatus(status)
    if status == ExecStatus.CANCELLED:  # never acted upon: a cancellation is not a result
        return Verdict(target, rc, status, None, None, listed=False)
    remapped = effective_rc(action, rc)
    degraded = remapped != rc
    if masks_probe_failure(action, interval_ms, rc, status):
        return Verdict(target, OCF_NOT_RUNNING, ExecStatus.DONE, None, "Stopped", listed=False,
                       masked_probe=True)
    if status not in (ExecStatus.DONE, ExecStatus.ERROR):
        severity = _STATUS_SEVERITY.get(status, SOFT)
        return _failure(action, target, remapped, status, severity, degraded)
    return _judge_code(action, interval_ms, target, remapped, degraded)


def _judge_code(action: str, interval_ms: int, target: int, rc: int, degraded: bool) -> Verdict:
    """The switch on the code in remap_operation(), after status DONE or ERROR."""
    probe = is_probe(action, interval_ms)
    if rc == OCF_OK and (rc == target or probe):
        return Verdict(target, rc, ExecStatus.DONE, None, _success_role(action), listed=degraded)
    if rc == OCF_NOT_RUNNING and (rc == target or probe):
        return Verdict(target, rc, ExecStatus.DONE, None, "Stopped", listed=degraded)
    if rc == OCF_RUNNING_PROMOTED and (rc == target or probe):
        return Verdict(target, rc, ExecStatus.DONE, None, "Promoted", listed=degraded)
    if rc == target:
        return Verdict(target, rc, ExecStatus.DONE, None, _success_role(action), listed=degraded)
    if rc == OCF_ERR_CONFIGURED:
        return _failure(action, target, rc, ExecStatus.ERROR_FATAL, FATAL, degraded)
    if rc == OCF_ERR_UNIMPLEMENTED and interval_ms:
        return _failure(action, target, rc, ExecStatus.NOT_SUPPORTED, SOFT, degraded)
    if rc in (OCF_ERR_UNIMPLEMENTED, OCF_ERR_INSTALLED, OCF_ERR_ARGS, OCF_ERR_PERM):
        return _failure(action, target, rc, ExecStatus.ERROR_HARD, HARD, degraded)
    return _failure(action, target, rc, ExecStatus.ERROR, SOFT, degraded)


def _failure(action: str, target: int, rc: int, status: ExecStatus, severity: str, degraded: bool) -> Verdict:
    role = "Started"  # unpack_rsc_op_failure(): a failed resource counts as active (so it gets stopped)
    if rc in (OCF_RUNNING_PROMOTED, OCF_FAILED_PROMOTED, OCF_DEGRADED_PROMOTED) or action == "promote":
        role = "Promoted"
    elif action == "demote":
        role = "Stopped" if rc == OCF_NOT_RUNNING else "Unpromoted"
    return Verdict(target, rc, status, severity, role, listed=True, stop_failed=action == "stop")


def _success_role(action: str) -> Optional[str]:
    return {"start": "Started", "stop": "Stopped", "promote": "Promoted", "demote": "Unpromoted",
            "monitor": "Started", "migrate_from": "Started", "migrate_to": "Stopped"}.get(action)
