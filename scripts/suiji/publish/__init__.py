"""Publishing: what suiji makes for people from a ledger it only reads (never signs)."""
