"""Isolation layers, one module each, applied in order by ``sandbox.contain.contain``."""
