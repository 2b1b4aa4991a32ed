"""Notifications: French messages, the outbox they wait in, the dispatcher that sends.

Exceptions::

    SendError      a channel refused or could not be reached; `permanent` says whether
                   trying again can help (an unknown URL scheme cannot)
"""
