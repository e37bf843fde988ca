"""The public verifier: re-reads a ledger and re-derives every draw it records.

`verify(root)` with `default_checkers()` is what `suiji verify` runs. Importing this package
loads no writer code — no lock (`fcntl`), no network, no Excel stack — so it works on every
operating system, including the Windows machines most enterprises and journalists use.
"""

from suiji.shared.findings import Finding
from suiji.verify.checkers import default_checkers
from suiji.verify.verifier import EntryChecker, Report, SavedState, verify

__all__ = ["EntryChecker", "Finding", "Report", "SavedState", "default_checkers", "verify"]
