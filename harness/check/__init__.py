"""The validator: checks any OCF agent against what Pacemaker really does (ocf-tester successor)."""
