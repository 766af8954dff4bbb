"""ocfpy: write OCF resource agents for Pacemaker in plain Python."""

__version__ = "0.1.0"
