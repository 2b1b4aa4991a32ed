"""Probes: one module per kind in `veilleur.probes.kinds`, and the engine that runs them.

Exceptions raised by probe code::

    ProbeError            the probe itself could not run (missing driver, bad runtime
                          parameter): the check's state becomes UNKNOWN, not DOWN

A service that answers badly, refuses the connection or times out is not an exception:
the probe returns a failed `ProbeOutcome` whose message says why, in French, for the
person reading the dashboard.
"""
