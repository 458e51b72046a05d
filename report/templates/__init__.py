"""Jinja2 templates and the stylesheet of the diff page and report site (a package so wheels ship them)."""
