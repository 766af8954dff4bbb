"""OCF exit codes, execd's mapping of raw exit statuses, and Pacemaker's readable intervals."""

from __future__ import annotations

# services_ocf_exitcode_str() names, so printed results read like crm_resource's
OCF_NAMES = {
    0: "ok",
    1: "error",
    2: "invalid parameter",
    3: "unimplemented feature",
    4: "insufficient privileges",
    5: "not installed",
    6: "not configured",
    7: "not running",
    8: "promoted",
    9: "promoted (failed)",
    190: "OCF_DEGRADED",
    191: "promoted (degraded)",
}

OCF_SUCCESS = 0
OCF_ERR_GENERIC = 1
OCF_ERR_PERM = 4
OCF_ERR_INSTALLED = 5
OCF_DEGRADED = 190
OCF_DEGRADED_PROMOTED = 191
OCF_FAILED_PROMOTED = 9

MS_IN_S = 1000
MS_IN_M = MS_IN_S * 60
MS_IN_H = MS_IN_M * 60
MS_IN_D = MS_IN_H * 24


def map_exit_code(exit_status: int) -> int:
    """services__ocf2ocf(): keep 0-9, 190 and 191, turn everything else into 1."""
    if exit_status in (OCF_DEGRADED, OCF_DEGRADED_PROMOTED):
        return exit_status
    if exit_status < 0 or exit_status > OCF_FAILED_PROMOTED:
        return OCF_ERR_GENERIC
    return exit_status


def ocf_name(rc: int) -> str:
    """The name Pacemaker prints for an OCF code."""
    return OCF_NAMES.get(rc, "unknown")


def readable_interval(interval_ms: int) -> str:
    """pcmk__readable_interval() of 2.1.5: strict '>' comparisons, so 60000 -> '60s', 1000 -> '1000ms'."""
    parts = []
    for unit_ms, suffix in ((MS_IN_D, "d"), (MS_IN_H, "h"), (MS_IN_M, "m")):
        if interval_ms > unit_ms:
            parts.append(f"{interval_ms // unit_ms}{suffix}")
            interval_ms %= unit_ms
    if interval_ms > MS_IN_S:
        seconds, millis = divmod(interval_ms, MS_IN_S)
        parts.append(f"{seconds}.{millis:03d}s" if millis else f"{seconds}s")
    elif interval_ms > 0:
        parts.append(f"{interval_ms}ms")
    elif not parts:
        parts.append("0s")
    return "".join(parts)
