"""Records on disk and their signatures: the record format, SSH signing and verifying, and
the cache of signature checks `log` keeps.
"""
