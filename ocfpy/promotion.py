"""Promotion scores for promotable clones, set with crm_attribute (or crm_master before 2.0)."""

from __future__ import annotations

import os

#: crm_feature_set from which ``crm_attribute --promotion`` exists (Pacemaker 2.0).
PROMOTION_FEATURE_SET = (3, 10, 0)


def _feature_set(env) -> tuple:
    raw = env.param("crm_feature_set") or ""
    try:
        return tuple(int(part) for part in raw.split("."))
    except ValueError:
        return ()


def score_command(env, score: int | None) -> list:
    """The argv that sets ``score`` (or deletes it when None) for this instance."""
    sbin = env.get("HA_SBIN_DIR") or "/usr/sbin"
    value = ["-D"] if score is None else ["-v", str(int(score))]
    if _feature_set(env) and _feature_set(env) < PROMOTION_FEATURE_SET:
        return [os.path.join(sbin, "crm_master"), "-l", "reboot", "-Q"] + value
    return [os.path.join(sbin, "crm_attribute"), "--promotion", "-q"] + value


def set_promotion_score(ctx, score: int | None) -> bool:
    """Tell Pacemaker how much this instance wants to be promoted (None removes the score).

    Returns False, after logging a warning, when the score could not be set: outside a
    cluster (ocf-tester, a lone node) that is expected and must not fail the action.
    """
    argv = score_command(ctx.env, score)
    result = ctx.run(argv, timeout=10)
    if result.rc == 0:
        return True
    lines = (result.stderr or result.stdout or "").strip().splitlines()
    tool = os.path.basename(argv[0])
    if not lines:  # silent: how it ended ("exited with 1", or killed at the time left)
        said = result.describe()
    else:
        said = lines[-1] if lines[-1].startswith(f"{tool}: ") else f"{tool}: {lines[-1]}"
    ctx.log.warning(f"cannot set the promotion score: {said}")
    return False
