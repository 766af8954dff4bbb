"""OCF exit codes as plain ints, the one table of them; returning these costs no ``enum`` import."""

SUCCESS = 0
ERR_GENERIC = 1
ERR_ARGS = 2
ERR_UNIMPLEMENTED = 3
ERR_PERM = 4
ERR_INSTALLED = 5
ERR_CONFIGURED = 6
NOT_RUNNING = 7
RUNNING_PROMOTED = 8
FAILED_PROMOTED = 9
DEGRADED = 190
DEGRADED_PROMOTED = 191
# The names used before Pacemaker 2.1 renamed the roles.
RUNNING_MASTER = RUNNING_PROMOTED
FAILED_MASTER = FAILED_PROMOTED
DEGRADED_MASTER = DEGRADED_PROMOTED

#: (name, value) in definition order: the first name of a value is its canonical one.
MEMBERS = tuple((name, value) for name, value in list(globals().items())
                if name.isupper() and type(value) is int)
#: The codes pacemaker-execd passes through; it reports any other exit status as ERR_GENERIC.
VALID = frozenset(value for _, value in MEMBERS)
#: Codes only ``monitor`` may return: Pacemaker treats them as failure from any other action.
DEGRADED_CODES = frozenset((DEGRADED, DEGRADED_PROMOTED))
