"""How large and how extreme an inventory may be, and why each limit is where it is.

The inventory is written by people and kept in git, but whoever can change it can also
make the service hang at start or crash later, by mistake or on purpose: a count of a
hundred million VMs, a YAML alias that expands a 4 KB file into billions of nodes, a
timeout that is not a number. Each limit below sits far above the client's contract
(about 300 VMs and 6,000 checks) and far below what would exhaust the machine or
overflow a database column; every problem that cites one says its value, so a person
who really needs more knows what to change.
"""

from __future__ import annotations

# Reading files.
# NB: reading costs about 5 s per million YAML nodes (2 MB of the smallest ones) with
# libyaml, ten times more without it: the bytes bound the time of a start.
MAX_FILE_BYTES = 1_000_000  # one file; the client's largest holds 20 KB
MAX_INVENTORY_BYTES = 5_000_000  # all the files of the inventory
MAX_NODES = 2_000_000  # YAML nodes of one file, counted once aliases are expanded
MAX_DEPTH = 100  # nested YAML collections; an inventory needs about 10

# The size of what is supervised.
MAX_COUNT = 10_000  # VMs from one host entry (`count:`)
MAX_HOSTS = 100_000  # VMs in the whole inventory
MAX_PORTS = 1_000  # ports of one check entry (`ports:`), so checks from one entry
MAX_CHECKS = 200_000  # checks in the whole inventory: about 3 s of loading

# Names, bounded by the database columns they are stored in (store/tables.py).
MAX_ID_LENGTH = 100  # platform, environment, check, scope and contact ids
MAX_HOST_NAME = 200  # an expanded host name (column checks.host)
MAX_CHECK_ID = 400  # "platform/environment/host/check:port" (column checks.id)
MAX_ADDRESS = 253  # an expanded address: the longest DNS name
MAX_PARAM_TEXT = 2_000  # an expanded text parameter of a check, such as a URL

# Sizes of one VM.
MAX_VCPU = 1_024
MAX_RAM_GB = 65_536
MAX_DISK_GB = 1_000_000  # one disk
MAX_STATED = 1_000_000_000  # a total stated by the contract (VMs, GB, vCPU)

# Probing. Below 0.1 s no network answer can come back; above 100 probes in a row a
# state would take hours to change.
MIN_TIMEOUT = 0.1
MIN_INTERVAL, MAX_INTERVAL = 1.0, 86_400.0
MAX_STREAK = 100  # consecutive failures (or successes) before a state changes

# Guarantees and the alert chain: a delay beyond 30 days is a mistake of unit, and
# much larger ones would overflow the date arithmetic of the clocks.
MAX_DELAY = 30 * 86_400.0
