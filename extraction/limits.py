class ExtractionLimit(ValueError):
    """A page or file past a limit of extraction; ``str(exc)`` is the one-line reason its capture records."""
