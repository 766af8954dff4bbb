"""A real two-node Pacemaker + Corosync cluster on one host, each node in its own namespaces."""
