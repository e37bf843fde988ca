"""suiji（随机）: verifiable 双随机、一公开 inspections.

The verifiable core (encoding, records, draw, ledger, keys, beacon, verify) imports nothing
from the publishing side; see docs/ARCHITECTURE.md.
"""

__version__ = "0.1.0"
