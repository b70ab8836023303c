"""``python -m xl_addin`` runs the command line (the ``bup-grupper`` script runs ``run`` too)."""

import sys

from .cli import main


def run() -> None:
    """Run the command line and end the process without tearing the interpreter down.

    Clearing every module at exit costs about 15 ms of a 0.1–0.3 s command and changes nothing for a
    process that is done: exit handlers still run and both streams are flushed; then the process ends.
    For the same reason the cyclic collector is not turned on again after the command (``ending``).
    """
    import atexit
    import os

    code = main(ending=True)
    atexit._run_exitfuncs()  # what the interpreter runs at exit (the tests read peak memory there)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # a closed pipe (`| head`), a closed stream, or none
            pass  # (pythonw has no sys.stdout): nothing more to say
    os._exit(code)


if __name__ == "__main__":
    run()
