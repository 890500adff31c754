"""Reusable infrastructure modules, one per AWS service, built on `modules.core`."""
