"""V8: the optional suites (notify, promotable, check levels, reload-agent, migrate), run where advertised."""

from __future__ import annotations

from harness.execd import ExecStatus

from harness.check import lifecycle
from harness.check.findings import ERROR, WARNING
from harness.check.session import Session

CLONE_META = {"clone": "0", "clone_max": "2", "clone_node_max": "1", "globally_unique": "false"}
PROMOTABLE_META = dict(CLONE_META, promoted_max="1", promoted_node_max="1", master_max="1", master_node_max="1")
PROMOTED = 8


def notify_meta(kind: str, operation: str, instance: str) -> dict:
    """The CRM_meta_notify_* set of a clone notification (empty lists are a single space)."""
    meta = dict(CLONE_META, notify="true", notify_type=kind, notify_operation=operation,
                notify_key_type=kind, notify_key_operation=operation)
    for key in ("start", "stop", "promote", "demote"):
        meta[f"notify_{key}_resource"] = f"{instance}:0" if key == operation else " "
        meta[f"notify_{key}_uname"] = "node1" if key == operation else " "
    for key in ("active", "inactive", "promoted", "unpromoted", "master", "slave"):
        meta[f"notify_{key}_resource"] = " "
        meta[f"notify_{key}_uname"] = " "
    for key in ("active", "available", "all"):
        meta[f"notify_{key}_uname"] = "node1 node2"
    return meta


def run_while_running(session: Session) -> None:
    """The suites that need a running resource."""
    check_notify(session)
    check_promotable(session)
    check_levels(session)
    check_reload(session)


def check_notify(session: Session) -> None:
    instance = session.config.instance
    if not _advertised(session, "notify"):
        presence = session.run("notify (presence)", "notify", meta=notify_meta("post", "start", instance))
        _unadvertised(session, "notify", presence)
        session.log.skip("suite.notify", "notify is not advertised")
        return
    for kind in ("pre", "post"):
        result = session.run(f"notify ({kind}-start)", "notify", meta=notify_meta(kind, "start", instance))
        if result.rc == 3:
            _advertised_unimplemented(session, "notify")
            return
        session.expect("suite.notify", f"{kind}-start notify", result, (0,), "notify returns 0 (it may do nothing)")


def _advertised(session: Session, action: str) -> bool:
    return bool(session.md and session.md.advertises(action))


def _advertised_unimplemented(session: Session, action: str) -> None:
    session.note("metadata.advertised-unimplemented", ERROR, f"{action} is advertised but answers 3 (unimplemented)",
                 f"implement {action} or remove it from the meta-data", action)


def _unadvertised(session: Session, action: str, presence) -> None:
    """An optional action the meta-data leaves out but the agent answers with 0: its own warning."""
    session.log.ran("metadata.unadvertised")
    if presence.status == ExecStatus.DONE and presence.rc == 0:
        session.note("metadata.unadvertised", WARNING, f"the agent implements {action} (it returned 0) but does not advertise it",
                     f'advertise it in the meta-data (<action name="{action}" timeout="..."/>) so tools and users '
                     f"know it exists, or answer {action} with 3", action)


def check_promotable(session: Session) -> None:
    """Where promote or demote is advertised: ocf-tester's presence probes, then the promotable sequence."""
    if not (_advertised(session, "promote") or _advertised(session, "demote")):
        _unadvertised(session, "demote", session.run("demote (presence)", "demote", meta=PROMOTABLE_META))
        session.log.skip("suite.promotable", "promote and demote are not advertised (not promotable)")
        return
    demoted = session.run("demote (presence)", "demote", meta=PROMOTABLE_META)
    promoted = session.run("promote (presence)", "promote", meta=PROMOTABLE_META)
    has_demote, has_promote = demoted.rc != 3, promoted.rc != 3
    if not has_demote and not has_promote:
        for action in ("promote", "demote"):
            if _advertised(session, action):
                _advertised_unimplemented(session, action)
        session.log.skip("suite.promotable", "promote and demote are not implemented (not promotable)")
        return
    session.log.ran("suite.promotable-pair")
    if has_demote != has_promote:
        missing = "demote" if has_promote else "promote"
        session.note("suite.promotable-pair", ERROR, f"the agent implements {'promote' if has_promote else 'demote'} but not {missing}",
                     "a promotable agent implements both promote and demote", missing)
        session.run("demote (cleanup)", "demote", meta=PROMOTABLE_META)
        return
    _promotable_sequence(session)


def _promotable_sequence(session: Session) -> None:
    def act(step: str, action: str, expected: tuple = (0,)) -> bool:
        return session.expect("suite.promotable", step, session.run(step, action, meta=PROMOTABLE_META), expected,
                              f"{action} returns 0, also when the instance is already in the target role")

    def watch(step: str, role: str, expected: int) -> None:
        result = session.run(step, "monitor", meta=dict(PROMOTABLE_META, role=role),
                             interval_ms=session.monitor_interval_ms(role))
        session.expect("suite.promotable", step, result, (expected,),
                       "monitor returns 8 while promoted and 0 while unpromoted")

    session.run("demote (reset)", "demote", meta=PROMOTABLE_META)
    if act("promote", "promote"):
        watch("monitor (promoted)", "Promoted", PROMOTED)
        session.expect("suite.promotable", "probe (promoted)", lifecycle.probe(session, "probe (promoted)", meta=PROMOTABLE_META),
                       (PROMOTED,), "a probe of a promoted instance returns 8")
        act("promote again", "promote")
    if act("demote", "demote"):
        watch("monitor (unpromoted)", "Unpromoted", 0)
        act("demote again", "demote")
    act("promote after demote", "promote")
    act("demote to finish", "demote")


def check_levels(session: Session) -> None:
    """Every advertised monitor depth, and one between them (it must fall to the next lower level)."""
    depths = sorted({int(a.depth) for a in (session.md.actions if session.md else [])
                     if a.name == "monitor" and a.depth and a.depth.strip().isdigit() and int(a.depth) > 0})
    if not depths:
        session.log.skip("suite.check-levels", "no monitor depth above 0 is advertised")
        return
    for depth in depths + [depths[-1] + 1]:
        result = session.run(f"monitor OCF_CHECK_LEVEL={depth}", "monitor", check_level=depth,
                             interval_ms=session.monitor_interval_ms())
        session.expect("suite.check-levels", f"monitor at check level {depth}", result, (0,),
                       "each advertised depth returns 0 on a healthy resource; unknown levels fall back to the next lower one")


def check_reload(session: Session) -> None:
    if not (session.md and session.md.advertises("reload-agent")):
        session.log.skip("suite.reload-agent", "reload-agent is not advertised")
        return
    changed = changed_reloadable_params(session)
    result = session.run("reload-agent", "reload-agent", params=changed)
    if session.expect("suite.reload-agent", "reload-agent", result, (0,),
                      "reload-agent applies reloadable parameters and returns 0"):
        session.expect("suite.reload-agent", "monitor after reload-agent",
                       lifecycle.monitor(session, "monitor (after reload-agent)", params=changed), (0,),
                       "the resource keeps running through reload-agent")
        session.run("reload-agent (back)", "reload-agent")


def changed_reloadable_params(session: Session) -> dict:
    """The configured parameters with one reloadable parameter changed in a way unlikely to break it.

    A changed path, number or host name could make any agent fail for reasons of our making, so
    only a select (another option), a boolean (toggled) or a plain word default (suffixed) changes.
    """
    params = dict(session.config.params)
    for parameter in session.md.parameters:
        if not parameter.flag("reloadable"):
            continue
        current = params.get(parameter.name, parameter.default or "")
        changed = _other_value(parameter, current)
        if changed is not None:
            params[parameter.name] = changed
            session.say(f"  reload-agent: {parameter.name}={current!r} -> {changed!r}")
            break
    return params


def _other_value(parameter, current: str):
    if parameter.type == "select":
        others = [o for o in parameter.options if o != current]
        return others[0] if others else None
    if parameter.type == "boolean":
        return "false" if current.lower() in ("1", "true", "yes", "on") else "true"
    if parameter.type in (None, "string") and current.isalpha():
        return current + "-reloaded"
    return None


def check_migrate(session: Session) -> None:
    """migrate_to on node1, migrate_from on node2, monitor on node2, stop on node1 (one host plays both)."""
    md = session.md
    if not (md and md.advertises("migrate_to") and md.advertises("migrate_from")):
        session.log.skip("suite.migrate", "migrate_to/migrate_from are not advertised")
        return
    meta = {"migrate_source": "node1", "migrate_target": "node2"}
    if not lifecycle.start(session, "start (migration source)"):
        return
    steps = (("migrate_to", "node1", "migrate_to"), ("migrate_from", "node2", "migrate_from"))
    for step, node, action in steps:
        result = session.run(step, action, meta=meta, node=node)
        if not session.expect("suite.migrate", step, result, (0,), f"{action} returns 0 once its half of the move is done"):
            break
    else:
        session.expect("suite.migrate", "monitor on the migration target",
                       lifecycle.monitor(session, "monitor (migration target)", node="node2"), (0,),
                       "after migrate_from the resource runs on the target without a start")
    lifecycle.stop(session, "stop (migration source)")
    lifecycle.stop(session, "stop (migration target)", node="node2")
    lifecycle.check_stopped_after(session, "migration")
    session.log.ran("suite.migrate")
