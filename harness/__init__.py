"""Run OCF resource agents the way pacemaker-execd does, check them, and test them on a real cluster."""
