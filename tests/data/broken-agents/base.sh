# Shared body of the agents in this directory: a correct OCF 1.1 agent that manages one
# detached `sleep` daemon. Each agent sources this file, then overrides exactly one piece
# (a function or a variable) to carry exactly one defect. Good overrides nothing.

: "${OCF_RESOURCE_INSTANCE:=default}"
TYPE=$(basename "$0")
RSCTMP=${HA_RSCTMP:-/run/resource-agents}
PIDFILE=${OCF_RESKEY_pidfile:-$RSCTMP/broken-$TYPE-$OCF_RESOURCE_INSTANCE.pid}
DAEMON_SECONDS=100000
LONGDESC="A correct agent that keeps one sleep process running."
EXTRA_PARAMETERS=""
ACTIONS='<action name="start" timeout="20s"/>
<action name="stop" timeout="20s"/>
<action name="monitor" timeout="20s" interval="10s" depth="0"/>
<action name="validate-all" timeout="10s"/>
<action name="meta-data" timeout="5s"/>'

reason() { echo "ocf-exit-reason:$*" >&2; }

meta_data() {
    cat <<END
<?xml version="1.0"?>
<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
<resource-agent name="$TYPE" version="1.0">
<version>1.1</version>
<longdesc lang="en">$LONGDESC</longdesc>
<shortdesc lang="en">$TYPE test agent</shortdesc>
<parameters>
<parameter name="pidfile" unique="1">
<longdesc lang="en">Where the daemon's pid is kept.</longdesc>
<shortdesc lang="en">pid file</shortdesc>
<content type="string"/>
</parameter>
$EXTRA_PARAMETERS
</parameters>
<actions>
$ACTIONS
</actions>
</resource-agent>
END
}

daemon_pid() { [ -f "$PIDFILE" ] && cat "$PIDFILE"; }

is_running() {
    pid=$(daemon_pid) || return 1
    [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
    state=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f1)
    [ "$state" != Z ] && [ "$state" != X ]
}

launch_daemon() {
    # the pid is recorded while the process is still in start's group (a SIGKILL of a timed-out
    # start kills it with the group), and only then leaves for a session of its own
    rm -f "$PIDFILE"
    sh -c 'echo $$ > "$0" && exec setsid sleep "$1"' "$PIDFILE" "$DAEMON_SECONDS" \
        </dev/null >/dev/null 2>&1 &
    tries=0
    while [ ! -s "$PIDFILE" ] && [ $tries -lt 500 ]; do sleep 0.01; tries=$((tries + 1)); done
}

agent_start() {
    is_running && return 0
    mkdir -p "$(dirname "$PIDFILE")" || { reason "cannot create the directory of $PIDFILE"; return 1; }
    launch_daemon
    is_running || { reason "the daemon did not start"; return 1; }
    return 0
}

end_daemon() {
    kill "$(daemon_pid)" 2>/dev/null
    while is_running; do sleep 0.05; done
}

agent_stop() {
    is_running && end_daemon
    rm -f "$PIDFILE"
    return 0
}

agent_monitor() {
    is_running && return 0
    return 7
}

agent_validate_all() {
    [ -d "$(dirname "$PIDFILE")" ] || [ -w "$(dirname "$(dirname "$PIDFILE")")" ] || {
        reason "cannot create the directory of $PIDFILE"; return 2; }
    return 0
}

unknown_action() {
    echo "usage: $TYPE {start|stop|monitor|validate-all|meta-data}" >&2
    return 3
}

agent_meta_data() { meta_data; }
agent_promote() { unknown_action promote; }
agent_demote() { unknown_action demote; }
agent_notify() { unknown_action notify; }

main() {
    case "${1:-}" in
        meta-data) agent_meta_data ;;
        start|stop|monitor|promote|demote|notify) "agent_$1" ;;
        validate-all) agent_validate_all ;;
        *) unknown_action "${1:-}" ;;
    esac
    exit $?
}
