"""Status in crm_mon's words, as Pacemaker 2.1.5 prints `crm_mon -1 -r -f` (and -R for failure detail)."""

from __future__ import annotations

import time
from typing import List, Optional

from harness.execd import ExecStatus, ocf_name, readable_interval

from .history import NodeView, OpRecord, ResourceView

STACK = "none (ocfpy harness: one node, no cluster)"


def ctime(epoch: float) -> str:
    """pcmk__epoch2str(t, 0): ctime() without the newline, e.g. 'Tue Nov 24 14:51:46 2026'."""
    return time.ctime(epoch)


def resource_line(view: ResourceView) -> str:
    """pcmk__native_output_string(): 'dummy_service\\t(ocf:ocfpy:Dummy):\\t Started node1'."""
    text = f"{view.id}\t({view.agent}):\t"
    if view.failed:
        text += " FAILED"
        if view.role == "Promoted":
            text += " Promoted"
    else:
        text += " " + view.role
    if view.node:
        text += " " + view.node
    if view.role == "Stopped" and view.masked_probe is not None:
        text += f" ({ocf_name(view.masked_probe.rc)}) "
    flags = [name for name, on in (("disabled", view.disabled), ("blocked", view.blocked),
                                   ("failure ignored", view.failure_ignored)) if on]
    if flags:
        text += " (" + ", ".join(flags) + ")"
    return text


def failed_action_friendly(record: OpRecord) -> str:
    """failed_action_friendly(): the form crm_mon 2.1.5 prints by default."""
    task = "probe" if record.action == "monitor" and record.interval_ms == 0 else record.action
    text = f"{record.rsc} "
    if record.interval_ms:
        text += f"{readable_interval(record.interval_ms)}-interval "
    text += f"{task} on {record.node}"
    if record.status == ExecStatus.DONE:
        text += f" returned '{ocf_name(record.rc)}'"
        if record.exit_reason:
            text += f" ({record.exit_reason})"
    else:
        text += f" could not be executed ({record.status.text}"
        text += f": {record.exit_reason})" if record.exit_reason else ")"
    text += f" at {ctime(record.last_rc_change)}"
    if record.exec_ms > 0:
        text += f" after {readable_interval(record.exec_ms)}"
    return text


def failed_action_technical(record: OpRecord) -> str:
    """failed_action_technical() (crm_mon -R), the seed's 'dummy_service_monitor_120000 on node1 ...' form."""
    text = (f"{record.key} on {record.node} '{ocf_name(record.rc)}' ({record.rc}): "
            f"call={record.call_id}, status='{record.status.text}'")
    if record.exit_reason:
        text += f", exitreason='{record.exit_reason}'"
    text += f", last-rc-change='{ctime(record.last_rc_change)}'"
    return text + f", queued={record.queue_ms}ms, exec={record.exec_ms}ms"


def migration_line(view: ResourceView) -> str:
    """resource_history_string(): 'dummy_service: migration-threshold=1000000 fail-count=1 last-failure=...'."""
    text = f"{view.id}: migration-threshold={view.migration_threshold}"
    if view.fail_count > 0:
        text += f" fail-count={view.fail_count}"
    if view.last_failure:
        text += f" last-failure='{ctime(view.last_failure)}'"
    return text


def render_status(node: NodeView, inactive: bool = True, failcounts: bool = True, detail: bool = False,
                  now: Optional[float] = None) -> str:
    """The text `crm_mon -1` prints for this node: -r (inactive), -f (failcounts), -R (detail)."""
    sections = [_summary(node, now), _node_list(node, detail), _resources(node, inactive)]
    if failcounts:
        sections.append(_migration_summary(node))
    sections.append(_failed_actions(node, detail))
    return "\n\n".join(section for section in sections if section) + "\n"


def _summary(node: NodeView, now: Optional[float]) -> str:
    count = len(node.resources)
    lines = ["Cluster Summary:",
             f"  * Stack: {STACK}",
             f"  * Last updated: {ctime(now if now is not None else node.updated or time.time())} on {node.name}",
             "  * 1 node configured",
             f"  * {count} resource instance{'' if count == 1 else 's'} configured"]
    return "\n".join(lines)


def _node_list(node: NodeView, detail: bool) -> str:
    name = f"{node.name} ({node.node_id})" if detail else node.name
    if node.unclean:
        state = f"  * Node {name}: UNCLEAN (online)"
    elif node.standby:  # the harness only puts a node in standby for on-fail=standby
        state = f"  * Node {name}: standby (on-fail)"
    else:
        state = f"  * Online: [ {name} ]"
    return "Node List:\n" + state


def _active(node: NodeView) -> List[ResourceView]:
    return [view for view in node.resources if view.role != "Stopped" or view.failed]


def _resources(node: NodeView, inactive: bool) -> str:
    shown = list(node.resources) if inactive else _active(node)
    lines = ["Full List of Resources:" if inactive else "Active Resources:"]
    if shown:
        lines += ["  * " + resource_line(view) for view in shown]
    else:
        lines.append("  * No resources" if inactive else "  * No active resources")
    return "\n".join(lines)


def _migration_summary(node: NodeView) -> str:
    failing = [view for view in node.resources if view.fail_count > 0]
    if not failing:
        return ""
    return "\n".join(["Migration Summary:", f"  * Node: {node.name}:"]
                     + ["    * " + migration_line(view) for view in failing])


def _failed_actions(node: NodeView, detail: bool) -> str:
    records = [record for view in node.resources for record in view.failed_ops]
    if not records:
        return ""
    render = failed_action_technical if detail else failed_action_friendly
    return "\n".join(["Failed Resource Actions:"] + ["  * " + render(record) for record in records])
