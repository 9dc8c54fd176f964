"""Justification templates, one file per name and language: ``<name>.<language>.txt``."""
